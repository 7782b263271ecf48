"""The REST Proxy v2 routes through the local gateway (`lambda-emulator --api-gateway`), timed with
curl's own `%{time_total}` next to what they stand beside:

- `POST /topics/{t}` (binary format) of 1 and 100 records, next to the direct produce event of the
  same records through the same emulator's Invoke API;
- `GET /consumers/{g}/instances/{i}/records` of 100 records (an instance subscribed to the topic),
  next to the function's own group consume route `GET /topics/{t}/records?group_id=...` of the
  same 100 records through the same gateway: the difference is the consumer-instance state's price
  (reading the state topic's tail, writing the new positions before the answer).

Before each read pair, 100 new records are produced to the topic (not timed), so both read the
same 100 records.
"""

import base64
import json
import os
import re
import subprocess

from common import BenchError, file_line_matching, wait_until
from services import Emulator
from user_path import curl as invoke_curl, summary, write_event

GROUP = "api-bench-rest"
INSTANCE = "bench"


class GatewayEmulator(Emulator):
    """An emulator that also runs the local API gateway; `gateway_port` is its HTTP port."""

    def __init__(self, binary, function_arguments, environment, log_path):
        super().__init__(binary, function_arguments, environment, log_path, options=("--api-gateway", "0"))
        line = wait_until(lambda: file_line_matching(log_path, r"api gateway: http://"), 20, "the local gateway")
        match = re.search(r"http://[0-9.]+:(\d+)/", line)
        if not match:
            raise BenchError(f"lambda-emulator: {line}")
        self.gateway_port = int(match.group(1))


def http(port, method, path, body=None, headers=(), answer_path="/dev/null"):
    """One plain curl request to the gateway; returns (status, body bytes, seconds by curl's clock)."""
    arguments = ["curl", "-sS", "-o", answer_path, "-w", "%{http_code} %{time_total}", "-X", method]
    for header in headers:
        arguments += ["-H", header]
    if body is not None:
        arguments += ["--data-binary", body]
    completed = subprocess.run(arguments + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, timeout=120)
    if completed.returncode != 0:
        raise BenchError(f"curl exited with {completed.returncode}: {completed.stderr.strip()[-300:]}")
    status, seconds = completed.stdout.split()
    data = b""
    if answer_path != "/dev/null":
        with open(answer_path, "rb") as handle:
            data = handle.read()
    return int(status), data, float(seconds)


def binary_body(count, value_bytes, partition=None):
    value = base64.b64encode(("x" * value_bytes).encode()).decode()
    record = {"value": value} if partition is None else {"value": value, "partition": partition}
    return json.dumps({"records": [record] * count}, separators=(",", ":"))


def produce(emulator, scratch, topic, count, value_bytes, runs):
    """REST produce and the direct produce event of `count` records, in turns."""
    body = binary_body(count, value_bytes)
    event = write_event(scratch, f"rest-direct-produce-{count}", {
        "action": "produce", "topic": topic, "records": [{"value": "x" * value_bytes}] * count})
    answer_path = os.path.join(scratch, "rest-answer.json")
    rest, direct = [], []
    for _ in range(runs):
        status, data, seconds = http(emulator.gateway_port, "POST", f"/topics/{topic}", body,
                                     ["Content-Type: application/vnd.kafka.binary.v2+json"], answer_path)
        offsets = json.loads(data).get("offsets", []) if status == 200 else []
        if status != 200 or len(offsets) != count or any(entry.get("error_code") for entry in offsets):
            raise BenchError(f"REST produce answered {status}: {data[:300]!r}")
        rest.append(seconds)
        answer, seconds = invoke_curl(emulator.port, event, answer_path)
        if answer.get("delivered") != count:
            raise BenchError(f"direct produce delivered {answer.get('delivered')} of {count}")
        direct.append(seconds)
    return {"rest": summary(rest), "direct": summary(direct)}


def read(emulator, scratch, topic, count, value_bytes, runs):
    """An instance's records read and the group consume route of the same `count` new records, in turns."""
    port = emulator.gateway_port
    v2 = "Content-Type: application/vnd.kafka.v2+json"
    base = f"/consumers/{GROUP}/instances/{INSTANCE}"
    answer_path = os.path.join(scratch, "rest-answer.json")
    status, data, _ = http(port, "POST", f"/consumers/{GROUP}", json.dumps({"name": INSTANCE, "format": "binary"}),
                           [v2], answer_path)
    if status != 200:
        raise BenchError(f"creating the consumer instance answered {status}: {data[:300]!r}")
    status, data, _ = http(port, "POST", f"{base}/subscription", json.dumps({"topics": [topic]}), [v2], answer_path)
    if status != 204:
        raise BenchError(f"subscribing answered {status}: {data[:300]!r}")
    fill = write_event(scratch, "rest-fill", {
        "action": "produce", "topic": topic, "records": [{"value": "x" * value_bytes}] * count})
    group_path = f"/topics/{topic}/records?group_id={GROUP}-route&from=beginning&max_records={count}&timeout_ms=20000"
    rest, group = [], []
    for index in range(runs + 1):
        invoke_curl(emulator.port, fill, answer_path)
        status, data, rest_seconds = http(port, "GET", f"{base}/records",
                                          headers=["Accept: application/vnd.kafka.binary.v2+json"], answer_path=answer_path)
        got = len(json.loads(data)) if status == 200 else -1
        status_group, data_group, group_seconds = http(port, "GET", group_path, answer_path=answer_path)
        got_group = json.loads(data_group).get("count") if status_group == 200 else -1
        if index == 0:
            continue  # the first pair also reads the records written before the instance existed
        if got != count or got_group != count:
            raise BenchError(f"read {got} (instance, {data[:200]!r}) and {got_group} (group route, {data_group[:200]!r}) "
                             f"records, expected {count}")
        rest.append(rest_seconds)
        group.append(group_seconds)
    http(port, "DELETE", base)
    return {"rest": summary(rest), "group": summary(group)}


def main():
    """`scripts/bench.d/rest_proxy.py BIN_DIR`: this step alone, with binaries already built in
    BIN_DIR (the deployment build: `swift build -c release --static-swift-stdlib`), on a cluster of
    its own like scripts/bench's (3 brokers, 4 partitions), with scripts/bench's run counts."""
    import sys
    import tempfile

    from common import lambda_environment
    from services import LocalCluster

    bin_dir = sys.argv[1]
    logs = tempfile.mkdtemp(prefix="bench-rest-proxy-")
    topics = ("bench-rest-produce", "bench-rest-read")
    cluster = LocalCluster(os.path.join(bin_dir, "kafka-local-cluster"), topics, 4, os.path.join(logs, "cluster.log"))
    try:
        emulator = GatewayEmulator(os.path.join(bin_dir, "lambda-emulator"), [os.path.join(bin_dir, "bootstrap")],
                                   lambda_environment("", cluster.bootstrap_servers), os.path.join(logs, "emulator.log"))
        try:
            produce(emulator, logs, topics[0], 1, 100, 3)  # warm-up: the producer exists and knows the topic
            results = {f"produce_{count}": produce(emulator, logs, topics[0], count, 100, runs) for count, runs in ((1, 200), (100, 50))}
            results["read_100"] = read(emulator, logs, topics[1], 100, 100, 50)
        finally:
            emulator.close()
    finally:
        cluster.close()
    for name, result in results.items():
        print(name, "  ".join(f"{who}: p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms ({r['runs']} runs)"
                              for who, r in result.items()))


if __name__ == "__main__":
    main()
