"""Round trips of the WebSocket pub/sub through the local gateway; see scripts/bench-websocket."""

import base64
import http.client
import json
import statistics
import sys
import time
from urllib.parse import urlparse

from websockets.sync.client import connect

from gateway_stack import GatewayStack
from pubsub_proto import PubSubReq, PubSubResp

TOPIC = "bench-ws"


def summary(name, samples):
    samples = sorted(samples)
    p50 = samples[len(samples) // 2]
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    print(f"{name:<58} n={len(samples):<5} p50 {p50 * 1000:7.3f} ms   p99 {p99 * 1000:7.3f} ms   mean {statistics.fmean(samples) * 1000:7.3f} ms")


def websocket_round_trips(url, command, count):
    samples = []
    with connect(url) as socket:
        for sequence in range(count + 50):
            started = time.perf_counter()
            socket.send(json.dumps(dict(command, sequence=sequence)))
            answer = json.loads(socket.recv(timeout=30))
            elapsed = time.perf_counter() - started
            assert answer["sequence"] == sequence and "error_resp" not in answer, answer
            if sequence >= 50:  # the first 50 warm the consumer and connections
                samples.append(elapsed)
    return samples


def binary_round_trips(url, command, count):
    """The same round trip with APISIX's binary frames (--websocket-binary), built and read by protobuf."""
    samples = []
    with connect(url) as socket:
        for sequence in range(count + 50):
            started = time.perf_counter()
            socket.send(PubSubReq(sequence=sequence, **command).SerializeToString())
            answer = PubSubResp.FromString(socket.recv(timeout=30))
            elapsed = time.perf_counter() - started
            assert answer.sequence == sequence and answer.WhichOneof("resp") != "error_resp", answer
            if sequence >= 50:
                samples.append(elapsed)
    return samples


def invoke_round_trips(runtime_address, command, count):
    event = {"requestContext": {"routeKey": "$default", "eventType": "MESSAGE", "connectionId": "bench=", "stage": "$default"},
             "body": json.dumps(command), "isBase64Encoded": False}
    payload = json.dumps(event).encode()
    host, port = runtime_address.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    samples = []
    for index in range(count + 50):
        started = time.perf_counter()
        connection.request("POST", "/2015-03-31/functions/function/invocations", body=payload)
        body = connection.getresponse().read()
        elapsed = time.perf_counter() - started
        assert b"kafka_fetch_resp" in body, body
        if index >= 50:
            samples.append(elapsed)
    return samples


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with GatewayStack(topics=[TOPIC], partitions=1, emulator_args=["--websocket-binary"]) as stack:
        stack.produce(TOPIC, [{"key": "k", "value": json.dumps({"id": i, "text": "x" * 80}), "partition": 0} for i in range(10)])
        one = {"cmd_kafka_fetch": {"topic": TOPIC, "partition": 0, "offset": 9}}
        end = {"cmd_kafka_fetch": {"topic": TOPIC, "partition": 0, "offset": 10}}
        ping = {"cmd_ping": {"state": base64.b64encode(b"x").decode()}}
        print(f"local gateway {stack.http_url}, {count} sequential round trips per figure, one connection each")
        summary("WebSocket fetch, 1 record (~100 B) via gateway", websocket_round_trips(stack.ws_url, one, count))
        summary("WebSocket fetch at the end (0 records) via gateway", websocket_round_trips(stack.ws_url, end, count))
        summary("WebSocket ping (no Kafka) via gateway", websocket_round_trips(stack.ws_url, ping, count))
        summary("binary protobuf fetch, 1 record, via gateway", binary_round_trips(stack.ws_url, {
            "cmd_kafka_fetch": {"topic": TOPIC, "partition": 0, "offset": 9}}, count))
        summary("binary protobuf ping (no Kafka) via gateway", binary_round_trips(stack.ws_url, {"cmd_ping": {"state": b"x"}}, count))
        runtime = urlparse("http://" + stack.runtime_address).netloc
        summary("same fetch as a MESSAGE event on the Invoke API (no gateway)", invoke_round_trips(runtime, one, count))


if __name__ == "__main__":
    main()
