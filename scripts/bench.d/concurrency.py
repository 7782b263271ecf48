#!/usr/bin/env python3
"""1-record produces at 1, 4 and 16 concurrent invocations: one process serving them all
(AWS_LAMBDA_MAX_CONCURRENCY=N) next to N single-concurrency processes, as on-demand Lambda
would run them. Figures: invocations per second, median and p99 latency seen by the caller,
peak RSS of the function process(es) and their TCP connections to the brokers.
Then a streamed consume of about 20 MB (time to the first record, MB/s to the last).

    scripts/bench.d/concurrency.py --bin .build/release [--seconds 4] [--rounds 5] [--levels 1,4,16] [--rtt-ms 0]

--rtt-ms sets the mock brokers' round trip (`rtt <broker> <ms>`), as a real cluster has one: on
loopback an acknowledgement takes a fraction of a millisecond, in a region a few milliseconds.

Not run by CI. Every invocation is a plain Invoke API call through the emulator, carrying its
record in the event, as a user's call would. Results go to docs/concurrency.md by hand.
"""

import argparse
import json
import os
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from common import EmulatorClient, median, peak_rss_kib, percentile  # noqa: E402
from services import Emulator, LocalCluster  # noqa: E402

TOPIC = "bench-concurrency"
PARTITIONS = 4


def broker_connections(pid, broker_ports):
    """Established TCP connections of `pid` to any of `broker_ports` (IPv4 loopback)."""
    inodes = set()
    for name in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{name}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    with open("/proc/net/tcp", encoding="ascii") as handle:
        next(handle)
        for line in handle:
            fields = line.split()
            remote_port = int(fields[2].split(":")[1], 16)
            if fields[3] == "01" and remote_port in broker_ports and fields[9] in inodes:
                count += 1
    return count


def drive(clients, seconds, event):
    """One thread per client, each invoking back to back for `seconds`; returns latencies (ms)."""
    latencies = []
    lock = threading.Lock()
    errors = []
    stop_at = time.monotonic() + seconds

    def worker(client):
        mine = []
        try:
            while time.monotonic() < stop_at:
                answer, elapsed = client.invoke_ok(event)
                if answer.get("delivered") != 1:
                    raise RuntimeError(f"unexpected answer {answer}")
                mine.append(elapsed / 1e6)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} client(s) failed: {errors[0]}")
    return latencies


class Setup:
    """`level` concurrent callers: one process with AWS_LAMBDA_MAX_CONCURRENCY=level, or `level`
    processes with one invocation at a time each."""

    def __init__(self, bin_dir, cluster, level, shared, workdir):
        self.level, self.shared = level, shared
        self.layout = "1 process" if shared else f"{level} processes"
        environment = dict(os.environ, KAFKA_ENDPOINT=cluster.bootstrap_servers, AWS_LAMBDA_FUNCTION_MEMORY_SIZE="1024")
        binaries = (os.path.join(bin_dir, "lambda-emulator"), [os.path.join(bin_dir, "bootstrap")])
        self.emulators = []
        if shared:
            environment["AWS_LAMBDA_MAX_CONCURRENCY"] = str(level)
            self.emulators.append(Emulator(*binaries, environment, os.path.join(workdir, f"shared-{level}.log")))
            self.clients = [EmulatorClient(self.emulators[0].port, self.emulators[0].runtime_api_port) for _ in range(level)]
        else:
            for index in range(level):
                self.emulators.append(Emulator(*binaries, environment, os.path.join(workdir, f"single-{level}-{index}.log")))
            self.clients = [EmulatorClient(emulator.port, emulator.runtime_api_port) for emulator in self.emulators]
        self.rates, self.latencies = [], []

    def run(self, seconds, event):
        latencies = drive(self.clients, seconds, event)
        self.rates.append(len(latencies) / seconds)
        self.latencies.extend(latencies)

    def row(self, cluster):
        pids = [emulator.function_pid() for emulator in self.emulators]
        ports = {int(entry.rsplit(":", 1)[1]) for entry in cluster.bootstrap_servers.split(",")}
        return {
            "level": self.level, "layout": self.layout,
            "invocations_per_s": median(self.rates), "rounds": self.rates,
            "p50_ms": median(self.latencies), "p99_ms": percentile(self.latencies, 0.99),
            "rss_mib": sum(peak_rss_kib(pid) for pid in pids) / 1024,
            "broker_connections": sum(broker_connections(pid, ports) for pid in pids),
        }

    def close(self):
        for client in self.clients:
            client.close()
        for emulator in self.emulators:
            emulator.close()


