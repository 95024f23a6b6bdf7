// chat-client in Java with JeroMQ: a DEALER (commands) and a SUB (broadcasts) to chat-server; lines from stdin.
// Frames from ../README.md: JOIN handle, SAY room text, WHO, LEAVE, PING; replies OK|ERROR word values...;
// broadcasts: room MSG handle text, * JOINED|LEFT|EXPIRED handle, *WELCOME. Every frame is UTF-8 text.
// Security: NULL only. JeroMQ 0.3.6 (Debian 12) speaks ZMTP 2.0, which has no PLAIN or CURVE.
// Run: java -cp /usr/share/java/jeromq.jar ChatClient.java --handle NAME [--room lobby] [--connect EP --subscribe EP]
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import org.zeromq.ZMQ;

public class ChatClient {
    static final long HEARTBEAT = 1000, TIMEOUT = 3000;  // ms: PING when idle; no reply: a fresh socket
    static final String EOF = "\0eof";
    static ZMQ.Context ctx = ZMQ.context(1);
    static ZMQ.Socket dealer;
    static long heard, sent;
    static int waiting;
    static volatile int status = 0;  // the exit status, also when Ctrl-C ends the JVM

    static List<String> recv(ZMQ.Socket s) {  // one message, every frame as text (bad UTF-8 shows as U+FFFD)
        List<String> frames = new ArrayList<>();
        do frames.add(new String(s.recv(), StandardCharsets.UTF_8)); while (s.hasReceiveMore());
        return frames;
    }

    static String name = "java";  // the prefix of every line printed

    static void say(String line) { System.out.println("[" + name + "] " + line); }

    static void send(String... frames) {
        for (int i = 0; i < frames.length; i++) dealer.send(frames[i].getBytes(StandardCharsets.UTF_8), i + 1 < frames.length ? ZMQ.SNDMORE : 0);
        sent = System.currentTimeMillis();
        waiting++;
    }

    static void open(byte[] identity, String endpoint, String handle) {  // Lazy Pirate: same routing id, new socket
        if (dealer != null) dealer.close();
        dealer = ctx.socket(ZMQ.DEALER);
        dealer.setIdentity(identity);
        dealer.setLinger(0);
        dealer.connect(endpoint);
        heard = System.currentTimeMillis();
        waiting = 0;
        send("JOIN", handle);
    }

