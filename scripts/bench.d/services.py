"""The long-lived processes every Kafka measurement shares: the local cluster and emulators."""

import os
import re
import select
import subprocess

from common import LOOPBACK, BenchError, EmulatorClient, file_line_matching, stop, wait_until


class LocalCluster:
    """`kafka-local-cluster` (librdkafka's mock cluster on loopback), alive while its stdin is open."""

    def __init__(self, binary, topics, partitions, log_path):
        arguments = [binary, "--brokers", "3", "--partitions", str(partitions)]
        for topic in topics:
            arguments += ["--topic", topic]
        self.log = open(log_path, "wb")
        self.process = subprocess.Popen(arguments, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log)
        self.bootstrap_servers = self._first_line(timeout=20)
        if not re.fullmatch(r"[0-9.:,]+", self.bootstrap_servers) or LOOPBACK not in self.bootstrap_servers:
            raise BenchError(f"kafka-local-cluster printed {self.bootstrap_servers!r}, not loopback host:port list")

    def _first_line(self, timeout):
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            self.close()
            raise BenchError("kafka-local-cluster printed no bootstrap servers")
        return self.process.stdout.readline(4096).decode().strip()

    def close(self):
        if self.process.stdin and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            stop(self.process)
        self.log.close()


class Emulator:
    """`lambda-emulator` on a free loopback port running `function_arguments` (a bootstrap or the peer)."""

    def __init__(self, binary, function_arguments, environment, log_path, cwd=None, timeout_seconds=120, options=()):
        self.log_path = log_path
        self.log = open(log_path, "wb")
        arguments = [binary, "--port", "0", "--host", LOOPBACK, "--timeout", str(timeout_seconds), *options, "--"]
        self.process = subprocess.Popen(arguments + function_arguments, env=environment, cwd=cwd,
                                        stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        line = wait_until(lambda: file_line_matching(log_path, r"listening on") or self._exited(), 20,
                          "lambda-emulator to listen")
        match = re.search(r":(\d+)$", line)
        if not match:
            self.close()
            raise BenchError(f"lambda-emulator: {line}")
        self.port = int(match.group(1))
        # Printed before the `listening on` line: the Runtime API and /_emulator/* (loopback only).
        runtime_line = file_line_matching(log_path, r"runtime API and admin routes on") or ""
        runtime_match = re.search(r":(\d+)$", runtime_line)
        if not runtime_match:
            stop(self.process, timeout=10)
            self.log.close()
            raise BenchError(f"lambda-emulator printed no Runtime API port: {runtime_line!r}")
        self.runtime_api_port = int(runtime_match.group(1))
        self.client = EmulatorClient(self.port, self.runtime_api_port, timeout=timeout_seconds + 10)
        # The emulator prints its port before it has the function's environment; an invoke in
        # that window starts the function without AWS_LAMBDA_RUNTIME_API. Wait for the start.
        wait_until(lambda: self.client.status().get("bootstrap_pid") or self._exited(), 20,
                   "lambda-emulator to start the function")

    def _exited(self):
        if self.process.poll() is not None:
            raise BenchError(f"lambda-emulator exited with {self.process.returncode}; see {self.log_path}")
        return None

    def function_pid(self):
        pid = self.client.status().get("bootstrap_pid")
        if not pid or not os.path.exists(f"/proc/{pid}"):
            raise BenchError("the emulator reports no running function process")
        return pid

    def close(self):
        self.client.close()
        stop(self.process, timeout=10)
        self.log.close()
