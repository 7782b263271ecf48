"""Starts the real stack the web tests drive: kafka-local-cluster (librdkafka's mock cluster on
loopback), lambda-emulator with its local API gateway, and the real bootstrap under it."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def bin_path() -> Path:
    configured = os.environ.get("WEB_TEST_BIN")
    if configured:
        return Path(configured)
    out = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True, capture_output=True, text=True)
    return Path(out.stdout.strip())


def _wait_for_line(path: Path, pattern: str, process: subprocess.Popen, timeout: float = 30.0) -> str:
    """Reads the process's output file until a line matches (the process prints it once ready)."""
    deadline = time.monotonic() + timeout
    regex = re.compile(pattern)
    while time.monotonic() < deadline:
        for line in path.read_text(errors="replace").splitlines():
            if regex.search(line):
                return line
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited ({process.returncode}) before printing {pattern!r}:\n{path.read_text()}")
        time.sleep(0.02)
    raise TimeoutError(f"no line matching {pattern!r} in {path}:\n{path.read_text()}")


class GatewayStack:
    """`with GatewayStack(topics=[...]) as stack:` gives `stack.http_url` and `stack.ws_url`."""

    def __init__(self, topics=(), partitions=3, broker="mock", emulator_args=()):
        """`broker`: "mock" (kafka-local-cluster) or "noida" (noida-db, an independent broker
        with CreateTopics and timestamp lookups; topics are then created by the first produce).
        `emulator_args`: more lambda-emulator options (`--allow-origin`, `--websocket-binary`, caps)."""
        self.topics = list(topics)
        self.emulator_args = list(emulator_args)
        self.partitions = partitions
        self.broker = broker
        self.processes = []
        self.files = []

    def __enter__(self):
        self.workdir = Path(tempfile.mkdtemp(prefix="web-test-"))
        bins = bin_path()
        cluster_out = self.workdir / "cluster.out"
        if self.broker == "noida":
            # The binary itself (scripts/install-deps --test puts it in .venv-broker), not the
            # bin/noida-db wrapper, which does not pass SIGTERM on to it.
            found = sorted(ROOT.glob(".venv-broker/lib/python3*/site-packages/noida_db/noida-db"))
            if not found:
                raise RuntimeError("noida-db is not installed: run scripts/install-deps --test")
            noida = found[0]
            self.cluster = subprocess.Popen(
                [str(noida), "start", "--data-dir", str(self.workdir / "noida"), "--only", "kafka", "--kafka-port", "0"],
                stdin=subprocess.DEVNULL, stdout=self._output("cluster.out"), stderr=self._output("cluster.err"))
            self.processes.append(self.cluster)
            endpoint = re.search(r"kafka\s+(\S+:\d+)", _wait_for_line(cluster_out, r"kafka\s+\S+:\d+", self.cluster)).group(1)
        else:
            arguments = [str(bins / "kafka-local-cluster"), "--brokers", "1", "--partitions", str(self.partitions)]
            for topic in self.topics:
                arguments += ["--topic", topic]
            # The cluster runs until its stdin closes.
            self.cluster = subprocess.Popen(arguments, stdin=subprocess.PIPE, stdout=self._output("cluster.out"),
                                            stderr=self._output("cluster.err"))
            self.processes.append(self.cluster)
            endpoint = _wait_for_line(cluster_out, r":\d+", self.cluster).strip()

        emulator_out = self.workdir / "emulator.out"
        self.emulator_err = self.workdir / "emulator.err"
        # API answers carry CORS headers only when the function is told the origin to allow.
        environment = dict(os.environ, KAFKA_ENDPOINT=endpoint, CORS_ALLOW_ORIGIN="*")
        self.emulator = subprocess.Popen(
            [str(bins / "lambda-emulator"), "--port", "0", "--api-gateway", "0",
             "--web-page", str(ROOT / "web" / "index.html"), "--timeout", "30", *self.emulator_args,
             "--", str(bins / "bootstrap")],
            stdout=self._output("emulator.out"), stderr=self._output("emulator.err"), env=environment, cwd=self.workdir)
        self.processes.append(self.emulator)
        admin = _wait_for_line(emulator_out, r"^lambda-emulator runtime API and admin routes on ", self.emulator)
        self.admin_url = "http://" + admin.rsplit(" ", 1)[1]
        listening = _wait_for_line(emulator_out, r"^lambda-emulator listening on ", self.emulator)
        self.runtime_address = listening.rsplit(" ", 1)[1]
        line = _wait_for_line(emulator_out, r"^api gateway: ", self.emulator)
        self.http_url = re.search(r"(http://[^ ]+?)/? ", line).group(1)
        self.ws_url = re.search(r"(ws://[^ )]+)", line).group(1)
        return self

    def _output(self, name: str):
        handle = (self.workdir / name).open("w")
        self.files.append(handle)
        return handle

    def __exit__(self, *exc):
        for process in reversed(self.processes):
            if process is self.cluster and process.stdin and self.broker == "mock":
                process.stdin.close()
            else:
                process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for handle in self.files:
            handle.close()
        if os.environ.get("WEB_TEST_KEEP") != "1":  # WEB_TEST_KEEP=1 keeps the processes' logs
            shutil.rmtree(self.workdir, ignore_errors=True)
        return False

    def emulator_log(self) -> str:
        return self.emulator_err.read_text(errors="replace")

    def produce(self, topic: str, records: list) -> dict:
        """Writes records with a direct produce event through the Invoke API, which creates a
        missing topic (API callers may not create topics: POST /topics/{t} answers 404 then)."""
        event = {"action": "produce", "topic": topic, "records": records}
        request = urllib.request.Request(
            f"http://{self.runtime_address}/2015-03-31/functions/function/invocations",
            data=json.dumps(event).encode(), method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.load(response)
        if answer.get("failed") != 0 or "errorType" in answer:
            raise RuntimeError(f"produce to {topic} failed: {answer}")
        return answer

    def admin(self, method: str, path: str, body=None) -> dict:
        """The emulator's admin routes (`/_emulator/status`, `/_emulator/faults`) on the Runtime API port."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.admin_url}{path}", data=data, method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def offsets(self, topic: str) -> dict:
        with urllib.request.urlopen(f"{self.http_url}/topics/{topic}/offsets", timeout=30) as response:
            return json.load(response)
