#!/usr/bin/python3
"""chat-client in Python: a DEALER (commands) and a SUB (broadcasts) to chat-server; lines from stdin.

Frames from ../README.md: JOIN handle, SAY room text, WHO, LEAVE, PING; replies OK|ERROR word values...;
broadcasts room MSG handle text, * JOINED|LEFT|EXPIRED handle, *WELCOME. Every frame is UTF-8 text."""
import argparse, os, signal, sys, time
import zmq

HEARTBEAT, TIMEOUT = 1.0, 3.0  # PING when idle this long; no reply this long: a fresh socket (Lazy Pirate)


def ipc_folder():  # as in common/src/endpoint.cpp: BB_IPC_DIR, else a folder of this user's own
    env = os.environ.get
    run = env("XDG_RUNTIME_DIR") and env("XDG_RUNTIME_DIR") + "/beyond-the-box"
    return env("BB_IPC_DIR") or run or f"{env('TMPDIR') or '/tmp'}/beyond-the-box-{os.geteuid()}"


def endpoint(transport, service, port):
    if transport == "ipc":
        return f"ipc://{ipc_folder()}/{service}"
    return f"tcp://127.0.0.1:{port + int(os.environ.get('BB_PORT_OFFSET') or 0)}"


def read_key(path):
    """chat-keygen's key files: '#' comments, then one line of 40 Z85 characters (not zmq.auth's format)."""
    lines = [l.strip() for l in open(path) if l.strip() and not l.startswith("#")]
    if len(lines) != 1 or len(lines[0]) != 40:
        sys.exit(f"E: {path} does not hold one Z85 key of 40 characters")
    return lines[0].encode()


def secure(sock, args):
    if args.curve:  # the server's public key, and our own pair (the public half derived from the secret)
        secret = read_key(args.key)
        sock.curve_serverkey, sock.curve_secretkey, sock.curve_publickey = read_key(args.curve), secret, zmq.curve_public(secret)
    elif args.plain:
        user, _, password = args.plain.partition(":")
        sock.plain_username, sock.plain_password = user.encode(), password.encode()