def measure(bin_dir, cluster, level, seconds, rounds, workdir):
    """Both layouts for `level`, driven in turns (round by round) so that the machine's load
    weighs on both alike; returns their rows."""
    event = {"action": "produce", "topic": TOPIC, "records": [{"key": "k", "value": "x" * 100}]}
    setups = [Setup(bin_dir, cluster, level, True, workdir)]
    if level > 1:
        setups.append(Setup(bin_dir, cluster, level, False, workdir))
    try:
        for setup in setups:
            drive(setup.clients, 1.0, event)  # warm: producer created, connections open, topic known
        for _ in range(rounds):
            for setup in setups:
                setup.run(seconds, event)
        return [setup.row(cluster) for setup in setups]
    finally:
        for setup in setups:
            setup.close()


def streamed_consume(bin_dir, cluster, workdir, runs=3):
    """Produces 8 x 25 records of 100 KiB through the function (one partition each), then reads
    them back with streamed consumes; returns (bytes, [first-record ms], [total ms])."""
    import http.client
    topic = "bench-stream"
    cluster.process.stdin.write(f"create-topic {topic} 8 1\n".encode())
    cluster.process.stdin.flush()
    cluster.process.stdout.readline()
    environment = dict(os.environ, KAFKA_ENDPOINT=cluster.bootstrap_servers)
    emulator = Emulator(os.path.join(bin_dir, "lambda-emulator"), [os.path.join(bin_dir, "bootstrap")],
                        environment, os.path.join(workdir, "stream.log"))
    try:
        client = EmulatorClient(emulator.port, emulator.runtime_api_port)
        for partition in range(8):
            records = [{"value": f"{partition}-{index}-" + "v" * (100 * 1024 - 12), "partition": partition} for index in range(25)]
            client.invoke_ok({"action": "produce", "topic": topic, "records": records})
        client.close()
        event = json.dumps({"action": "consume", "topic": topic, "stream": True, "max_records": 100000, "timeout_ms": 60000})
        first, total, size = [], [], 0
        for _ in range(runs):
            connection = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=120)
            started = time.perf_counter()
            connection.request("POST", "/2021-11-15/functions/function/response-streaming-invocations", body=event)
            response = connection.getresponse()
            line = response.readline()
            first.append((time.perf_counter() - started) * 1000)
            size = len(line) + len(response.read())
            total.append((time.perf_counter() - started) * 1000)
            connection.close()
        return size, first, total
    finally:
        emulator.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="directory with bootstrap, lambda-emulator, kafka-local-cluster")
    parser.add_argument("--seconds", type=float, default=4, help="per round and layout")
    parser.add_argument("--levels", default="1,4,16")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rtt-ms", type=int, default=0, help="round trip of every mock broker")
    arguments = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="bench-concurrency-")
    cluster = LocalCluster(os.path.join(arguments.bin, "kafka-local-cluster"), [TOPIC], PARTITIONS,
                           os.path.join(workdir, "cluster.log"))
    rows = []
    try:
        for broker in (1, 2, 3) if arguments.rtt_ms else ():
            cluster.process.stdin.write(f"rtt {broker} {arguments.rtt_ms}\n".encode())
            cluster.process.stdin.flush()
            cluster.process.stdout.readline()
        for level in [int(text) for text in arguments.levels.split(",")]:
            for row in measure(arguments.bin, cluster, level, arguments.seconds, arguments.rounds, workdir):
                rows.append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
        stream_bytes, stream_first, stream_total = streamed_consume(arguments.bin, cluster, workdir)
    finally:
        cluster.close()
    print("| concurrent invocations | layout | invocations/s (median of rounds) | p50 ms | p99 ms | peak RSS MiB (all processes) | broker connections |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['level']} | {row['layout']} | {row['invocations_per_s']:.0f} | {row['p50_ms']:.2f} | "
              f"{row['p99_ms']:.2f} | {row['rss_mib']:.1f} | {row['broker_connections']} |")
    print(f"\nstreamed consume: {stream_bytes / 1e6:.1f} MB; first record after {median(stream_first):.0f} ms, "
          f"all after {median(stream_total):.0f} ms ({stream_bytes / 1e6 / (median(stream_total) / 1000):.0f} MB/s), "
          f"median of {len(stream_total)}")
    print(f"\nlogs: {workdir}", file=sys.stderr)


if __name__ == "__main__":
    main()
