#!/usr/bin/python3
"""ticker-sub in Python: a SUB connects to ticker-pub (or ticker-proxy) and decodes every tick.

Written from the frame table in ../README.md: frame 1 the symbol, frame 2 a 56-byte quote."""
import argparse, math, os, signal, struct, sys
import zmq

PORT = 5556  # ticker-pub's PUB


def ipc_folder():  # as in common/src/endpoint.cpp: BB_IPC_DIR, else a folder of this user's own
    env = os.environ.get
    run = env("XDG_RUNTIME_DIR") and env("XDG_RUNTIME_DIR") + "/beyond-the-box"
    return env("BB_IPC_DIR") or run or f"{env('TMPDIR') or '/tmp'}/beyond-the-box-{os.geteuid()}"


def default_endpoint(transport, service="ticker", port=PORT):
    if transport == "ipc":
        return f"ipc://{ipc_folder()}/{service}"
    return f"tcp://127.0.0.1:{port + int(os.environ.get('BB_PORT_OFFSET') or 0)}"


# slide: ticker-python-decode
def decode(frames):
    """(symbol, fields), or ValueError: the network is untrusted."""
    if len(frames) != 2:
        raise ValueError(f"{len(frames)} frames, expected 2")
    symbol, quote = frames
    if not 1 <= len(symbol) <= 16 or b"\0" in symbol:
        raise ValueError("an empty, over-long or NUL-holding symbol")
    if len(quote) != 56:
        raise ValueError(f"a quote of {len(quote)} bytes, expected 56")
    # seq time_ns price open bid ask volume; "<": little-endian
    fields = struct.unpack("<QqddddQ", quote)
    if not math.isfinite(fields[2]):
        raise ValueError("the price is not a finite number")
    return symbol.decode("utf-8"), fields  # bad UTF-8: ValueError
# end slide


def main():
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--connect", help="publisher's endpoint (default: tcp://127.0.0.1:5556)")
    cli.add_argument("-t", "--transport", choices=["tcp", "ipc"], default="tcp")
    cli.add_argument("-s", "--symbol", action="append", default=[], help="a prefix to follow (default: all)")
    cli.add_argument("--count", type=int, default=0, help="stop after N ticks")
    cli.add_argument("-q", "--quiet", action="store_true", help="no line per tick")
    args = cli.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    sub = zmq.Context.instance().socket(zmq.SUB)
    sub.linger = 0
    for prefix in args.symbol or [""]:
        sub.setsockopt(zmq.SUBSCRIBE, prefix.encode())
    endpoint = args.connect or default_endpoint(args.transport)
    sub.connect(endpoint)
    print(f"[ticker_sub.py] following {', '.join(args.symbol) or 'every symbol'} from {endpoint}", flush=True)

    last_seq, received = {}, 0
    while not args.count or received < args.count:
        try:
            symbol, (seq, time_ns, price, open_, bid, ask, volume) = decode(sub.recv_multipart())
        except ValueError as e:
            print(f"[ticker_sub.py] W: dropped a malformed message: {e}", flush=True)
            continue
        before = last_seq.get(symbol)
        if before is not None and seq > before + 1:
            print(f"[ticker_sub.py] W: {symbol}: missed {seq - before - 1} ticks", flush=True)
        elif before is not None and seq <= before:
            print(f"[ticker_sub.py] {symbol}: the publisher restarted (sequence {before} -> {seq})", flush=True)
        last_seq[symbol], received = seq, received + 1
        if not args.quiet:
            print(f"{symbol:<6} {price:10.2f}  {price - open_:+8.2f}  seq={seq} bid={bid:.2f} ask={ask:.2f}"
                  f" volume={volume}", flush=True)
    print(f"[ticker_sub.py] received {received} ticks", flush=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # Ctrl-C: a normal way to stop
        pass
