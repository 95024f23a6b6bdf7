#!/usr/bin/python3
"""workflow-sink in Python: PULL binds results (tcp://*:5561), PUSH connects the ventilator's feedback (:5562),
SUB its END (:5563). Counts each task once, says DONE, passes HELLO and BYE on, prints the total.

Frames from ../README.md: RESULT [48 bytes]; HELLO [u64 id] [name]; DONE [u64 batch, u32 ids...];
END [u64 batch, u32 waiting]; BYE [u64 batch, u64 id]. Little-endian, fixed width."""
import argparse, os, signal, struct, sys, time
import zmq

RESULT = struct.Struct("<QIIQqqQ")  # batch id count worker value analytic variance
END, BYE = struct.Struct("<QI"), struct.Struct("<QQ")


def ipc_folder():  # as in common/src/endpoint.cpp: BB_IPC_DIR, else a folder of this user's own
    env = os.environ.get
    run = env("XDG_RUNTIME_DIR") and env("XDG_RUNTIME_DIR") + "/beyond-the-box"
    return env("BB_IPC_DIR") or run or f"{env('TMPDIR') or '/tmp'}/beyond-the-box-{os.geteuid()}"


def endpoint(transport, service, port, bind=False):
    if transport == "ipc":
        os.makedirs(ipc_folder(), mode=0o700, exist_ok=True)  # private, as the C++ programs make it
        return f"ipc://{ipc_folder()}/{service}"
    return f"tcp://{'*' if bind else '127.0.0.1'}:{port + int(os.environ.get('BB_PORT_OFFSET') or 0)}"


def micros(v):
    return f"{'-' if v < 0 else ''}{abs(v) // 1_000_000}.{abs(v) % 1_000_000:06d}"


def main():
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("-t", "--transport", choices=["tcp", "ipc"], default="tcp")
    cli.add_argument("--results"), cli.add_argument("--feedback"), cli.add_argument("--control")
    args = cli.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    ctx = zmq.Context.instance()
    results, feedback, control = ctx.socket(zmq.PULL), ctx.socket(zmq.PUSH), ctx.socket(zmq.SUB)
    results.bind(args.results or endpoint(args.transport, "workflow-results", 5561, bind=True))
    feedback.connect(args.feedback or endpoint(args.transport, "workflow-feedback", 5562))
    control.subscribe(b"END")
    control.connect(args.control or endpoint(args.transport, "workflow-control", 5563))
    print(f"[workflow_sink.py] results on {results.last_endpoint.decode()}", flush=True)

    def relay(frames):  # never wait: a lost DONE only means the task is sent again
        try:
            feedback.send_multipart(frames, zmq.NOBLOCK)
        except zmq.Again:
            pass

    batch, counted, total, analytic, names, by_worker, pending = 0, None, 0, 0, {}, {}, []
    poller = zmq.Poller()
    poller.register(results, zmq.POLLIN), poller.register(control, zmq.POLLIN)
    while True:
        ready = dict(poller.poll(2 if pending else 1000))
        if results in ready:
            frames = results.recv_multipart()
            kind = frames[0]
            if kind == b"RESULT" and len(frames) == 2 and len(frames[1]) == RESULT.size:
                b, id_, count, worker, value, bs, _ = RESULT.unpack(frames[1])
                if b > batch:  # a newer batch (a restarted ventilator): start over
                    batch, counted, total, analytic, by_worker = b, [False] * count, 0, 0, {}
                    print(f"[workflow_sink.py] batch of {count} tasks: first result in", flush=True)
                if b < batch or count != len(counted) or id_ >= count:
                    print(f"[workflow_sink.py] W: ignored a result for task {id_} of batch {b}", flush=True)
                    continue
                pending.append(id_)  # DONE again for a duplicate: its first DONE may have been lost
                if not counted[id_]:
                    counted[id_], total, analytic = True, total + value, analytic + bs
                    by_worker[worker] = by_worker.get(worker, 0) + 1
            elif kind == b"HELLO" and len(frames) == 3 and len(frames[1]) == 8 and 1 <= len(frames[2]) <= 64:
                names[frames[1]] = frames[2].decode(errors="replace")
                relay(frames)
            elif kind == b"BYE" and len(frames) == 2 and len(frames[1]) == BYE.size and BYE.unpack(frames[1])[1] != 0:
                relay(frames)
            else:
                print(f"[workflow_sink.py] W: dropped a malformed message of {len(frames)} frames", flush=True)
        if pending and (not ready or len(pending) >= 1024):
            relay([b"DONE", struct.pack(f"<Q{len(pending)}I", batch, *pending)])
            pending = []
        if control in ready:
            frames = control.recv_multipart()
            if len(frames) != 2 or len(frames[1]) != END.size:
                print("[workflow_sink.py] W: dropped a malformed END", flush=True)
                continue
            end_batch, waiting = END.unpack(frames[1])
            if end_batch >= batch and waiting == 0:  # every worker said BYE: the sink's own, last
                relay([b"BYE", BYE.pack(end_batch, 0)])
                break
    feedback.close(linger=200)
    done = sum(counted or [])
    who = ", ".join(f"{names.get(struct.pack('<Q', w), w)} {n}" for w, n in sorted(by_worker.items()))
    print(f"[workflow_sink.py] tasks by worker: {who}", flush=True)
    print(f"[workflow_sink.py] portfolio value {micros(total)} (Monte Carlo; Black-Scholes {micros(analytic)})", flush=True)
    if end_batch != batch or done != len(counted):
        print(f"[workflow_sink.py] E: partial result: {done} of {len(counted or [])} tasks counted", flush=True)
        return 3


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        pass
