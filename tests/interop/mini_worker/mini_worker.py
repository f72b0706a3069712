#!/usr/bin/python3
"""A minimal bigpe sim worker in Python, written from schemas/README.md
alone: it registers with the broker (READY with its backend identity),
heartbeats, takes one TASK at a time, answers cached items from Redis,
scores the others with sim-v1, stores each record (SET NX) before it sends
RESULT, and leaves with DISCONNECT on SIGTERM. It draws no images
(image_uri is empty), as a C++ worker without --artifacts.

It is strict where the README lets a worker be: a task that names another
identity, an option it does not know, or an item whose key is not the
README's hash of its render spec is answered with an error RESULT.

Needs Debian's python3-zmq and python3-msgpack.
    mini_worker.py --broker tcp://127.0.0.1:5556 --redis redis://127.0.0.1:6379 \
        --service sim --vocabulary experiments/data/sim_vocabulary.txt
"""
import argparse
import os
import signal
import socket
import sys
import time

import msgpack
import zmq

import render_spec
import resp
import sim_v1

HEADER = b"BIGPE/1"
HEARTBEAT_S = 1.0  # schemas/protocol.h: heartbeat interval
LIVENESS = 5       # missed heartbeats before the broker counts as gone
OPTIONS = {"sim.taste_seed"}


class Refusal(ValueError):
    """A task refused by rule: every attempt would fail alike (RESULT.permanent)."""


def log(msg):
    print("mini_worker: " + msg, file=sys.stderr, flush=True)


def pack(obj):
    return msgpack.Packer(use_bin_type=True, unicode_errors="surrogateescape").pack(obj)


def unpack_body(data, name):
    m = msgpack.unpackb(data, raw=False, unicode_errors="surrogateescape", strict_map_key=False)
    if not isinstance(m, dict):
        raise ValueError("%s: body is not a map" % name)
    if not isinstance(m.get("v"), int) or m["v"] > 1:
        raise ValueError("%s.v: missing or newer than 1" % name)
    return m


