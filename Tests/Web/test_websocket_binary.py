"""APISIX's binary pub/sub frames, unchanged: PubSubReq frames built by Python's `protobuf`
runtime go through `lambda-emulator --api-gateway PORT --websocket-binary` to the real bootstrap
and a real broker (noida-db, an independent Kafka implementation), and each binary answer is read
back as a PubSubResp by the same runtime."""

import json
import time
import unittest

from websockets.sync.client import connect

from gateway_stack import GatewayStack
from pubsub_proto import PubSubReq, PubSubResp

TOPIC = "binary"
OFFSETS_OUT_OF_RANGE = "OFFSET_OUT_OF_RANGE"


class BinaryPubSubTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = GatewayStack(broker="noida", emulator_args=["--websocket-binary"]).__enter__()
        try:
            cls.before = int(time.time() * 1000) - 60_000
            cls.stack.produce(TOPIC, [{"key": f"k{i}", "value": f"value {i}", "partition": 0} for i in range(5)])
        except BaseException:
            cls.stack.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.stack.__exit__(None, None, None)

    def ask(self, socket, request: PubSubReq) -> PubSubResp:
        socket.send(request.SerializeToString())
        frame = socket.recv(timeout=30)
        self.assertIsInstance(frame, bytes, f"a text answer to a binary frame: {frame!r}")
        return PubSubResp.FromString(frame)

    def list_offset(self, socket, sequence, timestamp, partition=0) -> PubSubResp:
        return self.ask(socket, PubSubReq(sequence=sequence, cmd_kafka_list_offset={
            "topic": TOPIC, "partition": partition, "timestamp": timestamp}))

    def fetch(self, socket, sequence, offset, topic=TOPIC) -> PubSubResp:
        return self.ask(socket, PubSubReq(sequence=sequence, cmd_kafka_fetch={"topic": topic, "partition": 0, "offset": offset}))

    def test_list_offsets_latest_earliest_before_and_after_every_record(self):
        with connect(self.stack.ws_url) as socket:
            latest = self.list_offset(socket, 1, -1)
            self.assertEqual((latest.sequence, latest.WhichOneof("resp"), latest.kafka_list_offset_resp.offset),
                             (1, "kafka_list_offset_resp", 5))
            self.assertEqual(self.list_offset(socket, 2, -2).kafka_list_offset_resp.offset, 0)
            self.assertEqual(self.list_offset(socket, 3, self.before).kafka_list_offset_resp.offset, 0)
            future = self.list_offset(socket, 4, int(time.time() * 1000) + 3_600_000)
            self.assertEqual((future.WhichOneof("resp"), future.kafka_list_offset_resp.offset), ("kafka_list_offset_resp", -1))

    def test_fetch_from_an_offset_and_at_the_end(self):
        with connect(self.stack.ws_url) as socket:
            answer = self.fetch(socket, 7, 2)
            self.assertEqual(answer.sequence, 7)
            messages = answer.kafka_fetch_resp.messages
            self.assertEqual([m.offset for m in messages], [2, 3, 4])
            self.assertEqual([m.key for m in messages], [b"k2", b"k3", b"k4"])
            self.assertEqual([m.value for m in messages], [b"value 2", b"value 3", b"value 4"])
            self.assertTrue(all(m.timestamp >= self.before for m in messages))
            end = self.fetch(socket, 8, 5)
            self.assertEqual((end.sequence, end.WhichOneof("resp"), len(end.kafka_fetch_resp.messages)),
                             (8, "kafka_fetch_resp", 0))

    def test_a_fetch_outside_the_stored_range_names_offset_out_of_range(self):
        with connect(self.stack.ws_url) as socket:
            answer = self.fetch(socket, 9, 999)
            self.assertEqual((answer.sequence, answer.WhichOneof("resp")), (9, "error_resp"))
            self.assertIn(OFFSETS_OUT_OF_RANGE, answer.error_resp.message)
            self.assertEqual(answer.error_resp.code, 416)
            missing = self.fetch(socket, 10, 0, topic="no-such-topic")
            self.assertEqual((missing.WhichOneof("resp"), missing.error_resp.code), ("error_resp", 404), missing)

    def test_ping_and_a_garbage_frame_answered_while_the_connection_keeps_serving(self):
        state = bytes(range(256))
        with connect(self.stack.ws_url) as socket:
            pong = self.ask(socket, PubSubReq(sequence=11, cmd_ping={"state": state}))
            self.assertEqual((pong.sequence, pong.pong_resp.state), (11, state))
            socket.send(b"\xff\xff\xff")  # not a PubSubReq: a truncated varint
            garbage = PubSubResp.FromString(socket.recv(timeout=30))
            self.assertEqual((garbage.sequence, garbage.WhichOneof("resp"), garbage.error_resp.code), (0, "error_resp", 400))
            self.assertIn("not a PubSubReq", garbage.error_resp.message)
            empty = self.ask(socket, PubSubReq(sequence=12))
            self.assertEqual((empty.sequence, empty.WhichOneof("resp"), empty.error_resp.code), (12, "error_resp", 400))
            # The same connection still serves binary commands, and JSON text ones in JSON.
            self.assertEqual(self.list_offset(socket, 13, -1).kafka_list_offset_resp.offset, 5)
            socket.send(json.dumps({"sequence": 14, "cmd_ping": {"state": "aGk"}}))
            text = socket.recv(timeout=30)
            self.assertIsInstance(text, str)
            self.assertEqual(json.loads(text), {"sequence": 14, "pong_resp": {"state": "aGk="}})


if __name__ == "__main__":
    unittest.main()
