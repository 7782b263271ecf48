"""Cold start: process start to the first `next`, and to the first answered produce invocation.

The bench's own Runtime API server queues a one-record produce event before the runtime is
spawned; the clock starts just before spawning. Each run is a fresh process, killed once it
has answered.
"""

import json
import subprocess

from common import BenchError, kill, median, now_ns, wait_until


def measure(server, arguments, environment, topic, runs, cwd=None, log=None):
    """Returns {"first_next_ms": [...], "first_produce_ms": [...]} over `runs` fresh processes."""
    first_next, first_produce = [], []
    for run in range(runs):
        server.reset()
        invocation = server.enqueue(f"cold-{run:04d}", json.dumps(
            {"action": "produce", "topic": topic, "records": [{"value": f"cold start {run}"}]}).encode())
        started = now_ns()
        process = subprocess.Popen(arguments, env=environment, cwd=cwd, stdin=subprocess.DEVNULL,
                                   stdout=log or subprocess.DEVNULL, stderr=log or subprocess.DEVNULL)
        try:
            wait_until(lambda: server.first_next_ns or process.poll() is not None, 20, "the first next")
            if server.first_next_ns is None:
                raise BenchError(f"{arguments[0]} exited with {process.returncode} before its first next")
            answered = server.wait_answer(timeout=30)
            if answered is not invocation:
                raise BenchError(f"{arguments[0]} did not answer the cold produce (init error: {server.init_error!r})")
            if answered.is_error:
                raise BenchError(f"cold produce failed: {answered.answer[:300]!r}")
        finally:
            kill(process)
        first_next.append((server.first_next_ns - started) / 1e6)
        first_produce.append((answered.answered_ns - started) / 1e6)
    return {"first_next_ms": first_next, "first_produce_ms": first_produce,
            "median_first_next_ms": median(first_next), "median_first_produce_ms": median(first_produce)}
