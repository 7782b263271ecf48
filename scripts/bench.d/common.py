"""Shared helpers: statistics, bounded waits, child processes, loopback HTTP clients."""

import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import time

LOOPBACK = "127.0.0.1"


class BenchError(Exception):
    """A measurement could not run (as opposed to a slow figure, which is never an error)."""


def median(values):
    return statistics.median(values) if values else None


def percentile(values, fraction):
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def now_ns():
    return time.perf_counter_ns()


def wait_until(predicate, timeout, what, interval=0.005):
    """Polls `predicate` until it returns a true value (returned) or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise BenchError(f"timed out after {timeout:g} s waiting for {what}")


def stop(process, timeout=5):
    """SIGTERM, then SIGKILL after `timeout` seconds; reaps the process."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def kill(process):
    if process is not None and process.poll() is None:
        process.kill()
        process.wait(timeout=5)


def run(arguments, timeout, **kwargs):
    """Runs a command directly (no shell) and returns its CompletedProcess; raises on failure."""
    try:
        completed = subprocess.run(arguments, capture_output=True, text=True, timeout=timeout, **kwargs)
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"{arguments[0]} did not finish within {timeout} s") from error
    if completed.returncode != 0:
        raise BenchError(f"{' '.join(arguments[:3])} ... exited with {completed.returncode}: {completed.stderr.strip()[-800:]}")
    return completed


def file_line_matching(path, pattern):
    """The first line of the file at `path` that matches `pattern`, or None."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if re.search(pattern, line):
                    return line.strip()
    except FileNotFoundError:
        pass
    return None


def peak_rss_kib(pid):
    """VmHWM of a live process, in KiB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise BenchError(f"no VmHWM for pid {pid}")


def reset_peak_rss(pid):
    """Resets VmHWM to the current RSS (Linux >= 4.0); returns False where that is not allowed."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


class KeepAliveClient:
    """One HTTP/1.1 keep-alive connection to 127.0.0.1:port."""

    def __init__(self, port, timeout=120):
        self.connection = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)

    def request(self, method, path, body=None):
        """Returns (status, body bytes, elapsed ns)."""
        headers = {"Content-Type": "application/json"} if body is not None else {}
        started = now_ns()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        return response.status, data, now_ns() - started

    def close(self):
        self.connection.close()


class EmulatorClient(KeepAliveClient):
    """Invocations on the emulator's invoke port; `status` on its loopback Runtime API port."""
    INVOKE = "/2015-03-31/functions/function/invocations"

    def __init__(self, port, runtime_api_port, timeout=120):
        super().__init__(port, timeout=timeout)
        self.admin = KeepAliveClient(runtime_api_port, timeout=timeout)

    def close(self):
        self.admin.close()
        super().close()

    def invoke(self, event):
        """Invokes with a JSON event; returns (decoded answer, wall ns)."""
        status, data, elapsed = self.request("POST", self.INVOKE, json.dumps(event).encode())
        if status != 200:
            raise BenchError(f"invoke answered HTTP {status}: {data[:300]!r}")
        try:
            return json.loads(data), elapsed
        except ValueError as error:
            raise BenchError(f"invoke answered non-JSON: {data[:300]!r}") from error

    def invoke_ok(self, event):
        """Like `invoke`, but a function error (an `errorType` answer) is a BenchError."""
        answer, elapsed = self.invoke(event)
        if isinstance(answer, dict) and "errorType" in answer:
            raise BenchError(f"{event.get('action')} failed: {answer['errorType']}: {str(answer.get('errorMessage'))[:300]}")
        return answer, elapsed

    def status(self):
        status, data, _ = self.admin.request("GET", "/_emulator/status")
        if status != 200:
            raise BenchError(f"/_emulator/status answered HTTP {status}")
        return json.loads(data)


def lambda_environment(runtime_api, kafka_endpoint, extra=None):
    """The environment Lambda gives a function, for processes the bench starts itself."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "AWS_LAMBDA_RUNTIME_API": runtime_api,
        "AWS_LAMBDA_FUNCTION_NAME": "bench",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
        "AWS_LAMBDA_FUNCTION_TIMEOUT": "60",
        "AWS_REGION": "us-east-1",
        "KAFKA_ENDPOINT": kafka_endpoint,
    }
    environment.update(extra or {})
    return environment
