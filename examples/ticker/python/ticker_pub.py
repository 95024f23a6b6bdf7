#!/usr/bin/python3
"""ticker-pub in Python: a PUB binds tcp://*:5556 and publishes random-walk ticks in ticker-pub's format.

C++ ticker-sub, ticker-proxy and query-server take these ticks as they take ticker-pub's."""
import argparse, os, random, signal, struct, sys, time
import zmq

QUOTE = struct.Struct("<QqddddQ")  # seq, time_ns, price, open, bid, ask, volume; "<" = little-endian
PORT = 5556


def ipc_folder():  # as in common/src/endpoint.cpp: BB_IPC_DIR, else a folder of this user's own
    env = os.environ.get
    run = env("XDG_RUNTIME_DIR") and env("XDG_RUNTIME_DIR") + "/beyond-the-box"
    return env("BB_IPC_DIR") or run or f"{env('TMPDIR') or '/tmp'}/beyond-the-box-{os.geteuid()}"


def default_bind(transport, service="ticker", port=PORT):
    if transport == "ipc":
        os.makedirs(ipc_folder(), mode=0o700, exist_ok=True)  # private, as the C++ programs make it
        return f"ipc://{ipc_folder()}/{service}"
    return f"tcp://*:{port + int(os.environ.get('BB_PORT_OFFSET') or 0)}"


def main():
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = cli.add_mutually_exclusive_group()
    where.add_argument("--bind", help="endpoint to bind (default: tcp://*:5556)")
    where.add_argument("--connect", help="connect instead, e.g. to ticker-proxy --frontend-bind")
    cli.add_argument("-t", "--transport", choices=["tcp", "ipc"], default="tcp")
    cli.add_argument("-s", "--symbol", action="append", default=[], help="default: AAPL MSFT GOOG")
    cli.add_argument("--rate", type=float, default=10, help="ticks per second (default 10)")
    cli.add_argument("--count", type=int, default=0, help="stop after N ticks")
    cli.add_argument("--seed", type=int, default=1)
    cli.add_argument("--wait-subscribers", type=int, default=0, metavar="N",
                     help="start once N subscriptions have arrived (none lost to the slow joiner)")
    args = cli.parse_args()
    if args.rate <= 0:
        cli.error("--rate must be positive")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    pub = zmq.Context.instance().socket(zmq.XPUB)  # a PUB that also hears the subscriptions
    pub.linger = 0
    if args.connect:
        pub.connect(args.connect)
        print(f"[ticker_pub.py] publishing to {args.connect} (seed {args.seed})", flush=True)
    else:
        pub.bind(args.bind or default_bind(args.transport))
        print(f"[ticker_pub.py] publishing on {pub.last_endpoint.decode()} (seed {args.seed})", flush=True)

    for _ in range(args.wait_subscribers):
        while pub.recv()[:1] != b"\x01":  # 0x01 + prefix: subscribe; 0x00: unsubscribe
            pass
    if args.wait_subscribers:
        print(f"[ticker_pub.py] {args.wait_subscribers} subscriptions in: publishing", flush=True)
    rng = random.Random(args.seed)
    symbols = args.symbol or ["AAPL", "MSFT", "GOOG"]
    opens = {s: rng.uniform(50, 500) for s in symbols}
    prices, seqs, sent = dict(opens), dict.fromkeys(symbols, 0), 0
    while not args.count or sent < args.count:
        symbol = symbols[sent % len(symbols)]
        prices[symbol] = max(0.01, prices[symbol] * (1 + rng.gauss(0, 0.001)))
        price, seqs[symbol] = prices[symbol], seqs[symbol] + 1
        quote = QUOTE.pack(seqs[symbol], time.time_ns(), price, opens[symbol],
                           price - 0.01, price + 0.01, rng.randint(1, 1000))
        pub.send_multipart([symbol.encode(), quote])
        sent += 1
        time.sleep(1 / args.rate)
    print(f"[ticker_pub.py] {sent} ticks sent", flush=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