def main():
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--handle", required=True)
    cli.add_argument("--room", default="lobby")
    cli.add_argument("--name", default="python", help="the prefix of every line printed")
    cli.add_argument("-t", "--transport", choices=["tcp", "ipc"], default="tcp")
    cli.add_argument("--connect", help="server's ROUTER (default: tcp://127.0.0.1:5570)")
    cli.add_argument("--subscribe", help="server's XPUB (default: tcp://127.0.0.1:5571)")
    cli.add_argument("--plain", metavar="USER:PASSWORD")
    cli.add_argument("--curve", metavar="SERVER.pub", help="the server's public key file (with --key)")
    cli.add_argument("--key", metavar="ME.key", help="our secret key file, from chat-keygen")
    cli.add_argument("--count", type=int, default=0, help="leave after N messages from others")
    cli.add_argument("--bot", type=float, default=0, metavar="S", help="say a line every S seconds, until Ctrl-C")
    args = cli.parse_args()
    if bool(args.curve) != bool(args.key):
        cli.error("--curve and --key go together")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    say = lambda *parts: print(f"[{args.name}]", *parts, flush=True)

    ctx = zmq.Context.instance()
    sub = ctx.socket(zmq.SUB)
    secure(sub, args)
    for topic in (b"*", args.room.encode()):
        sub.subscribe(topic)
    sub.connect(args.subscribe or endpoint(args.transport, "chat-broadcast", 5571))
    while not sub.poll(3000):  # the XPUB greets us once our subscriptions are in place
        say("-- still waiting for the server (is it running? the right --curve key?)")
    sub.recv_multipart()  # *WELCOME

    identity = os.urandom(16)
    identity = b"\1" + identity[1:] if identity[0] == 0 else identity  # a leading zero byte is libzmq's
    dealer, heard, sent, waiting, joined, messages, bot = None, 0.0, 0.0, 0, False, 0, time.monotonic()

    def send(*frames):
        nonlocal sent, waiting
        dealer.send_multipart([f.encode() for f in frames])
        sent, waiting = time.monotonic(), waiting + 1

    def reopen():  # Lazy Pirate: a fresh socket, the same routing id: the server still knows us
        nonlocal dealer, heard, waiting
        if dealer:
            dealer.close(linger=0)
        dealer = ctx.socket(zmq.DEALER)
        dealer.routing_id, dealer.linger = identity, 0
        secure(dealer, args)
        dealer.connect(args.connect or endpoint(args.transport, "chat", 5570))
        heard, waiting = time.monotonic(), 0
        send("JOIN", args.handle)

    reopen()
    poller, stdin_open, pending = zmq.Poller(), True, b""
    poller.register(sub, zmq.POLLIN)
    poller.register(sys.stdin.fileno(), zmq.POLLIN)
    while True:
        poller.register(dealer, zmq.POLLIN)
        events = dict(poller.poll(100))
        if events.get(sys.stdin.fileno()) and stdin_open:
            chunk = os.read(sys.stdin.fileno(), 4096)
            stdin_open, lines = bool(chunk), (pending + chunk).split(b"\n")
            pending = lines.pop()
            for line in (l.decode("utf-8", "replace").rstrip("\r") for l in lines if l.strip()):
                if line == "/quit":
                    stdin_open = False
                elif line == "/who":
                    send("WHO")
                else:
                    send("SAY", args.room, line)
            if not stdin_open:
                poller.unregister(sys.stdin.fileno())
        while dealer.poll(0):
            reply, heard = dealer.recv_multipart(), time.monotonic()
            if reply == [b"PING"]:
                continue  # the server checking that we are still there
            waiting = max(0, waiting - 1)
            try:
                status, word, *values = (f.decode() for f in reply)
            except ValueError:
                say("W: dropped a malformed reply")
                continue
            if status == "OK" and word == "JOIN" and not joined:
                joined = True
                say(f"-- joined as {args.handle}")
            elif status == "OK" and word == "WHO":
                say("present:", ", ".join(values) or "nobody")
            elif status == "ERROR" and word == "JOIN" and values:
                sys.exit(f"E: cannot join as '{args.handle}': {values[0]}")
            elif status == "ERROR" and values and values[0].startswith("not joined"):
                say("-- the server forgot us: joining again")
                send("JOIN", args.handle)
            elif status == "ERROR":
                say(f"-- the server refused {word}: {values[0] if values else '?'}")
        while sub.poll(0):
            frames = sub.recv_multipart()
            if frames == [b"*WELCOME"]:
                continue  # again, after a reconnect
            try:
                topic, kind, handle, *text = (f.decode() for f in frames)
            except ValueError:  # too few frames, or not UTF-8
                say(f"W: dropped a malformed broadcast of {len(frames)} frames")
                continue
            if kind == "MSG" and topic == args.room and len(text) == 1:  # prefix match: check the room
                say(f"<{handle}> {text[0]}")
                messages += handle != args.handle
            elif topic == "*" and kind in ("JOINED", "LEFT", "EXPIRED") and not text:
                say(f"* {handle} {kind.lower()}")
            elif topic in ("*", args.room):
                say(f"W: dropped a malformed broadcast: {kind!r}")
        now = time.monotonic()
        if args.bot and joined and now - bot >= args.bot:
            send("SAY", args.room, f"hello from Python {sys.version.split()[0]} with pyzmq {zmq.__version__}")
            bot = now
        if now - heard > TIMEOUT:
            say(f"-- no reply from the server for {TIMEOUT:.0f} s: reconnecting")
            joined = False
            poller.unregister(dealer)
            reopen()
        elif now - sent >= HEARTBEAT:
            send("PING") if joined else send("JOIN", args.handle)
        if (args.count and messages >= args.count) or (not args.count and not args.bot and not stdin_open and waiting == 0 and joined):
            break
    if joined:
        send("LEAVE")
        dealer.poll(1000)  # its OK, or give up


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
