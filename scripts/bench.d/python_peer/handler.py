"""The Python peer (issue 7): what a careful Python Lambda function doing our job looks like.

Run by awslambdaric as `handler.handler`. One Producer and one Consumer, each created on first
use and reused by warm invocations; idempotent, acks=all, librdkafka's defaults otherwise (the
consumer's fetch.wait.max.ms is 50 like the bootstrap's). It accepts the event shapes the
bootstrap does for produce (`records` or `generate`) and for consume (`partition`, `from`,
`max_records`, `timeout_ms`; no `group_id`) and answers in the same shape.
"""

import base64
import json
import os
import time

from confluent_kafka import OFFSET_BEGINNING, OFFSET_END, Consumer, KafkaError, Producer, TopicPartition

RESPONSE_BUDGET = 6_291_556 - 64 * 1024

_producer = None
_consumer = None
_known_topics = set()


def _servers():
    return os.environ["KAFKA_ENDPOINT"]


def _get_producer():
    global _producer
    if _producer is None:
        _producer = Producer({"bootstrap.servers": _servers(), "enable.idempotence": True, "acks": "all"})
    return _producer


def _get_consumer():
    global _consumer
    if _consumer is None:
        _consumer = Consumer({
            "bootstrap.servers": _servers(), "group.id": "python-peer", "enable.auto.commit": False,
            "enable.auto.offset.store": False, "enable.partition.eof": True, "auto.offset.reset": "earliest",
            "fetch.wait.max.ms": 50})
    return _consumer


def handler(event, context):
    action = event.get("action")
    if action == "produce":
        return produce(event)
    if action == "consume":
        return consume(event)
    raise ValueError(f"unknown action {action!r}")


def _value_bytes(record):
    value = record.get("value")
    if value is None:
        return None
    if record.get("encoding") == "base64":
        return base64.b64decode(value)
    if isinstance(value, str):
        return value.encode()
    return json.dumps(value, separators=(",", ":")).encode()


def produce(event):
    started = time.monotonic()
    topic = event["topic"]
    producer = _get_producer()
    if topic not in _known_topics:
        producer.list_topics(topic, timeout=10)
        _known_topics.add(topic)
    generate = event.get("generate")
    if generate:
        value = bytes((b"abcdefghijklmnopqrstuvwxyz0123456789"[i % 36] for i in range(generate["value_bytes"])))
        outgoing = ((None, value, None, None) for _ in range(generate["count"]))
        count = generate["count"]
    else:
        records = event["records"]
        outgoing = ((r.get("key"), _value_bytes(r), list((r.get("headers") or {}).items()) or None, r.get("partition"))
                    for r in records)
        count = len(records)
    reports = [None] * count if not generate else None
    tally = {"delivered": 0, "failed": 0}

    def on_delivery(index):
        def report(error, message):
            tally["failed" if error else "delivered"] += 1
            if reports is not None:
                reports[index] = {"index": index, "partition": message.partition(), "offset": message.offset()}
        return report

    deadline = started + 50
    for index, (key, value, headers, partition) in enumerate(outgoing):
        extra = {"partition": partition} if partition is not None else {}
        while True:
            try:
                producer.produce(topic, value=value, key=key, headers=headers, on_delivery=on_delivery(index), **extra)
                break
            except BufferError:
                if time.monotonic() > deadline:
                    raise
                producer.poll(0.1)
    producer.flush(max(0.0, deadline - time.monotonic()))
    result = {"action": "produce", "topic": topic, "count": count, "delivered": tally["delivered"],
              "failed": count - tally["delivered"], "elapsed_ms": int((time.monotonic() - started) * 1000)}
    if reports is not None:
        result["records"] = reports
    return result


def _render(message):
    record = {"partition": message.partition(), "offset": message.offset()}
    kind, timestamp = message.timestamp()
    if kind:
        record["timestamp"] = timestamp
    key = message.key()
    record["key"] = None if key is None else _text_or_base64(key, record, "key_encoding")
    headers = message.headers()
    if headers:
        record["headers"] = [{"key": name, "value": None if v is None else v.decode(errors="replace")} for name, v in headers]
    value = message.value()
    if value is None:
        record["value"] = None
    else:
        try:
            record["value"] = json.loads(value)
        except ValueError:
            record["value"] = _text_or_base64(value, record, "encoding")
    return json.dumps(record, separators=(",", ":"))


def _text_or_base64(data, record, field):
    try:
        return data.decode()
    except UnicodeDecodeError:
        record[field] = "base64"
        return base64.b64encode(data).decode()


def _start_offset(start):
    if start in (None, "beginning"):
        return OFFSET_BEGINNING
    if start == "end":
        return OFFSET_END
    return int(start)


def consume(event):
    started = time.monotonic()
    topic = event["topic"]
    max_records = event.get("max_records", 1000)
    deadline = started + event.get("timeout_ms", 5000) / 1000
    consumer = _get_consumer()
    offset = _start_offset(event.get("from"))
    if "partition" in event:
        partitions = [event["partition"]]
    else:
        partitions = sorted(consumer.list_topics(topic, timeout=10).topics[topic].partitions)
    consumer.assign([TopicPartition(topic, p, offset) for p in partitions])
    rendered, size, next_offsets, at_end, truncated = [], 0, {}, set(), False
    while len(rendered) < max_records and len(at_end) < len(partitions) and not truncated:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        # consume() waits its whole timeout unless the batch fills: keep it short so the end of
        # the partitions is seen at once.
        for message in consumer.consume(min(1000, max_records - len(rendered)), timeout=min(remaining, 0.005)):
            error = message.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    at_end.add(message.partition())
                    next_offsets.setdefault(message.partition(), message.offset())
                    continue
                raise RuntimeError(str(error))
            text = _render(message)
            if size + len(text) + 1 > RESPONSE_BUDGET:
                truncated = True
                break
            rendered.append(text)
            size += len(text) + 1
            next_offsets[message.partition()] = message.offset() + 1
            at_end.discard(message.partition())
    consumer.unassign()
    offsets = ",".join(f'{{"partition":{p},"offset":{o}}}' for p, o in sorted(next_offsets.items()))
    body = (f'{{"action":"consume","topic":{json.dumps(topic)},"records":[{",".join(rendered)}],'
            f'"count":{len(rendered)},"end_of_partitions":{json.dumps(len(at_end) == len(partitions))},'
            f'"truncated":{json.dumps(truncated)},"next_offsets":[{offsets}],'
            f'"elapsed_ms":{int((time.monotonic() - started) * 1000)}}}')
    # awslambdaric posts bytes unchanged: the JSON is rendered once, as the bootstrap does.
    return body.encode()
