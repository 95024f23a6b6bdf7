#!/usr/bin/env python3
"""Writes the seed corpus, fuzz/corpus/<target>/<name>: well-formed messages from
the examples' frame tables (their READMEs) and the malformed cases of their
tests. Multipart messages use fuzz.hpp's framing: [u16 LE size][bytes] per frame.
Run it again after changing a table; scripts/fuzz --minimise keeps what adds coverage."""
import os
import struct
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def b(x):
    return x.encode() if isinstance(x, str) else x


def frames(*fs):
    return b"".join(struct.pack("<H", len(b(f))) + b(f) for f in fs)


def quote(seq=1, time_ns=1_700_000_000_000_000_000, price=187.25, open_=185.0, bid=187.2, ask=187.3, volume=100):
    return struct.pack("<Qqddddq", seq, time_ns, price, open_, bid, ask, volume)


def state(seq=7, time_ns=1, last=187.25, bid=187.2, ask=187.3, open_=185.0, high=188.0, low=184.0, ticks=7, volume=700):
    return struct.pack("<QqddddddQQ", seq, time_ns, last, bid, ask, open_, high, low, ticks, volume)


NAN = struct.pack("<d", float("nan"))
INF = struct.pack("<d", float("inf"))

seeds = {
    "tick": {
        "aapl": frames("AAPL", quote()),
        "symbol-16": frames("A" * 16, quote()),
        "symbol-17": frames("A" * 17, quote()),
        "empty-symbol": frames("", quote()),
        "nul-symbol": frames("AA\0L", quote()),
        "bad-utf8": frames(b"\xc3\x28", quote()),
        "short-quote": frames("AAPL", quote()[:55]),
        "long-quote": frames("AAPL", quote() + b"\0"),
        "nan-price": frames("AAPL", quote()[:16] + NAN + quote()[24:]),
        "inf-ask": frames("AAPL", quote()[:40] + INF + quote()[48:]),
        "three-frames": frames("AAPL", quote(), "x"),
        "one-frame": frames("AAPL"),
    },
    "workflow": {
        # TASK: u64 batch, u32 id, u32 count, u64 seed, u32 paths, i32 quantity, u32 kind, 5 x f64
        "task": frames("TASK", struct.pack("<QIIQIiIddddd", 1, 0, 10, 42, 1000, 100, 0, 100.0, 105.0, 0.25, 0.03, 1.0)),
        "task-put": frames("TASK", struct.pack("<QIIQIiIddddd", 1, 3, 10, 42, 1000, -50, 1, 100.0, 95.0, 0.2, 0.01, 0.5)),
        "task-id-past-count": frames("TASK", struct.pack("<QIIQIiIddddd", 1, 10, 10, 42, 1000, 100, 0, 100.0, 105.0, 0.25, 0.03, 1.0)),
        "task-bad-kind": frames("TASK", struct.pack("<QIIQIiIddddd", 1, 0, 10, 42, 1000, 100, 7, 100.0, 105.0, 0.25, 0.03, 1.0)),
        "task-nan": frames("TASK", struct.pack("<QIIQIiI", 1, 0, 10, 42, 1000, 100, 0) + NAN * 5),
        "task-short": frames("TASK", b"\0" * 75),
        "result": frames("RESULT", struct.pack("<QIIQqqQ", 1, 0, 10, 99, 1_000_000, 999_000, 5)),
        "result-count-0": frames("RESULT", struct.pack("<QIIQqqQ", 1, 0, 0, 99, 1, 1, 1)),
        "hello": frames("HELLO", struct.pack("<Q", 12345), "worker-1"),
        "hello-long-name": frames("HELLO", struct.pack("<Q", 1), "w" * 65),
        "done": frames("DONE", struct.pack("<QIII", 1, 0, 1, 2)),
        "done-empty": frames("DONE", struct.pack("<Q", 1)),
        "done-ragged": frames("DONE", struct.pack("<QI", 1, 0) + b"\0\0"),
        "end": frames("END", struct.pack("<QI", 1, 2)),
        "end-old-8-bytes": frames("END", struct.pack("<Q", 1)),
        "bye": frames("BYE", struct.pack("<QQ", 1, 3)),
        "bye-sink": frames("BYE", struct.pack("<QQ", 1, 0)),
        "wrong-type": frames("TASKS", b"\0" * 76),
        "no-frames": b"",
    },
    "chat_protocol": {
        "join": frames("JOIN", "alice"),
        "join-bad-handle": frames("JOIN", "al ice"),
        "join-long-handle": frames("JOIN", "a" * 25),
        "say": frames("SAY", "lobby", "hello, world"),
        "say-escape": frames("SAY", "lobby", "\x1b[31mred"),
        "say-del": frames("SAY", "lobby", "a\x7f"),
        "say-bad-utf8": frames("SAY", "lobby", b"\xed\xa0\x80"),
        "say-two-frames": frames("SAY", "lobby"),
        "who": frames("WHO"),
        "leave": frames("LEAVE"),
        "ping": frames("PING"),
        "unknown": frames("DANCE"),
        "ok-who": frames("OK", "WHO", "alice", "bob"),
        "error-join": frames("ERROR", "JOIN", "handle 'alice' is taken"),
        "error-no-reason": frames("ERROR", "JOIN"),
        "msg": frames("lobby", "MSG", "alice", "hi"),
        "joined": frames("*", "JOINED", "alice"),
        "expired": frames("*", "EXPIRED", "bob"),
        "presence-extra": frames("*", "LEFT", "bob", "x"),
        "msg-bad-room": frames("lob by", "MSG", "alice", "hi"),
        "welcome": frames("*WELCOME"),
    },
    "chat_gateway": {
        "two-lines": b"\x1f\x03alice\r\nhello there\n/who\n/quit\n",
        "long-line": b"\x07\x05" + b"x" * 40 + b"\nshort\n",
        "unfinished": b"\x1f\x00partial line without end",
        "utf8": "\x1f\x02h\u00e9llo \u20ac \U0001F600\n".encode(),
        "bad-utf8": b"\x1f\x01\xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xe0\x80\xaf \xc3\n\xe2\x82\n",
        "empty-lines": b"\x1f\x00\n\n\r\n\r\r\n",
    },
    "chat_zap": {
        "plain-ok": frames("alice:secret\n# comment\nbob:pw\n", "", "1.0", "1", "chat", "127.0.0.1", "", "PLAIN", "alice", "secret"),
        "plain-wrong": frames("alice:secret\n", "", "1.0", "2", "chat", "127.0.0.1", "", "PLAIN", "alice", "nope"),
        "plain-prefix": frames("alice:secret\n", "", "1.0", "3", "chat", "127.0.0.1", "", "PLAIN", "ali", "ce:secret"),
        "plain-crlf": frames("bob:pw\r\n", "", "1.0", "4", "chat", "127.0.0.1", "", "PLAIN", "bob", "pw"),
        "plain-short": frames("alice:secret\n", "", "1.0", "5", "chat", "127.0.0.1", "", "PLAIN", "alice"),
        "curve-ok": frames("", "# alice\nYne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID\n", "1.0", "6", "chat", "127.0.0.1", "", "CURVE",
                           bytes.fromhex("BB88471D65E2659B30C55A5321CEBB5AAB2B70A398645C26DCA2B2FCB43FC518")),
        "curve-unknown": frames("", "# alice\nrq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\n", "1.0", "7", "chat", "127.0.0.1", "", "CURVE",
                                b"\1" * 32),
        "curve-short-key": frames("", "", "1.0", "8", "chat", "127.0.0.1", "", "CURVE", b"\1" * 31),
        "null": frames("", "", "1.0", "9", "chat", "127.0.0.1", "", "NULL"),
        "version-2": frames("", "", "2.0", "10", "chat", "127.0.0.1", "", "PLAIN", "a", "b"),
        "too-few": frames("", "", "1.0", "11"),
    },
    "chat_keyfile": {
        "key": b"# CURVE secret key of 'alice' (Z85). Keep it private.\nJTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6\n",
        "key-crlf": b"# key\r\nJTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6\r\n",
        "two-keys": b"JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6\nrq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\n",
        "short": b"JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh\n",
        "not-z85": b"JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{L\"6\n",
        "comments-only": b"# nothing\n#\n",
        "empty": b"",
    },
    "query_parse": {
        "last": b"LAST AAPL",
        "stats": b"stats AAPL 20",
        "stats-all": b"STATS MSFT",
        "history": b"HISTORY AAPL 10",
        "history-0": b"HISTORY AAPL 0",
        "history-1001": b"HISTORY AAPL 1001",
        "top": b"TOP 3 GAINERS",
        "top-losers": b"top 5 losers",
        "top-what": b"TOP 5 WINNERS",
        "symbols": b"SYMBOLS",
        "snapshot": b"SNAPSHOT AAPL",
        "watch": b"WATCH AAPL > 187.5 mytoken",
        "watch-below": b"WATCH AAPL < 1e2",
        "watch-nan": b"WATCH AAPL > nan",
        "watch-negative": b"WATCH AAPL > -1",
        "help": b"HELP",
        "extra": b"LAST AAPL MSFT",
        "long-symbol": b"LAST AAAAAAAAAAAAAAAAA",
        "control": b"LAST AA\tPL",
        "spaces": b"   LAST    AAPL   ",
        "field": b"price=187.25 bid=187.2 ask=187.3 seq=12",
        "too-long": b"LAST " + b"A" * 252,
    },
    "query_frames": {
        "state": frames(state()),
        "state-nan": frames(state()[:16] + NAN + state()[24:]),
        "reply-ok": frames("OK", "price=187.25 bid=187.2 ask=187.3 seq=7"),
        "reply-err": frames("ERR", "column 6: expected a symbol"),
        "reply-snapshot": frames("OK", "AAPL seq=7", "AAPL", state()),
        "reply-snapshot-bad": frames("OK", "AAPL seq=7", "", state()[:79]),
        "reply-three": frames("OK", "x", "AAPL"),
        "reply-bad-utf8": frames("OK", b"\xff"),
        "update": frames("sym:AAPL", quote()),
        "update-bad-quote": frames("sym:AAPL", quote()[:50]),
        "update-empty-symbol": frames("sym:", quote()),
        "watch": frames("watch:tok", "AAPL > 187.5", "AAPL", quote(price=188.0)),
        "watch-three": frames("watch:tok", "AAPL > 187.5", "AAPL"),
        "unknown-topic": frames("tick:AAPL", quote()),
    },
    "desk_events": {
        "tick": frames("tick", "AAPL", "187.20", "185.00"),
        "chat": frames("chat", "alice", 'say "hi"\\ \n\x01'),
        "presence": frames("presence", "joined", "alice"),
        "notice": frames("notice", "joined as desk"),
        "order-queued": frames("order-queued", "1", "100"),
        "order-started": frames("order-started", "1", "100"),
        "order-progress": frames("order-progress", "1", "50", "100"),
        "order-done": frames("order-done", "1", "12345.67", "12340.00", "1.5"),
        "order-failed": frames("order-failed", "2", "no workers"),
        "answer": frames("answer", "3", "ok", "price=187.25", "LAST AAPL"),
        "unknown": frames("trade", "AAPL"),
        "too-few": frames("tick", "AAPL"),
        "bad-utf8": frames("notice", b"\xc3"),
        "too-long": frames("notice", "x" * 4097),
    },
    "desk_requests": {
        "say": frames("say", "hello everyone"),
        "say-command": frames("say", "/who"),
        "say-control": frames("say", "a\x07b"),
        "say-empty": frames("say", ""),
        "say-long": frames("say", "x" * 1025),
        "order": frames("order", "100"),
        "order-0": frames("order", "0"),
        "order-10001": frames("order", "10001"),
        "order-text": frames("order", "lots"),
        "order-zeros": frames("order", "0099"),
        "query": frames("query", "LAST AAPL"),
        "query-bad-utf8": frames("query", b"\xe2\x82"),
        "unknown": frames("sell", "AAPL"),
        "unknown-quote": frames('x"\\\x01', ""),
        "three": frames("say", "a", "b"),
        "alone": frames("say"),
    },
}

only = sys.argv[1:]
for target, files in seeds.items():
    if only and target not in only:
        continue
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    print(f"{target}: {len(files)} seeds")
