"""A minimal Lambda Runtime API on 127.0.0.1 that timestamps what a runtime does.

`next` answers with the queued events in order (waiting at most `next_wait` seconds for one,
then 503 so a runtime never hangs the bench); `/response` and `/error` are recorded with the
time they arrived. `GET /bench/ping` answers at once: the loopback round-trip reference.
"""

import http.server
import queue
import threading
import time

from common import LOOPBACK, now_ns

PREFIX = "/2018-06-01/runtime"


class Invocation:
    def __init__(self, request_id, body):
        self.request_id = request_id
        self.body = body
        self.sent_ns = None
        self.answered_ns = None
        self.answer = None
        self.is_error = False


class RuntimeAPIServer:
    def __init__(self, next_wait=30.0):
        self.next_wait = next_wait
        self.pending = queue.Queue()
        self.answered = queue.Queue()
        self.first_next_ns = None
        self.init_error = None
        self.generation = 0
        self.by_id = {}
        self.lock = threading.Lock()
        handler = _make_handler(self)
        self.httpd = _QuietServer((LOOPBACK, 0), handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def address(self):
        return f"{LOOPBACK}:{self.port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def reset(self):
        """Forgets the first `next` (for the next cold start) and drops unserved events and answers.

        Connections opened before the reset belong to an earlier runtime process: their `next`
        requests (even one already in flight when that process was killed) are answered 503 and
        never take an event meant for the next process.
        """
        with self.lock:
            self.generation += 1
            self.first_next_ns = None
            self.init_error = None
        for pending in (self.pending, self.answered):
            while not pending.empty():
                pending.get_nowait()

    def enqueue(self, request_id, body):
        invocation = Invocation(request_id, body)
        with self.lock:
            self.by_id[request_id] = invocation
        self.pending.put(invocation)
        return invocation

    def wait_answer(self, timeout):
        """The next answered invocation, or None after `timeout` seconds."""
        try:
            return self.answered.get(timeout=timeout)
        except queue.Empty:
            return None


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # runtimes are killed mid-request on purpose


def _make_handler(server):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def setup(self):
            super().setup()
            self.generation = server.generation

        def log_message(self, *args):
            pass

        def _reply(self, status, body=b"", headers=()):
            # Head and body in one write: two small writes meet the client's delayed ACK.
            lines = [f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}",
                     "Content-Type: application/json", f"Content-Length: {len(body)}"]
            lines += [f"{name}: {value}" for name, value in headers]
            self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            self.wfile.flush()

        def do_GET(self):
            if self.path == "/bench/ping":
                self._reply(200, b"{}")
                return
            if self.path != f"{PREFIX}/invocation/next":
                self._reply(404, b'{"errorType":"NotFound"}')
                return
            arrived = now_ns()
            with server.lock:
                current = self.generation == server.generation
                if current and server.first_next_ns is None:
                    server.first_next_ns = arrived
            invocation = self._take(self.generation) if current else None
            if invocation is None:
                self._reply(503, b'{"errorType":"BenchIdle"}')
                return
            deadline_ms = int(time.time() * 1000) + 60_000
            self._reply(200, invocation.body, [
                ("Lambda-Runtime-Aws-Request-Id", invocation.request_id),
                ("Lambda-Runtime-Deadline-Ms", str(deadline_ms)),
                ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:012345678912:function:bench"),
                ("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0"),
            ])
            invocation.sent_ns = now_ns()

        def _take(self, generation):
            give_up = time.monotonic() + server.next_wait
            while time.monotonic() < give_up and server.generation == generation:
                try:
                    invocation = server.pending.get(timeout=0.05)
                except queue.Empty:
                    continue
                if server.generation == generation:
                    return invocation
                server.pending.put(invocation)
            return None

        def do_POST(self):
            arrived = now_ns()
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = self.path.split("/")
            if self.path == f"{PREFIX}/init/error":
                server.init_error = body
                self._reply(202, b'{"status":"OK"}')
                return
            if len(parts) == 6 and parts[3] == "invocation" and parts[5] in ("response", "error"):
                with server.lock:
                    invocation = server.by_id.pop(parts[4], None)
                if invocation is not None:
                    invocation.answered_ns = arrived
                    invocation.answer = body
                    invocation.is_error = parts[5] == "error"
                self._reply(202, b'{"status":"OK"}')
                if invocation is not None:
                    server.answered.put(invocation)
                return
            self._reply(404, b'{"errorType":"NotFound"}')

    return Handler
