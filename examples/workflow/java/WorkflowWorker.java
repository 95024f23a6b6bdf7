// workflow-worker in Java with JeroMQ: PULL tasks from the ventilator (:5560), PUSH results to the sink (:5561),
// SUB to the ventilator's END (:5563). Frames from ../README.md; every field little-endian, fixed width:
// TASK [76 bytes]; RESULT [48 bytes]; HELLO [u64 id] [name]; END [u64 batch, u32 waiting]; BYE [u64 batch, u64 id].
// Run: java -cp /usr/share/java/jeromq.jar WorkflowWorker.java [--name N] [--tasks EP --results EP --control EP]
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.zeromq.ZMQ;

public class WorkflowWorker {
    static ByteBuffer le(int size) { return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN); }  // Java: big-endian by default

    static List<byte[]> recv(ZMQ.Socket s) {
        List<byte[]> frames = new ArrayList<>();
        do frames.add(s.recv()); while (s.hasReceiveMore());
        return frames;
    }

    static double erfc(double x) {  // Java has none: Numerical Recipes' (error < 1.2e-7; only the Black-Scholes check uses it)
        double z = Math.abs(x), t = 1 / (1 + 0.5 * z);
        double r = t * StrictMath.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
                 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }

    // The C++ worker's Monte Carlo, operation for operation (StrictMath: the same bits on every JVM).
    static long[] value(long seed, int paths, int quantity, int kind, double spot, double strike, double vol, double rate, double expiry) {
        double volT = vol * Math.sqrt(expiry), forward = spot * StrictMath.exp((rate - 0.5 * vol * vol) * expiry);
        int pairs = Math.max(Integer.divideUnsigned(paths, 2), 1);
        long state = seed;
        double sum = 0, sumSq = 0;
        for (int i = 0; i < pairs; i += 2) {
            double[] u = new double[2];
            for (int k = 0; k < 2; k++) {  // SplitMix64 (Java's long wraps like u64), then 53 bits -> [0, 1)
                long z = (state += 0x9E3779B97F4A7C15L);
                z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
                z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
                u[k] = ((z ^ (z >>> 31)) >>> 11) * 0x1.0p-53;
            }
            double radius = Math.sqrt(-2.0 * StrictMath.log(1.0 - u[0])), angle = 2.0 * Math.PI * u[1];
            for (int k = 0; k < 2 && i + k < pairs; k++) {
                double growth = StrictMath.exp(volT * (k == 0 ? radius * StrictMath.cos(angle) : radius * StrictMath.sin(angle)));
                double up = forward * growth, down = forward / growth;
                double x = 0.5 * (kind == 0 ? Math.max(up - strike, 0.0) + Math.max(down - strike, 0.0)
                                            : Math.max(strike - up, 0.0) + Math.max(strike - down, 0.0));
                sum += x;
                sumSq += x * x;
            }
        }
        double n = pairs, discount = StrictMath.exp(-rate * expiry), mean = sum / n, q = quantity;
        double pairVariance = n > 1 ? Math.max(sumSq / n - mean * mean, 0.0) * n / (n - 1) : 0.0;
        double d1 = (StrictMath.log(spot / strike) + (rate + 0.5 * vol * vol) * expiry) / volT, d2 = d1 - volT;
        double k = strike * StrictMath.exp(-rate * expiry), s2 = Math.sqrt(2.0);
        double bs = kind == 0 ? spot * 0.5 * erfc(-d1 / s2) - k * 0.5 * erfc(-d2 / s2) : k * 0.5 * erfc(d2 / s2) - spot * 0.5 * erfc(d1 / s2);
        return new long[] {round(discount * mean * q * 1e6), round(bs * q * 1e6), round(discount * discount * pairVariance / n * q * q * 1e6)};
    }

    static long round(double v) {  // C's llround (halves away from zero), not Math.round
        double a = Math.abs(v), f = Math.floor(a);
        return (long) Math.copySign(f + (a - f >= 0.5 ? 1 : 0), v);
    }

    public static void main(String[] args) {
        int offset = Integer.parseInt(System.getenv().getOrDefault("BB_PORT_OFFSET", "0"));
        String name = "java", tasksEp = "tcp://127.0.0.1:" + (5560 + offset), resultsEp = "tcp://127.0.0.1:" + (5561 + offset),
               controlEp = "tcp://127.0.0.1:" + (5563 + offset);
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (value == null ? "" : args[i++]) {
                case "--name" -> name = value;
                case "--tasks" -> tasksEp = value;
                case "--results" -> resultsEp = value;
                case "--control" -> controlEp = value;
                default -> {
                    System.err.println("usage: WorkflowWorker [--name N] [--tasks EP] [--results EP] [--control EP]");
                    System.exit(args[i].equals("--help") ? 0 : 2);
                }
            }
        }
        ZMQ.Context ctx = ZMQ.context(1);
        ZMQ.Socket tasks = ctx.socket(ZMQ.PULL), results = ctx.socket(ZMQ.PUSH), control = ctx.socket(ZMQ.SUB);
        tasks.connect(tasksEp);
        results.connect(resultsEp);
        control.subscribe("END".getBytes());
        control.connect(controlEp);
        long me = new SecureRandom().nextLong() | 1;  // never 0: the sink's id in BYE
        byte[] hello = le(8).putLong(me).array();
        Thread main = Thread.currentThread();
        final boolean[] stopping = {false};
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {  // Ctrl-C: let the loop say BYE, then status 0
            stopping[0] = true;
            try { main.join(500); } catch (InterruptedException ignored) { }
            Runtime.getRuntime().halt(0);
        }));
        results.sendMore("HELLO"); results.sendMore(hello); results.send(name, ZMQ.DONTWAIT);
        System.out.println("[" + name + "] ready (Java)");
        ZMQ.Poller poller = ctx.poller(2);
        poller.register(tasks, ZMQ.Poller.POLLIN);
        poller.register(control, ZMQ.Poller.POLLIN);
        long valued = 0, batchEnded = 0, lastTask = System.currentTimeMillis();
        while (!stopping[0]) {
            poller.poll(100);
            if (System.currentTimeMillis() - lastTask > 1000) {  // idle: HELLO again, for a ventilator that came later
                results.sendMore("HELLO"); results.sendMore(hello); results.send(name, ZMQ.DONTWAIT);
                lastTask = System.currentTimeMillis();
            }
            if (poller.pollin(1)) {
                List<byte[]> m = recv(control);
                if (m.size() == 2 && new String(m.get(0)).equals("END") && m.get(1).length == 12) {
                    batchEnded = ByteBuffer.wrap(m.get(1)).order(ByteOrder.LITTLE_ENDIAN).getLong();
                    break;
                }
                System.out.println("[" + name + "] W: dropped a malformed END");
            }
            if (!poller.pollin(0)) continue;
            List<byte[]> m = recv(tasks);
            lastTask = System.currentTimeMillis();
            if (m.size() != 2 || !new String(m.get(0)).equals("TASK") || m.get(1).length != 76) {
                System.out.println("[" + name + "] W: dropped a malformed task of " + m.size() + " frames");
                continue;
            }
            ByteBuffer t = ByteBuffer.wrap(m.get(1)).order(ByteOrder.LITTLE_ENDIAN);
            long batch = t.getLong();
            int id = t.getInt(), count = t.getInt();
            long seed = t.getLong();
            int paths = t.getInt(), quantity = t.getInt(), kind = t.getInt();
            double spot = t.getDouble(), strike = t.getDouble(), vol = t.getDouble(), rate = t.getDouble(), expiry = t.getDouble();
            if (Integer.compareUnsigned(count, 1_000_000) > 0 || count == 0 || Integer.compareUnsigned(id, count) >= 0
                || paths <= 0 || paths > 10_000_000 || quantity == 0 || Math.abs(quantity) > 1_000_000 || (kind != 0 && kind != 1)
                || !(spot >= 0.01 && spot <= 1e6 && strike >= 0.01 && strike <= 1e6 && vol >= 0.001 && vol <= 5
                     && rate >= -0.5 && rate <= 0.5 && expiry >= 0.001 && expiry <= 50)) {  // !(...) also catches NaN
                System.out.println("[" + name + "] W: dropped a malformed task: a field is out of range");
                continue;
            }
            long[] v = value(seed, paths, quantity, kind, spot, strike, vol, rate, expiry);
            results.sendMore("RESULT");
            results.send(le(48).putLong(batch).putInt(id).putInt(count).putLong(me).putLong(v[0]).putLong(v[1]).putLong(v[2]).array(), 0);
            valued++;
        }
        results.sendMore("BYE");  // the END's batch, or 0 when leaving by itself
        results.send(le(16).putLong(batchEnded).putLong(me).array(), ZMQ.DONTWAIT);
        results.setLinger(200);
        System.out.println("[" + name + "] leaving: valued " + valued + " tasks (Java)");
        results.close(); tasks.close(); control.close();
        ctx.term();
    }
}
