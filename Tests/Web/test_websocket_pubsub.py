"""APISIX-style Kafka pub/sub over the local API gateway's WebSocket, with a real WebSocket
client (the `websockets` package): the bootstrap answers each message through the emulator."""

import base64
import json
import unittest
import urllib.error
import urllib.request

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from gateway_stack import GatewayStack

TOPIC = "pubsub"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


class WebSocketPubSubTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # The CORS preflight below comes from this origin, which the gateway must be told to allow.
        cls.stack = GatewayStack(topics=[TOPIC], emulator_args=["--allow-origin", "https://app.example.com"]).__enter__()
        # Five records on partition 0, known offsets 0-4.
        cls.produced = cls.stack.produce(TOPIC, [
            {"key": f"k{i}", "value": f"value {i}", "partition": 0} for i in range(5)])

    @classmethod
    def tearDownClass(cls):
        cls.stack.__exit__(None, None, None)

    def ask(self, socket, message: dict) -> dict:
        socket.send(json.dumps(message))
        return json.loads(socket.recv(timeout=30))

    def test_list_offsets_latest_earliest_and_by_time(self):
        with connect(self.stack.ws_url) as socket:
            latest = self.ask(socket, {"sequence": 1, "cmd_kafka_list_offset": {"topic": TOPIC, "partition": 0, "timestamp": -1}})
            self.assertEqual(latest, {"sequence": 1, "kafka_list_offset_resp": {"offset": 5}})
            earliest = self.ask(socket, {"sequence": "2", "cmd_kafka_list_offset": {"topic": TOPIC, "partition": 0, "timestamp": "-2"}})
            self.assertEqual(earliest, {"sequence": "2", "kafka_list_offset_resp": {"offset": 0}})
            future = self.ask(socket, {"sequence": 3, "cmd_kafka_list_offset": {"topic": TOPIC, "partition": 0, "timestamp": 4102444800000}})
            self.assertEqual(future["kafka_list_offset_resp"]["offset"], -1, future)  # no record that recent, as Kafka answers
            empty = self.ask(socket, {"sequence": 4, "cmd_kafka_list_offset": {"topic": TOPIC, "partition": 1, "timestamp": -1}})
            self.assertEqual(empty, {"sequence": 4, "kafka_list_offset_resp": {"offset": 0}})

    def test_fetch_from_an_offset_returns_the_records_in_protobuf_json(self):
        with connect(self.stack.ws_url) as socket:
            answer = self.ask(socket, {"sequence": 7, "cmd_kafka_fetch": {"topic": TOPIC, "partition": 0, "offset": 2}})
        self.assertEqual(answer["sequence"], 7)
        messages = answer["kafka_fetch_resp"]["messages"]
        self.assertEqual([m["offset"] for m in messages], [2, 3, 4])
        self.assertEqual([m["key"] for m in messages], [b64("k2"), b64("k3"), b64("k4")])
        self.assertEqual([m["value"] for m in messages], [b64("value 2"), b64("value 3"), b64("value 4")])
        self.assertTrue(all(isinstance(m["timestamp"], int) and m["timestamp"] > 0 for m in messages))

    def test_fetch_at_the_end_is_empty_and_past_it_offset_out_of_range(self):
        with connect(self.stack.ws_url) as socket:
            answer = self.ask(socket, {"sequence": 8, "cmd_kafka_fetch": {"topic": TOPIC, "partition": 0, "offset": 5}})
            self.assertEqual(answer, {"sequence": 8, "kafka_fetch_resp": {"messages": []}})
            past = self.ask(socket, {"sequence": 9, "cmd_kafka_fetch": {"topic": TOPIC, "partition": 0, "offset": 6}})
        self.assertEqual(past["error_resp"]["code"], 416, past)
        self.assertIn("OFFSET_OUT_OF_RANGE", past["error_resp"]["message"])

    def test_bad_commands_are_answered_with_error_resp_and_the_connection_stays_usable(self):
        with connect(self.stack.ws_url) as socket:
            unknown = self.ask(socket, {"sequence": 11, "cmd_kafka_produce": {"topic": TOPIC}})
            self.assertEqual(unknown["sequence"], 11)
            self.assertEqual(unknown["error_resp"]["code"], 400)
            self.assertIn("exactly one command", unknown["error_resp"]["message"])

            socket.send("not json")
            garbage = json.loads(socket.recv(timeout=30))
            self.assertEqual(garbage["sequence"], 0)
            self.assertEqual(garbage["error_resp"]["code"], 400)

            missing = self.ask(socket, {"sequence": 12, "cmd_kafka_fetch": {"topic": "no-such-topic", "partition": 0, "offset": 0}})
            self.assertEqual(missing["error_resp"]["code"], 404, missing)
            no_partition = self.ask(socket, {"sequence": 13, "cmd_kafka_list_offset": {"topic": TOPIC, "partition": 99, "timestamp": -1}})
            self.assertEqual(no_partition["error_resp"]["code"], 404, no_partition)
            negative = self.ask(socket, {"sequence": 14, "cmd_kafka_fetch": {"topic": TOPIC, "partition": 0, "offset": -5}})
            self.assertEqual(negative["error_resp"]["code"], 400, negative)

            still_fine = self.ask(socket, {"sequence": 15, "cmd_ping": {"state": b64("hi")}})
            self.assertEqual(still_fine, {"sequence": 15, "pong_resp": {"state": b64("hi")}})

    def test_a_binary_frame_closes_the_connection_with_1003(self):
        with connect(self.stack.ws_url) as socket:
            socket.send(b"\x08\x01")
            with self.assertRaises(ConnectionClosed) as closed:
                socket.recv(timeout=30)
        self.assertEqual(closed.exception.rcvd.code, 1003)

    def test_many_messages_on_one_connection_each_answered_once_by_sequence(self):
        count = 64  # the gateway's default --websocket-max-in-flight: all may be unanswered at once
        with connect(self.stack.ws_url) as socket:
            for sequence in range(1, count + 1):
                socket.send(json.dumps({"sequence": sequence, "cmd_kafka_fetch": {"topic": TOPIC, "partition": 0, "offset": sequence % 5}}))
            answers = [json.loads(socket.recv(timeout=60)) for _ in range(count)]
        self.assertEqual(sorted(a["sequence"] for a in answers), list(range(1, count + 1)))
        for answer in answers:
            first = answer["kafka_fetch_resp"]["messages"][0]["offset"]
            self.assertEqual(first, answer["sequence"] % 5)

    def test_fetch_answers_stay_under_the_websocket_message_limit(self):
        topic = "pubsub-big"
        # 30 records of 10 KiB: 300 KiB in all, more than one 128 KB WebSocket message can carry.
        self.stack.produce(topic, [{"value": "x" * 10240, "partition": 0} for _ in range(30)])
        offset, seen = 0, 0
        with connect(self.stack.ws_url, max_size=2**20) as socket:
            while offset < 30:
                socket.send(json.dumps({"sequence": offset, "cmd_kafka_fetch": {"topic": topic, "partition": 0, "offset": offset}}))
                raw = socket.recv(timeout=30)
                self.assertLessEqual(len(raw.encode()), 96 * 1024)
                messages = json.loads(raw)["kafka_fetch_resp"]["messages"]
                self.assertGreater(len(messages), 0)
                self.assertEqual(messages[0]["offset"], offset)
                offset = messages[-1]["offset"] + 1
                seen += len(messages)
        self.assertEqual(seen, 30)

    def test_a_message_over_128_kib_closes_the_connection_with_1009(self):
        with connect(self.stack.ws_url) as socket:
            socket.send(json.dumps({"sequence": 1, "cmd_ping": {"state": b64("x" * 100_000)}}))
            with self.assertRaises(ConnectionClosed) as closed:
                socket.recv(timeout=30)
        self.assertEqual(closed.exception.rcvd.code, 1009)

    def test_fragmented_messages_are_reassembled_and_pings_answered(self):
        with connect(self.stack.ws_url) as socket:
            socket.send(['{"sequence":31,', '"cmd_kafka_list_offset":', '{"topic":"pubsub","timestamp":-1}}'])
            self.assertEqual(json.loads(socket.recv(timeout=30)), {"sequence": 31, "kafka_list_offset_resp": {"offset": 5}})
            self.assertTrue(socket.ping(b"are you there").wait(timeout=30))

    def test_http_routes_go_through_the_gateway_as_payload_2_events(self):
        offsets = self.stack.offsets(TOPIC)
        self.assertEqual(offsets["topic"], TOPIC)
        self.assertEqual(next(p for p in offsets["partitions"] if p["partition"] == 0)["latest"], 5)
        # A CORS preflight from another origin, answered by the function through the gateway.
        preflight = urllib.request.Request(
            f"{self.stack.http_url}/topics/{TOPIC}", method="OPTIONS",
            headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"})
        with urllib.request.urlopen(preflight, timeout=30) as response:
            self.assertEqual(response.status, 204)
            self.assertEqual(response.headers["Access-Control-Allow-Origin"], "*")
            self.assertIn("POST", response.headers["Access-Control-Allow-Methods"])
        with self.assertRaises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{self.stack.http_url}/nowhere", timeout=30)
        self.assertEqual(missing.exception.code, 404)



class ListOffsetByTimeTests(unittest.TestCase):
    """Timestamp lookups need a broker that keeps record times (librdkafka's mock answers every
    time lookup with the end offset): noida-db, an independent broker."""

    def test_a_time_finds_the_first_record_at_or_after_it(self):
        topic = "by-time"
        with GatewayStack(broker="noida") as stack:
            for batch in range(3):  # three produce calls, so (usually) more than one record time
                stack.produce(topic, [{"value": f"batch {batch} record {i}", "partition": 0} for i in range(3)])
            with connect(stack.ws_url) as socket:
                socket.send(json.dumps({"sequence": 1, "cmd_kafka_fetch": {"topic": topic, "partition": 0, "offset": 0}}))
                messages = json.loads(socket.recv(timeout=30))["kafka_fetch_resp"]["messages"]
                times = [m["timestamp"] for m in messages]
                self.assertEqual(len(times), 9)
                for index in (0, 3, 4, 8):
                    socket.send(json.dumps({"sequence": index, "cmd_kafka_list_offset": {"topic": topic, "partition": 0, "timestamp": times[index]}}))
                    found = json.loads(socket.recv(timeout=30))["kafka_list_offset_resp"]["offset"]
                    self.assertGreaterEqual(times[found], times[index])
                    self.assertTrue(found == 0 or times[found - 1] < times[index], (index, found, times))
                    self.assertLessEqual(found, index)
                socket.send(json.dumps({"sequence": 99, "cmd_kafka_list_offset": {"topic": topic, "partition": 0, "timestamp": times[-1] + 60_000}}))
                # After every record: -1, as Kafka and APISIX answer (not the high watermark).
                self.assertEqual(json.loads(socket.recv(timeout=30))["kafka_list_offset_resp"]["offset"], -1)


if __name__ == "__main__":
    unittest.main()


STATE_TOPIC = "_lambda_kafka_rest_consumers"


class ConsumerStateTopicTests(unittest.TestCase):
    """The REST proxy's consumer-instance state (LAMBDA_KAFKA_REST_STATE_TOPIC) is the function's
    own: WebSocket callers can neither fetch it nor look up its offsets, as HTTP callers cannot."""

    def test_the_consumer_state_topic_is_refused(self):
        with GatewayStack(topics=[STATE_TOPIC]) as stack:
            stack.produce(STATE_TOPIC, [{"key": '["api-group","instance"]', "value": {"v": 1}, "partition": 0}])
            with connect(stack.ws_url) as socket:
                socket.send(json.dumps({"sequence": 1, "cmd_kafka_fetch": {"topic": STATE_TOPIC, "partition": 0, "offset": 0}}))
                fetched = json.loads(socket.recv(timeout=30))
                socket.send(json.dumps({"sequence": 2, "cmd_kafka_list_offset": {"topic": STATE_TOPIC, "partition": 0, "timestamp": -1}}))
                listed = json.loads(socket.recv(timeout=30))
        for answer in (fetched, listed):
            self.assertNotIn("kafka_fetch_resp", answer)
            self.assertEqual(answer.get("error_resp", {}).get("code"), 403, answer)
