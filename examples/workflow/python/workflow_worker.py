#!/usr/bin/python3
"""workflow-worker in Python: PULL tasks from the ventilator (:5560), PUSH results to the sink (:5561),
SUB to the ventilator's END (:5563). The same Monte Carlo as the C++ worker, so the same integers.

Frames from ../README.md: TASK [76 bytes]; RESULT [48 bytes]; HELLO [u64 id] [name]; END [u64 batch, u32 waiting];
BYE [u64 batch, u64 id]. Little-endian, fixed width."""
import argparse, math, os, signal, struct, sys, time
import zmq

TASK = struct.Struct("<QIIQIiIddddd")  # batch id count seed paths quantity kind spot strike volatility rate expiry
RESULT = struct.Struct("<QIIQqqQ")     # batch id count worker value analytic variance
END, BYE = struct.Struct("<QI"), struct.Struct("<QQ")
MASK = (1 << 64) - 1                   # Python integers are unbounded: u64 arithmetic wraps by hand


def ipc_folder():  # as in common/src/endpoint.cpp: BB_IPC_DIR, else a folder of this user's own
    env = os.environ.get
    run = env("XDG_RUNTIME_DIR") and env("XDG_RUNTIME_DIR") + "/beyond-the-box"
    return env("BB_IPC_DIR") or run or f"{env('TMPDIR') or '/tmp'}/beyond-the-box-{os.geteuid()}"


def endpoint(transport, service, port):
    if transport == "ipc":
        return f"ipc://{ipc_folder()}/{service}"
    return f"tcp://127.0.0.1:{port + int(os.environ.get('BB_PORT_OFFSET') or 0)}"


def uniforms(state):  # SplitMix64, then 53 bits -> [0, 1)
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        yield ((z ^ (z >> 31)) >> 11) * 2.0 ** -53


def value(batch, id_, count, seed, paths, quantity, kind, spot, strike, vol, rate, expiry):
    """(value, analytic, variance) in micro-units, in the C++ worker's order of operations."""
    pay = (lambda p: max(p - strike, 0.0)) if kind == 0 else (lambda p: max(strike - p, 0.0))
    vol_t, forward = vol * math.sqrt(expiry), spot * math.exp((rate - 0.5 * vol * vol) * expiry)
    pairs, rng, total, total_sq = max(paths // 2, 1), uniforms(seed), 0.0, 0.0
    for i in range(0, pairs, 2):
        radius = math.sqrt(-2.0 * math.log(1.0 - next(rng)))
        angle = 2.0 * math.pi * next(rng)
        for z in (radius * math.cos(angle), radius * math.sin(angle))[: min(2, pairs - i)]:
            growth = math.exp(vol_t * z)
            x = 0.5 * (pay(forward * growth) + pay(forward / growth))
            total, total_sq = total + x, total_sq + x * x
    n, discount = float(pairs), math.exp(-rate * expiry)
    mean = total / n
    pair_variance = max(total_sq / n - mean * mean, 0.0) * n / (n - 1) if n > 1 else 0.0
    cdf = lambda x: 0.5 * math.erfc(-x / math.sqrt(2.0))
    d1 = (math.log(spot / strike) + (rate + 0.5 * vol * vol) * expiry) / vol_t
    k = strike * math.exp(-rate * expiry)
    bs = spot * cdf(d1) - k * cdf(d1 - vol_t) if kind == 0 else k * cdf(vol_t - d1) - spot * cdf(-d1)
    micros = lambda v: int(math.copysign(math.floor(abs(v)) + (abs(v) % 1.0 >= 0.5), v))  # llround (not round())
    return (micros(discount * mean * quantity * 1e6), micros(bs * quantity * 1e6),
            micros(discount * discount * pair_variance / n * quantity * quantity * 1e6))


def check(t):
    batch, id_, count, seed, paths, quantity, kind, spot, strike, vol, rate, expiry = t
    ok = lambda x, lo, hi: math.isfinite(x) and lo <= x <= hi
    if not (1 <= count <= 1_000_000 and id_ < count and 1 <= paths <= 10_000_000 and kind in (0, 1)
            and quantity != 0 and abs(quantity) <= 1_000_000 and ok(spot, 0.01, 1e6) and ok(strike, 0.01, 1e6)
            and ok(vol, 0.001, 5) and ok(rate, -0.5, 0.5) and ok(expiry, 0.001, 50)):
        raise ValueError("a field is out of range")


def main():
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("-t", "--transport", choices=["tcp", "ipc"], default="tcp")
    cli.add_argument("--tasks"), cli.add_argument("--results"), cli.add_argument("--control")
    cli.add_argument("--name", default="python")
    args = cli.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    ctx = zmq.Context.instance()
    tasks, results, control = ctx.socket(zmq.PULL), ctx.socket(zmq.PUSH), ctx.socket(zmq.SUB)
    tasks.connect(args.tasks or endpoint(args.transport, "workflow-tasks", 5560))
    results.connect(args.results or endpoint(args.transport, "workflow-results", 5561))
    control.subscribe(b"END")
    control.connect(args.control or endpoint(args.transport, "workflow-control", 5563))
    me = int.from_bytes(os.urandom(8), "little") | 1  # never 0: that is the sink's id in BYE
    def send(*frames):  # never wait: a lost HELLO is said again, a lost BYE costs the ventilator a few seconds
        try:
            results.send_multipart(frames, zmq.NOBLOCK)
        except zmq.Again:
            pass
    hello = lambda: send(b"HELLO", struct.pack("<Q", me), args.name.encode())
    hello()
    print(f"[{args.name}] ready (Python)", flush=True)
    poller, valued, batch_end = zmq.Poller(), 0, 0
    poller.register(tasks, zmq.POLLIN), poller.register(control, zmq.POLLIN)
    try:
        while True:
            ready = dict(poller.poll(1000))
            if not ready:
                hello()  # idle: say it again, for a ventilator that started after us
            if control in ready:
                frames = control.recv_multipart()
                if len(frames) == 2 and frames[0] == b"END" and len(frames[1]) == END.size:
                    batch_end = END.unpack(frames[1])[0]
                    break
                print(f"[{args.name}] W: dropped a malformed END", flush=True)
            if tasks in ready:
                frames = tasks.recv_multipart()
                try:
                    if len(frames) != 2 or frames[0] != b"TASK" or len(frames[1]) != TASK.size:
                        raise ValueError(f"{len(frames)} frames or a wrong type or size")
                    t = TASK.unpack(frames[1])
                    check(t)
                except (ValueError, struct.error) as e:
                    print(f"[{args.name}] W: dropped a malformed task: {e}", flush=True)
                    continue
                results.send_multipart([b"RESULT", RESULT.pack(t[0], t[1], t[2], me, *value(*t))])
                valued += 1
    finally:  # BYE: the END's batch, or 0 when leaving by itself (Ctrl-C)
        send(b"BYE", BYE.pack(batch_end, me))
        results.close(linger=200)
        print(f"[{args.name}] leaving: valued {valued} tasks (Python)", flush=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
