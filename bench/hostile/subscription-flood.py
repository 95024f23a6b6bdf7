#!/usr/bin/python3
# Usage: subscription-flood.py PID ENDPOINT GOOD_TOPIC N SIZE (tcp only; system python3-zmq)
# e.g. ticker-pub --bind tcp://127.0.0.1:5556 --rate 200 & bench/hostile/subscription-flood.py $! tcp://127.0.0.1:5556 "" 200000 200
# Subscription flood: N subscriptions of SIZE bytes from one raw ZMTP peer to
# ENDPOINT; reports the server's RSS peak (/proc) and the longest gap a good
# subscriber (topic GOOD) saw between messages during the flood.
import os, socket, struct, sys, threading, time, random, zmq
pid, endpoint, good = int(sys.argv[1]), sys.argv[2], sys.argv[3]
n, size = int(sys.argv[4]), int(sys.argv[5])
def rss():
    try:
        for l in open(f"/proc/{pid}/status"):
            if l.startswith("VmRSS"): return int(l.split()[1])
    except FileNotFoundError: return -1
    return 0
ctx = zmq.Context()
sub = ctx.socket(zmq.SUB); sub.setsockopt(zmq.SUBSCRIBE, good.encode()); sub.connect(endpoint)
sub.recv_multipart()  # served before the flood
gap = [0.0]; stop = [False]
def watch():
    last = time.monotonic()
    p = zmq.Poller(); p.register(sub, zmq.POLLIN)
    while not stop[0]:
        if p.poll(100):
            while True:
                try: sub.recv_multipart(zmq.NOBLOCK)
                except zmq.Again: break
            now = time.monotonic(); gap[0] = max(gap[0], now - last); last = now
        else:
            gap[0] = max(gap[0], time.monotonic() - last)
t = threading.Thread(target=watch); t.start()
peak = [rss()]; done = [False]
def sample():
    while not done[0]:
        peak[0] = max(peak[0], rss()); time.sleep(0.05)
s2 = threading.Thread(target=sample); s2.start()
host, port = endpoint[6:].rsplit(":", 1)
s = socket.create_connection((host, int(port)))
greet = b"\xff" + b"\0"*8 + b"\x7f" + b"\x03\x00" + b"NULL".ljust(20, b"\0") + b"\0"*32
body = b"\x05READY\x0bSocket-Type" + struct.pack(">I", 3) + b"SUB"
s.sendall(greet + b"\x04" + bytes([len(body)]) + body)
# libzmq takes a message that arrives before it sent its own READY as a broken
# handshake: wait for the server's READY first.
got = b""
while b"READY" not in got:
    chunk = s.recv(4096)
    if not chunk: sys.exit("the server closed the connection during the handshake")
    got += chunk
start = time.monotonic(); sent = 0
try:
    batch = []
    for i in range(n):
        topic = b"\x01" + ("%08d" % i).encode() + random.randbytes((size - 9) // 2).hex().encode()[: size - 9]
        batch.append((b"\x02" + struct.pack(">Q", len(topic)) if len(topic) > 255 else b"\x00" + bytes([len(topic)])) + topic)
        if len(batch) == 1000:
            s.sendall(b"".join(batch)); sent += len(batch); batch = []
    s.sendall(b"".join(batch)); sent += len(batch)
except OSError as e:
    print("flooder cut off after", sent, "subscriptions:", e)
flood_s = time.monotonic() - start
time.sleep(3)  # let the server digest it, good subscriber still watching
s.close(); time.sleep(2)
stop[0] = True; done[0] = True; t.join(); s2.join()
print(f"sent {sent} x {size} B in {flood_s:.1f} s; RSS peak {peak[0]/1024:.0f} MB, after flooder left {rss()/1024:.0f} MB; longest gap {gap[0]:.2f} s")