    public static void main(String[] args) throws Exception {
        int offset = Integer.parseInt(System.getenv().getOrDefault("BB_PORT_OFFSET", "0"));
        String handle = null, room = "lobby", connect = "tcp://127.0.0.1:" + (5570 + offset), subscribe = "tcp://127.0.0.1:" + (5571 + offset);
        long count = 0, bot = 0, lastBot = System.currentTimeMillis();
        for (int i = 0; i + 1 < args.length || (i < args.length && args[i].equals("--help")); i++) {
            switch (args[i]) {
                case "--handle" -> handle = args[++i];
                case "--room" -> room = args[++i];
                case "--connect" -> connect = args[++i];
                case "--subscribe" -> subscribe = args[++i];
                case "--count" -> count = Long.parseLong(args[++i]);
                case "--name" -> name = args[++i];
                case "--bot" -> bot = (long) (Double.parseDouble(args[++i]) * 1000);  // say a line every S seconds
                default -> handle = null;
            }
        }
        if (handle == null) {
            System.err.println("usage: ChatClient --handle NAME [--room ROOM] [--connect EP] [--subscribe EP] [--count N] [--bot S] [--name PREFIX]");
            System.exit(args.length == 1 && args[0].equals("--help") ? 0 : 2);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> Runtime.getRuntime().halt(status)));  // Ctrl-C: 0
        ZMQ.Socket sub = ctx.socket(ZMQ.SUB);
        sub.subscribe("*".getBytes());
        sub.subscribe(room.getBytes(StandardCharsets.UTF_8));
        sub.connect(subscribe);
        ZMQ.Poller welcome = ctx.poller(1);  // the XPUB greets us once our subscriptions are in
        welcome.register(sub, ZMQ.Poller.POLLIN);
        while (welcome.poll(3000) == 0 || !recv(sub).equals(List.of("*WELCOME")))
            say("-- still waiting for the server (is it running? with PLAIN or CURVE it refuses JeroMQ 0.3.6)");
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {  // System.in cannot be polled with the sockets: a thread reads it
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null;) lines.add(line);
            } catch (Exception ignored) { }
            lines.add(EOF);
        });
        reader.setDaemon(true);
        reader.start();

        byte[] identity = new byte[16];
        new SecureRandom().nextBytes(identity);
        identity[0] |= 1;  // libzmq reserves routing ids starting with a zero byte
        open(identity, connect, handle);
        boolean joined = false, input = true;
        long messages = 0;
        while (count == 0 || messages < count) {
            ZMQ.Poller poller = ctx.poller(2);
            poller.register(dealer, ZMQ.Poller.POLLIN);
            poller.register(sub, ZMQ.Poller.POLLIN);
            poller.poll(100);
            for (String line; (line = lines.poll()) != null;) {
                if (line.equals(EOF) || line.equals("/quit")) input = false;
                else if (line.equals("/who")) send("WHO");
                else if (!line.isBlank()) send("SAY", room, line);
            }
            while ((dealer.getEvents() & ZMQ.Poller.POLLIN) != 0) {
                List<String> reply = recv(dealer);
                heard = System.currentTimeMillis();
                if (reply.equals(List.of("PING"))) continue;  // the server checking that we are there
                waiting = Math.max(0, waiting - 1);
                if (reply.size() < 2) say("W: dropped a malformed reply");
                else if (reply.get(0).equals("OK") && reply.get(1).equals("JOIN") && !joined) {
                    joined = true;
                    say("-- joined as " + handle);
                } else if (reply.get(0).equals("OK") && reply.get(1).equals("WHO"))
                    say("present: " + String.join(", ", reply.subList(2, reply.size())));
                else if (reply.get(0).equals("ERROR") && reply.size() > 2 && reply.get(2).startsWith("not joined")) send("JOIN", handle);
                else if (reply.get(0).equals("ERROR") && reply.get(1).equals("JOIN") && !joined) {
                    System.err.println("E: cannot join as '" + handle + "': " + reply.subList(2, reply.size()));
                    System.exit(status = 1);
                } else if (reply.get(0).equals("ERROR")) say("-- the server refused " + reply.subList(1, reply.size()));
            }
            while ((sub.getEvents() & ZMQ.Poller.POLLIN) != 0) {
                List<String> b = recv(sub);
                if (b.size() == 4 && b.get(0).equals(room) && b.get(1).equals("MSG")) {  // prefix match: check the room
                    say("<" + b.get(2) + "> " + b.get(3));
                    if (!b.get(2).equals(handle)) messages++;
                } else if (b.size() == 3 && b.get(0).equals("*") && List.of("JOINED", "LEFT", "EXPIRED").contains(b.get(1)))
                    say("* " + b.get(2) + " " + b.get(1).toLowerCase());
                else if (!b.equals(List.of("*WELCOME")) && (b.get(0).equals("*") || b.get(0).equals(room)))
                    say("W: dropped a malformed broadcast of " + b.size() + " frames");
            }
            long now = System.currentTimeMillis();
            if (bot > 0 && joined && now - lastBot >= bot) {
                send("SAY", room, "hello from Java " + System.getProperty("java.version") + " with JeroMQ");
                lastBot = now;
            }
            if (now - heard > TIMEOUT) {
                say("-- no reply from the server for " + TIMEOUT + " ms: reconnecting");
                joined = false;
                open(identity, connect, handle);
            } else if (now - sent >= HEARTBEAT) {
                if (joined) send("PING"); else send("JOIN", handle);
            }
            if (count == 0 && bot == 0 && !input && waiting == 0 && joined) break;
        }
        if (joined) send("LEAVE");
        Thread.sleep(200);  // JeroMQ has no blocking wait for one reply with a timeout that reads as simply
        System.exit(0);
    }
}