class MiniWorker:
    def __init__(self, args):
        self.args = args
        self.vocab = sim_v1.Vocabulary(args.vocabulary)
        self.identity = sim_v1.identity(self.vocab)
        self.redis = resp.Redis(args.redis)
        self.ctx = zmq.Context()
        self.sock = None
        self.stopping = False

    # --- the wire --------------------------------------------------------
    def send(self, command, body):
        body.setdefault("v", 1)
        self.sock.send_multipart([HEADER, command.encode(), pack(body)])

    def connect(self):
        if self.sock is not None:
            self.sock.close(0)
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.setsockopt(zmq.ROUTING_ID, self.args.worker_id.encode())
        self.sock.connect(self.args.broker)
        self.ready()

    def ready(self):
        self.send("READY", {"service": self.args.service, "slots": 1, "worker_id": self.args.worker_id,
                            "host": socket.gethostname(), "device": "cpu", "identity": self.identity})
        self.awaiting_ack = True  # DISCONNECTs that answer what we sent before READY are ignored
        self.broker_id = None
        self.last_heard = time.monotonic()
        log("READY (identity %s)" % self.identity)

    def serve(self):
        self.connect()
        next_heartbeat = time.monotonic() + HEARTBEAT_S
        while not self.stopping:
            wait_ms = max(0, int((next_heartbeat - time.monotonic()) * 1000))
            if self.sock.poll(wait_ms):
                self.on_message(self.sock.recv_multipart())
            now = time.monotonic()
            if now - self.last_heard > HEARTBEAT_S * LIVENESS:
                log("broker silent: reconnecting")
                self.connect()
            if now >= next_heartbeat:
                self.send("HEARTBEAT", {"sender": self.args.worker_id})
                next_heartbeat = now + HEARTBEAT_S
        self.send("DISCONNECT", {"reason": "worker stopping"})
        self.sock.close(200)

    def on_message(self, frames):
        if len(frames) != 3 or frames[0] != HEADER:
            log("dropping a message of %d frames (not BIGPE/1)" % len(frames))
            return
        command = frames[1].decode(errors="replace")
        if command == "DISCONNECT" and self.awaiting_ack:
            return
        self.last_heard = time.monotonic()
        self.awaiting_ack = command == "DISCONNECT"
        try:
            body = unpack_body(frames[2], command)
        except Exception as e:  # a malformed message never takes the worker down
            log("dropping malformed %s: %s" % (command, e))
            return
        if command == "HEARTBEAT":
            sender = body.get("sender", "")
            if self.broker_id and sender and sender != self.broker_id:
                log("broker restarted: READY again")
                self.ready()
            self.broker_id = sender or self.broker_id
        elif command == "DISCONNECT":
            log("DISCONNECT (%s): READY again" % body.get("reason", ""))
            self.ready()
        elif command == "TASK":
            self.send("RESULT", self.run_task(body))
        else:
            log("dropping unexpected %s" % command)

    # --- one task ----------------------------------------------------------
    def run_task(self, task):
        task_id = task.get("task_id", "")
        reply = {"task_id": task_id, "attempt": task.get("attempt", 1), "error": "", "body": b""}
        try:
            reply["body"] = pack(self.execute(task_id, unpack_body(task["body"], "RenderTask")))
        except Exception as e:
            reply["error"] = str(e)
            reply["permanent"] = isinstance(e, Refusal)
            log("task %s failed: %s" % (task_id, e))
        return reply

    def execute(self, task_id, rt):
        if rt.get("identity", "") != self.identity:
            raise ValueError("task needs backend identity '%s', this worker's is '%s'" %
                             (rt.get("identity", ""), self.identity))
        options = (rt.get("params") or {}).get("options") or {}
        for name in sorted(options):
            if name not in OPTIONS and not name.startswith("cache."):
                raise Refusal("unknown render option '%s' (this worker reads %s and cache.*)" %
                              (name, ", ".join(sorted(OPTIONS))))
        taste = int(options.get("sim.taste_seed", "0"))
        items = rt["items"]
        for i, item in enumerate(items):
            if render_spec.result_key(rt, item) != item["key"]:
                raise ValueError("items[%d].key is not the hash of its render spec" % i)

        out, records = [], []
        for item in items:
            cached = self.cached(item["key"])
            if cached is not None:
                out.append({"key": item["key"], "score": cached["score"], "image_uri": cached.get("image_uri", ""),
                            "render_ms": cached.get("render_ms", 0.0), "score_ms": cached.get("score_ms", 0.0),
                            "cached": True})
                continue
            t0 = time.monotonic()
            s = sim_v1.score(self.vocab, item["prompt"], item["score_text"], item["seed"], taste)
            ms = (time.monotonic() - t0) * 1000.0
            out.append({"key": item["key"], "score": s, "image_uri": "", "render_ms": 0.0, "score_ms": ms,
                        "cached": False})
            records.append({"v": 1, "key": item["key"], "score": s, "image_uri": "", "render_ms": 0.0,
                            "score_ms": ms, "worker_id": self.args.worker_id, "task_id": task_id,
                            "service": rt["service"], "identity": self.identity, "prompt": item["prompt"],
                            "score_text": item["score_text"], "seed": item["seed"], "created_at": time.time()})
        self.store(records)  # before the reply, always
        return {"v": 1, "task_id": task_id, "worker_id": self.args.worker_id, "items": out}

    def cached(self, key):
        data = self.redis.command("GET", "bigpe:result:" + key)
        if data is None:
            return None
        try:
            return unpack_body(data, "ResultRecord")  # no v, or not a map: render again
        except Exception as e:
            log("ignoring undecodable record %s: %s" % (key, e))
            return None

    def store(self, records):
        stored = duplicates = 0
        for r in records:
            if self.redis.command("SET", "bigpe:result:" + r["key"], pack(r), "NX") is None:
                duplicates += 1
            else:
                stored += 1
        if records:
            self.redis.command("HINCRBY", "bigpe:stats:renders", self.args.worker_id, len(records))
        if stored:
            self.redis.command("INCRBY", "bigpe:stats:stored", stored)
        if duplicates:
            self.redis.command("INCRBY", "bigpe:stats:duplicates", duplicates)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--broker", required=True)
    p.add_argument("--redis", required=True)
    p.add_argument("--service", action="append", required=True)
    p.add_argument("--worker-id", default="mini-%d" % os.getpid())
    p.add_argument("--vocabulary", required=True)
    worker = MiniWorker(p.parse_args())

    def stop(signum, frame):
        worker.stopping = True
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    worker.serve()
    log("stopped")


if __name__ == "__main__":
    main()
