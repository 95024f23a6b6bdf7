// ticker-sub in Java with JeroMQ (a pure-Java ZeroMQ): a SUB connects to ticker-pub and decodes every tick.
// Written from the frame table in ../README.md: frame 1 the symbol, frame 2 a 56-byte little-endian quote.
// Run: java -cp /usr/share/java/jeromq.jar TickerSub.java [--connect EP] [--symbol PREFIX]... [--count N]
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.zeromq.ZMQ;

public class TickerSub {
    static final int QUOTE_SIZE = 56;  // seq u64, time_ns i64, price, open, bid, ask f64, volume u64

    public static void main(String[] args) throws Exception {
        String port = String.valueOf(5556 + Integer.parseInt(System.getenv().getOrDefault("BB_PORT_OFFSET", "0")));
        String endpoint = "tcp://127.0.0.1:" + port;
        List<String> symbols = new ArrayList<>();
        long count = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--connect" -> endpoint = args[++i];
                case "--symbol" -> symbols.add(args[++i]);
                case "--count" -> count = Long.parseLong(args[++i]);
                default -> {
                    System.err.println("usage: TickerSub [--connect tcp://HOST:5556] [--symbol PREFIX]... [--count N]");
                    System.exit(args[i].equals("--help") ? 0 : 2);
                }
            }
        }
        ZMQ.Context ctx = ZMQ.context(1);
        ZMQ.Socket sub = ctx.socket(ZMQ.SUB);
        sub.setLinger(0);
        for (String prefix : symbols.isEmpty() ? List.of("") : symbols) sub.subscribe(prefix.getBytes(StandardCharsets.UTF_8));
        sub.connect(endpoint);
        System.out.println("[TickerSub.java] following " + (symbols.isEmpty() ? "every symbol" : symbols) + " from " + endpoint);

        long received = 0;
        while (count == 0 || received < count) {
            List<byte[]> frames = new ArrayList<>();  // one message: all its frames
            do frames.add(sub.recv()); while (sub.hasReceiveMore());
            if (frames.size() != 2 || frames.get(1).length != QUOTE_SIZE || frames.get(0).length < 1 || frames.get(0).length > 16) {
                System.out.println("[TickerSub.java] W: dropped a malformed message of " + frames.size() + " frames");
                continue;
            }
            String symbol;
            try {  // strict UTF-8: a bad byte is an error, not a replacement character
                symbol = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(frames.get(0))).toString();
            } catch (CharacterCodingException e) {
                System.out.println("[TickerSub.java] W: dropped a tick whose symbol is not UTF-8");
                continue;
            }
            // slide: ticker-java-decode
            // Java reads big-endian unless told otherwise; a long holds a u64's bits.
            ByteBuffer q = ByteBuffer.wrap(frames.get(1));
            q.order(ByteOrder.LITTLE_ENDIAN);
            long seq = q.getLong(), timeNs = q.getLong();
            double price = q.getDouble(), open = q.getDouble();
            double bid = q.getDouble(), ask = q.getDouble();
            long volume = q.getLong();
            // end slide
            if (!Double.isFinite(price) || symbol.indexOf('\0') >= 0) {
                System.out.println("[TickerSub.java] W: dropped a tick with a bad price or symbol");
                continue;
            }
            received++;
            System.out.printf("%-6s %10.2f  %+8.2f  seq=%s volume=%s%n", symbol, price, price - open,
                              Long.toUnsignedString(seq), Long.toUnsignedString(volume));
        }
        System.out.println("[TickerSub.java] received " + received + " ticks");
        sub.close();
        ctx.term();
    }
}
