"""The local API gateway refuses what a web page the developer visits could abuse: WebSocket
upgrades and cross-origin requests from other origins, requests under a non-loopback `Host`
(DNS rebinding), and unbounded queues of invocations (HTTP 429, WebSocket close 1013)."""

import http.client
import json
import socket as sockets
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from gateway_stack import GatewayStack

TOPIC = "hardening"
ALLOWED = "https://app.example.com"
# The queue tests hold every invocation back this long (the emulator's injected `next` delay);
# the assertions need only the queued invocations to stay queued while they run.
HOLD_MS = 8000


def http_status(url: str, method="GET", headers=None) -> int:
    """The status of one request whose `Host` and other headers are exactly `headers`."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.putrequest(method, parts.path or "/", skip_host=True, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


def upgrade_status(ws_url: str, host: str) -> int:
    """The status line's code of a WebSocket handshake sent with this `Host`."""
    parts = urllib.parse.urlsplit(ws_url)
    with sockets.create_connection((parts.hostname, parts.port), timeout=30) as raw:
        raw.sendall((f"GET {parts.path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        status_line = raw.makefile("rb").readline().decode()
    return int(status_line.split(" ")[1])


class OriginAndHostTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = GatewayStack(topics=[TOPIC], emulator_args=["--allow-origin", ALLOWED]).__enter__()
        cls.port = urllib.parse.urlsplit(cls.stack.http_url).port

    @classmethod
    def tearDownClass(cls):
        cls.stack.__exit__(None, None, None)

    def ping(self, **options) -> dict:
        with connect(self.stack.ws_url, **options) as socket:
            socket.send(json.dumps({"sequence": 1, "cmd_ping": {"state": "aGk="}}))
            return json.loads(socket.recv(timeout=30))

    def test_a_websocket_upgrade_from_another_origin_is_refused(self):
        with self.assertRaises(InvalidStatus) as refused:
            self.ping(origin="https://evil.example")
        self.assertEqual(refused.exception.response.status_code, 403)
        with self.assertRaises(InvalidStatus) as null_origin:
            self.ping(origin="null")
        self.assertEqual(null_origin.exception.response.status_code, 403)

    def test_the_gateways_own_origin_an_allowed_one_and_clients_without_origin_connect(self):
        for origin in (f"http://127.0.0.1:{self.port}", f"http://localhost:{self.port}", ALLOWED, None):
            with self.subTest(origin=origin):
                self.assertEqual(self.ping(origin=origin)["pong_resp"], {"state": "aGk="})

    def test_a_cross_origin_http_request_from_another_origin_is_refused(self):
        url = f"{self.stack.http_url}/topics/{TOPIC}/offsets"
        host = f"127.0.0.1:{self.port}"
        self.assertEqual(http_status(url, headers={"Host": host, "Origin": "https://evil.example"}), 403)
        self.assertEqual(http_status(url, "OPTIONS", {"Host": host, "Origin": "https://evil.example",
                                                      "Access-Control-Request-Method": "POST"}), 403)
        self.assertEqual(http_status(url, headers={"Host": host, "Origin": ALLOWED}), 200)
        self.assertEqual(http_status(url, headers={"Host": host, "Origin": f"http://127.0.0.1:{self.port}"}), 200)
        self.assertEqual(http_status(url, headers={"Host": host}), 200)

    def test_only_loopback_host_names_are_answered(self):
        url = f"{self.stack.http_url}/topics/{TOPIC}/offsets"
        for host in (f"rebind.attacker.example:{self.port}", "rebind.attacker.example", f"10.0.0.1:{self.port}"):
            with self.subTest(host=host):
                self.assertEqual(http_status(url, headers={"Host": host}), 403)
                self.assertEqual(http_status(self.stack.http_url + "/", headers={"Host": host}), 403)
                self.assertEqual(upgrade_status(self.stack.ws_url, host), 403)
        for host in (f"127.0.0.1:{self.port}", f"localhost:{self.port}", "localhost"):
            with self.subTest(host=host):
                self.assertEqual(http_status(url, headers={"Host": host}), 200)
                self.assertEqual(upgrade_status(self.stack.ws_url, host), 101)


class QueueCapTests(unittest.TestCase):
    """`--websocket-max-in-flight 2 --max-pending-invocations 3`, with every invocation held back."""

    @classmethod
    def setUpClass(cls):
        cls.stack = GatewayStack(topics=[TOPIC], emulator_args=[
            "--websocket-max-in-flight", "2", "--max-pending-invocations", "3"]).__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.stack.__exit__(None, None, None)

    def setUp(self):
        # The other test's held invocations drain first (they are answered once the hold ends).
        self.wait_for_pending(lambda count: count == 0, "an empty queue")

    def hold_invocations(self):
        self.stack.admin("POST", "/_emulator/faults", {"next_delay_ms": HOLD_MS, "count": 1})

    def wait_until_pending(self, count: int):
        self.wait_for_pending(lambda pending: pending >= count, f"{count} pending invocations")

    def wait_for_pending(self, condition, description: str):
        deadline = time.monotonic() + HOLD_MS / 1000 + 30
        while time.monotonic() < deadline:
            if condition(self.stack.admin("GET", "/_emulator/status")["pending_invocations"]):
                return
        self.fail(f"never {description}")

    def test_a_connection_over_its_in_flight_cap_is_closed_with_1013(self):
        with connect(self.stack.ws_url) as socket:
            self.hold_invocations()
            for sequence in (1, 2):
                socket.send(json.dumps({"sequence": sequence, "cmd_ping": {"state": ""}}))
            self.wait_until_pending(2)
            socket.send(json.dumps({"sequence": 3, "cmd_ping": {"state": ""}}))
            with self.assertRaises(ConnectionClosed) as closed:
                while True:
                    socket.recv(timeout=HOLD_MS / 1000 + 30)
        self.assertEqual(closed.exception.rcvd.code, 1013)
        self.assertIn("in flight", closed.exception.rcvd.reason)

    def test_over_the_pending_cap_http_answers_429_and_websockets_get_1013(self):
        url = f"{self.stack.http_url}/topics/{TOPIC}/offsets"
        with connect(self.stack.ws_url) as socket:
            self.hold_invocations()
            held = [threading.Thread(target=self.quietly_get, args=(url,)) for _ in range(3)]
            for thread in held:
                thread.start()
            self.wait_until_pending(3)
            with self.assertRaises(urllib.error.HTTPError) as throttled:
                urllib.request.urlopen(url, timeout=30)
            self.assertEqual(throttled.exception.code, 429)
            invoke = urllib.request.Request(
                f"http://{self.stack.runtime_address}/2015-03-31/functions/function/invocations", data=b"{}", method="POST")
            with self.assertRaises(urllib.error.HTTPError) as direct:
                urllib.request.urlopen(invoke, timeout=30)
            self.assertEqual(direct.exception.code, 429)
            self.assertEqual(json.load(direct.exception)["Type"], "User")
            with self.assertRaises(InvalidStatus) as refused:
                connect(self.stack.ws_url)
            self.assertEqual(refused.exception.response.status_code, 429)
            socket.send(json.dumps({"sequence": 1, "cmd_ping": {"state": ""}}))
            with self.assertRaises(ConnectionClosed) as closed:
                socket.recv(timeout=30)
        self.assertEqual(closed.exception.rcvd.code, 1013)
        for thread in held:
            thread.join(timeout=HOLD_MS / 1000 + 60)

    @staticmethod
    def quietly_get(url):
        try:
            urllib.request.urlopen(url, timeout=HOLD_MS / 1000 + 60).read()
        except (urllib.error.URLError, OSError):
            pass


if __name__ == "__main__":
    unittest.main()
