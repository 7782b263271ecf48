"""The runtime's own cost per warm invocation, and an invocation's round trip through the emulator.

Runtime overhead: the bench's Runtime API server hands `diagnostic-bootstrap` (the bootstrap's
handler plus test hooks, built for tests and the bench only) trivial events
(`diagnostic.context`, answered without Kafka) and times each from the moment the `next`
response was written to the moment the `/response` POST arrived. The reference is a plain
keep-alive HTTP round trip (request and response) from Python against the same server.
"""

import json
import re
import socket
import subprocess
import time

from common import LOOPBACK, BenchError, kill, now_ns, percentile

TRIVIAL_EVENT = {"action": "diagnostic.context"}


def summary(samples_us):
    return {"p50_us": percentile(samples_us, 0.50), "p99_us": percentile(samples_us, 0.99), "count": len(samples_us)}


def loopback_reference(port, path, count):
    """Keep-alive GET round trips, each from sending the request to holding the whole response.

    A raw socket rather than http.client: the client's own parsing would otherwise dominate
    the figure and hide the runtime's overhead.
    """
    request = f"GET {path} HTTP/1.1\r\nHost: {LOOPBACK}:{port}\r\n\r\n".encode()
    samples = []
    with socket.create_connection((LOOPBACK, port), timeout=10) as connection:
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(count):
            started = now_ns()
            connection.sendall(request)
            received = b""
            while True:
                head, separator, body = received.partition(b"\r\n\r\n")
                if separator:
                    match = re.search(rb"(?i)content-length: *(\d+)", head)
                    if match and len(body) >= int(match.group(1)):
                        break
                chunk = connection.recv(65536)
                if not chunk:
                    raise BenchError(f"GET {path}: connection closed")
                received += chunk
            samples.append((now_ns() - started) / 1e3)
            if not received.startswith(b"HTTP/1.1 200"):
                raise BenchError(f"GET {path} answered {received[:40]!r}")
    return samples


CHUNK = 100


def runtime_overhead(server, arguments, environment, count, warmup, log=None):
    """p50/p99 of the bootstrap's per-invocation time and of the loopback reference, in µs.

    Both are measured in alternating chunks of 100, so a change in the machine's load
    affects both alike.
    """
    server.reset()
    body = json.dumps(TRIVIAL_EVENT).encode()
    process = subprocess.Popen(arguments, env=environment, stdin=subprocess.DEVNULL,
                               stdout=log or subprocess.DEVNULL, stderr=log or subprocess.DEVNULL)
    ours, reference = [], []
    try:
        serve(server, [server.enqueue(f"warm-up-{index:05d}", body) for index in range(warmup)])
        for chunk in range(0, count, CHUNK):
            invocations = [server.enqueue(f"warm-{chunk + index:05d}", body) for index in range(min(CHUNK, count - chunk))]
            serve(server, invocations)
            ours += [(invocation.answered_ns - invocation.sent_ns) / 1e3 for invocation in invocations]
            reference += loopback_reference(server.port, "/bench/ping", len(invocations))
    finally:
        kill(process)
    return {"ours": summary(ours), "reference": summary(reference)}


def serve(server, invocations):
    """Waits (bounded) until the runtime answered every queued invocation without an error."""
    give_up = time.monotonic() + 60
    answered = 0
    while answered < len(invocations) and time.monotonic() < give_up:
        if server.wait_answer(timeout=5) is None:
            break
        answered += 1
    if answered < len(invocations):
        raise BenchError(f"the bootstrap answered {answered} of {len(invocations)} trivial invocations")
    failed = next((invocation for invocation in invocations if invocation.is_error), None)
    if failed is not None:
        raise BenchError(f"trivial invocation failed: {failed.answer[:300]!r}")


def emulator_round_trip(client, runtime_api_port, count, warmup):
    """p50/p99 of a trivial invocation through the emulator and of `GET /_emulator/status` (on its
    loopback Runtime API port), in µs, in alternating chunks of 100."""
    for _ in range(warmup):
        client.invoke_ok(TRIVIAL_EVENT)
    samples, reference = [], []
    for chunk in range(0, count, CHUNK):
        size = min(CHUNK, count - chunk)
        samples += [client.invoke_ok(TRIVIAL_EVENT)[1] / 1e3 for _ in range(size)]
        reference += loopback_reference(runtime_api_port, "/_emulator/status", size)
    return {"ours": summary(samples), "reference": summary(reference)}
