"""Writes Tests/PubSubWireTests/Fixtures/python-protobuf-vectors.json: frames serialised by
Python's `protobuf` runtime, with what they hold, for the Swift codec's tests. Run with the
.venv-web interpreter; test_pubsub_vectors.py checks the committed file is what this writes."""

import json
import sys
from pathlib import Path

from pubsub_proto import PubSubReq, PubSubResp

FIXTURE = Path(__file__).resolve().parents[1] / "PubSubWireTests" / "Fixtures" / "python-protobuf-vectors.json"
INT64_MIN, INT64_MAX, INT32_MIN, INT32_MAX = -2**63, 2**63 - 1, -2**31, 2**31 - 1


def requests():
    yield "fetch", PubSubReq(sequence=7, cmd_kafka_fetch={"topic": "orders", "partition": 2, "offset": 40})
    yield "list latest", PubSubReq(sequence=1, cmd_kafka_list_offset={"topic": "t", "partition": 0, "timestamp": -1})
    yield "list earliest", PubSubReq(sequence=2, cmd_kafka_list_offset={"topic": "t", "timestamp": -2})
    yield "list by time", PubSubReq(sequence=3, cmd_kafka_list_offset={"topic": "t", "partition": 1, "timestamp": 1764597600000})
    yield "ping", PubSubReq(sequence=4, cmd_ping={"state": bytes(range(256))})
    yield "ping without state", PubSubReq(sequence=5, cmd_ping={})
    yield "empty", PubSubReq(sequence=6, cmd_empty={})
    yield "no command", PubSubReq(sequence=8)
    yield "sequence 0", PubSubReq(cmd_kafka_fetch={"topic": "t"})
    yield "int64 extremes", PubSubReq(sequence=INT64_MIN, cmd_kafka_fetch={"topic": "t", "partition": INT32_MAX, "offset": INT64_MAX})
    yield "negative int32", PubSubReq(sequence=-1, cmd_kafka_list_offset={"topic": "t", "partition": INT32_MIN, "timestamp": INT64_MIN})
    yield "unicode topic", PubSubReq(sequence=9, cmd_kafka_fetch={"topic": "caf\u00e9-\u4e2d", "offset": 1})
    # Unknown fields (a newer client): protobuf keeps them; a reader must skip them.
    unknown = PubSubReq(sequence=10, cmd_kafka_fetch={"topic": "t", "offset": 3})
    extra = bytes([0x10, 0x2A, 0x19]) + (7).to_bytes(8, "little") + bytes([0x25]) + (9).to_bytes(4, "little") \
        + bytes([0xC2, 0x3E, 0x03]) + b"abc"
    yield "unknown fields", unknown, extra


def responses():
    yield "error", PubSubResp(sequence=3, error_resp={"code": 404, "message": "Topic 'x' does not exist"})
    yield "pong", PubSubResp(sequence=4, pong_resp={"state": b"hi"})
    yield "list offset -1", PubSubResp(sequence=5, kafka_list_offset_resp={"offset": -1})
    yield "list offset 0", PubSubResp(sequence=6, kafka_list_offset_resp={})
    yield "fetch", PubSubResp(sequence=7, kafka_fetch_resp={"messages": [
        {"offset": 0, "timestamp": 1764597600000, "key": b"k0", "value": b"v0"},
        {"offset": 1, "timestamp": 1764597600001, "value": b"\x00\xff"},
        {"offset": 2, "timestamp": 1764597600002, "key": b"tombstone"}]})
    yield "fetch empty", PubSubResp(sequence=8, kafka_fetch_resp={})


def main():
    vectors = {"requests": [], "responses": []}
    for name, message, *extra in requests():
        frame = message.SerializeToString() + (extra[0] if extra else b"")
        if extra:
            parsed = PubSubReq.FromString(frame)  # protobuf itself accepts the unknown fields
            parsed.DiscardUnknownFields()
            assert parsed == message, name
        vectors["requests"].append({"name": name, "hex": frame.hex(),
                                    "fields": json_form(message)})
    for name, message in responses():
        vectors["responses"].append({"name": name, "hex": message.SerializeToString().hex(),
                                     "fields": json_form(message)})
    text = json.dumps(vectors, indent=1, sort_keys=True) + "\n"
    if sys.argv[1:] == ["--check"]:
        return 0 if FIXTURE.read_text() == text else 1
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(text)
    return 0


def json_form(message):
    """The message's fields for the Swift test: int64 as decimal strings, bytes as hex."""
    result = {}
    for field, value in message.ListFields():
        if field.message_type is not None:
            if isinstance(value, (list, tuple)) or hasattr(value, "append"):
                result[field.name] = [json_form(item) for item in value]
            else:
                result[field.name] = json_form(value)
        elif isinstance(value, bytes):
            result[field.name] = value.hex()
        elif isinstance(value, int):
            result[field.name] = str(value)
        else:
            result[field.name] = value
    return result


if __name__ == "__main__":
    sys.exit(main())
