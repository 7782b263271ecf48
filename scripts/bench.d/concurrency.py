#!/usr/bin/env python3
"""1-record produces at 1, 4 and 16 concurrent invocations: one process serving them all
(AWS_LAMBDA_MAX_CONCURRENCY=N) next to N single-concurrency processes, as on-demand Lambda
would run them. Figures: invocations per second, median and p99 latency seen by the caller,
peak RSS of the function process(es) and their TCP connections to the brokers.

    scripts/bench.d/concurrency.py --bin .build/release [--seconds 10] [--levels 1,4,16]

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


def measure(bin_dir, cluster, level, shared, seconds, workdir):
    environment = dict(os.environ, KAFKA_ENDPOINT=cluster.bootstrap_servers, AWS_LAMBDA_FUNCTION_MEMORY_SIZE="1024")
    emulators = []
    try:
        if shared:
            environment["AWS_LAMBDA_MAX_CONCURRENCY"] = str(level)
            emulators.append(Emulator(os.path.join(bin_dir, "lambda-emulator"), [os.path.join(bin_dir, "bootstrap")],
                                      environment, os.path.join(workdir, f"shared-{level}.log")))
            clients = [EmulatorClient(emulators[0].port) for _ in range(level)]
        else:
            for index in range(level):
                emulators.append(Emulator(os.path.join(bin_dir, "lambda-emulator"), [os.path.join(bin_dir, "bootstrap")],
                                          environment, os.path.join(workdir, f"single-{level}-{index}.log")))
            clients = [EmulatorClient(emulator.port) for emulator in emulators]
        event = {"action": "produce", "topic": TOPIC, "records": [{"key": "k", "value": "x" * 100}]}
        drive(clients, 1.0, event)  # warm: producer created, connections open, topic known
        latencies = drive(clients, seconds, event)
        pids = [emulator.function_pid() for emulator in emulators]
        ports = {int(entry.rsplit(":", 1)[1]) for entry in cluster.bootstrap_servers.split(",")}
        rss_kib = sum(peak_rss_kib(pid) for pid in pids)
        connections = sum(broker_connections(pid, ports) for pid in pids)
        for client in clients:
            client.close()
        return {
            "level": level, "layout": "1 process" if shared else f"{level} process(es)",
            "invocations_per_s": len(latencies) / seconds,
            "p50_ms": median(latencies), "p99_ms": percentile(latencies, 0.99),
            "rss_mib": rss_kib / 1024, "broker_connections": connections,
        }
    finally:
        for emulator in emulators:
            emulator.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="directory with bootstrap, lambda-emulator, kafka-local-cluster")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--levels", default="1,4,16")
    arguments = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="bench-concurrency-")
    cluster = LocalCluster(os.path.join(arguments.bin, "kafka-local-cluster"), [TOPIC], PARTITIONS,
                           os.path.join(workdir, "cluster.log"))
    rows = []
    try:
        for level in [int(text) for text in arguments.levels.split(",")]:
            for shared in (True, False):
                if level == 1 and not shared:
                    continue
                row = measure(arguments.bin, cluster, level, shared, arguments.seconds, workdir)
                rows.append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
    finally:
        cluster.close()
    print("| concurrent invocations | layout | invocations/s | p50 ms | p99 ms | peak RSS MiB (all processes) | broker connections |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['level']} | {row['layout']} | {row['invocations_per_s']:.0f} | {row['p50_ms']:.2f} | "
              f"{row['p99_ms']:.2f} | {row['rss_mib']:.1f} | {row['broker_connections']} |")
    print(f"\nlogs: {workdir}", file=sys.stderr)


if __name__ == "__main__":
    main()
