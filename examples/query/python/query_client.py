#!/usr/bin/python3
"""query-client in Python: a REQ asks query-server (tcp://127.0.0.1:5580); --follow keeps a Clone replica
from SNAPSHOT + updates (SUB to tcp://127.0.0.1:5581); --watch prints a standing query's matches.

Frames from ../README.md: request [query]; reply [OK|ERR] [text] (+ SNAPSHOT: [symbol] [state, 80 bytes]);
update [sym:SYMBOL] [quote, 56 bytes]; match [watch:TOKEN] [condition] [symbol] [quote]."""
import argparse, math, os, signal, struct, sys
import zmq

STATE = struct.Struct("<QqddddddQQ")  # seq time_ns last bid ask open high low ticks volume, little-endian
QUOTE = struct.Struct("<QqddddQ")     # seq time_ns price open bid ask volume (Example 1's tick)
ctx = zmq.Context.instance()


def ipc_folder():  # as in common/src/endpoint.cpp: BB_IPC_DIR, else a folder of this user's own
    env = os.environ.get
    run = env("XDG_RUNTIME_DIR") and env("XDG_RUNTIME_DIR") + "/beyond-the-box"
    return env("BB_IPC_DIR") or run or f"{env('TMPDIR') or '/tmp'}/beyond-the-box-{os.geteuid()}"


def endpoint(transport, service, port):
    if transport == "ipc":
        return f"ipc://{ipc_folder()}/{service}"
    return f"tcp://127.0.0.1:{port + int(os.environ.get('BB_PORT_OFFSET') or 0)}"


def ask(server, query, timeout_ms=1000, attempts=3):
    """The Lazy Pirate: a fresh REQ per attempt; [OK|ERR, text, ...] or SystemExit after the last."""
    for _ in range(attempts):
        req = ctx.socket(zmq.REQ)
        req.linger = 0
        req.connect(server)
        req.send_string(query)
        if req.poll(timeout_ms):
            reply = req.recv_multipart()
            req.close()
            if len(reply) < 2 or reply[0] not in (b"OK", b"ERR"):
                sys.exit(f"E: a malformed reply of {len(reply)} frames")
            return reply
        req.close()
    sys.exit(f"E: no reply from {server} after {attempts} attempts of {timeout_ms} ms")


def show(symbol, s):
    seq, _, last, _, _, _, high, low, ticks, volume = s
    return f"{symbol} seq={seq} last={last:.2f} high={high:.2f} low={low:.2f} ticks={ticks} volume={volume}"


def follow(server, updates, symbol):
    sub = ctx.socket(zmq.SUB)
    sub.subscribe(f"sym:{symbol}")           # 1. subscribe first...
    sub.connect(updates)
    state = None
    while True:
        if state is None:                    # 2. ...then the snapshot (ERR: no ticks yet, start empty)
            reply = ask(server, f"SNAPSHOT {symbol}")
            ok = reply[0] == b"OK" and len(reply) == 4 and len(reply[3]) == STATE.size
            state = list(STATE.unpack(reply[3])) if ok else [0, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0]
            shown = f"{show(symbol, state)} state={reply[3].hex()}" if ok else "no ticks yet"
            print(f"[query_client.py] snapshot: {shown}", flush=True)
        topic, *rest = sub.recv_multipart()
        if topic != f"sym:{symbol}".encode() or len(rest) != 1 or len(rest[0]) != QUOTE.size:
            if topic == f"sym:{symbol}".encode():  # not just another symbol with our prefix
                print(f"[query_client.py] W: dropped a malformed update", flush=True)
            continue
        seq, time_ns, price, open_, bid, ask_, volume = QUOTE.unpack(rest[0])
        if not math.isfinite(price):
            print(f"[query_client.py] W: dropped an update with a price that is not a number", flush=True)
        elif seq == 1 and state[0] > 1 or seq > state[0] + 1:  # 3. the feed restarted, or a gap: re-sync
            print(f"[query_client.py] {symbol}: expected update {state[0] + 1}, got {seq}: re-syncing", flush=True)
            state = None
        elif seq == state[0] + 1:            # apply; seq <= s: already in the state
            high, low = (price, price) if state[8] == 0 else (max(state[6], price), min(state[7], price))
            state = [seq, time_ns, price, bid, ask_, open_, high, low, state[8] + 1, state[9] + volume]
            print(f"{show(symbol, state)} state={STATE.pack(*state).hex()}", flush=True)


def main():
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("query", nargs="*", help="e.g. LAST AAPL; none: one query per line from stdin")
    cli.add_argument("-t", "--transport", choices=["tcp", "ipc"], default="tcp")
    cli.add_argument("--connect", help="server's (or broker's) ROUTER")
    cli.add_argument("--updates", help="server's (or broker's) XPUB")
    cli.add_argument("--follow", metavar="SYMBOL", help="keep a replica of SYMBOL's state")
    cli.add_argument("--watch", metavar="'SYM > PRICE'", help="a standing query; prints its matches")
    args = cli.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = args.connect or endpoint(args.transport, "query", 5580)
    updates = args.updates or endpoint(args.transport, "query-updates", 5581)
    if args.follow:
        return follow(server, updates, args.follow)
    if args.watch:
        token = os.urandom(8).hex()
        sub = ctx.socket(zmq.SUB)
        sub.subscribe(f"watch:{token}")      # the subscription is the lease: Ctrl-C ends the watch
        sub.connect(updates)
        queries = [f"WATCH {args.watch} {token}"]
    else:
        queries = [" ".join(args.query)] if args.query else (l.strip() for l in sys.stdin if l.strip())
    for query in queries:
        status, text, *state = ask(server, query)
        if status == b"ERR":
            print(f"E: {text.decode(errors='replace')}", file=sys.stderr, flush=True)
            if args.query or args.watch:
                return 1
            continue
        print(text.decode(errors="replace"), flush=True)
        if len(state) == 2 and len(state[1]) == STATE.size:  # SNAPSHOT's symbol and state frame
            print(f"state={state[1].hex()}", flush=True)
    while args.watch:
        frames = sub.recv_multipart()
        if len(frames) != 4 or len(frames[3]) != QUOTE.size:
            print("[query_client.py] W: dropped a malformed match", flush=True)
            continue
        seq, _, price, *_ = QUOTE.unpack(frames[3])
        print(f"{frames[1].decode(errors='replace')}: {frames[2].decode(errors='replace')} {price:.2f} seq={seq}",
              flush=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        pass
