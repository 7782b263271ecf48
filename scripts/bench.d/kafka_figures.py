"""Kafka through a function behind the emulator (ours or the peer), and the plain C references.

Throughput: one invocation produces `count` generated records; records/s come from the
result's `elapsed_ms` (the function's own time) and from the invoke's wall time. Consume
reads a topic that holds exactly `count` records, one partition per invocation from offset 0
(each partition's records fit Lambda's 6 MB answer; an answer cut short is continued from its
`next_offsets`), so the figure is the data path, not a consumer group's join.
"""

import os
import subprocess
import tempfile
import threading

from common import BenchError, median, peak_rss_kib, percentile, reset_peak_rss

MB = 1_000_000


def rates(records, value_bytes, seconds):
    return {"records_per_s": records / seconds, "mb_per_s": records * value_bytes / MB / seconds}


def warm_up(emulator, topic):
    """Creates the function's producer and learns the topic, so later figures are warm."""
    emulator.client.invoke_ok({"action": "produce", "topic": topic, "records": [{"value": "warm-up"}]})


def produce_throughput(emulator, topic, count, value_bytes, runs):
    """Medians over `runs` invocations, and the function's peak RSS during them (KiB)."""
    pid = emulator.function_pid()
    peak_reset = reset_peak_rss(pid)
    own, wall = [], []
    for _ in range(runs):
        answer, elapsed_ns = emulator.client.invoke_ok(
            {"action": "produce", "topic": topic, "generate": {"count": count, "value_bytes": value_bytes}})
        if answer.get("delivered") != count:
            raise BenchError(f"produce delivered {answer.get('delivered')} of {count}")
        own.append(max(answer["elapsed_ms"], 1) / 1e3)
        wall.append(elapsed_ns / 1e9)
    return {"own": rates(count, value_bytes, median(own)), "wall": rates(count, value_bytes, median(wall)),
            "own_s": own, "wall_s": wall, "peak_rss_kib": peak_rss_kib(pid),
            "peak_rss_scope": "during these invocations" if peak_reset else "since the process started"}


def consume_all(emulator, topic, partitions, count):
    """Reads every record of `topic`; returns (function seconds, wall seconds)."""
    own_ms, wall_ns, read = 0, 0, 0
    for partition in range(partitions):
        offset = 0
        for _ in range(100):
            answer, elapsed = emulator.client.invoke_ok(
                {"action": "consume", "topic": topic, "partition": partition, "from": offset,
                 "max_records": 100_000, "timeout_ms": 20_000})
            own_ms += answer["elapsed_ms"]
            wall_ns += elapsed
            read += answer["count"]
            offset = next((entry["offset"] for entry in answer["next_offsets"] if entry["partition"] == partition), offset)
            if answer["end_of_partitions"] and not answer["truncated"]:
                break
        else:
            raise BenchError(f"partition {partition} of {topic} was not read to its end in 100 invocations")
    if read != count:
        raise BenchError(f"consumed {read} records of {topic}, expected {count}")
    return max(own_ms, 1) / 1e3, wall_ns / 1e9


def consume_throughput(emulator, topic, partitions, count, value_bytes, runs):
    own, wall = [], []
    for _ in range(runs):
        seconds, wall_seconds = consume_all(emulator, topic, partitions, count)
        own.append(seconds)
        wall.append(wall_seconds)
    return {"own": rates(count, value_bytes, median(own)), "wall": rates(count, value_bytes, median(wall)),
            "own_s": own, "wall_s": wall}


def latency(emulator, event, count, warmup):
    """p50/p99 wall milliseconds of `count` identical invocations."""
    samples = []
    for index in range(warmup + count):
        _, elapsed = emulator.client.invoke_ok(event)
        if index >= warmup:
            samples.append(elapsed / 1e6)
    return {"p50_ms": percentile(samples, 0.5), "p99_ms": percentile(samples, 0.99), "count": len(samples)}


def c_reference(arguments, count, value_bytes, timeout=600):
    """Runs c_producer or c_consumer: rates from the median of its `elapsed_us` lines, and its peak RSS."""
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(arguments, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors)
        watchdog = threading.Timer(timeout, process.kill)
        watchdog.start()
        try:
            output = process.stdout.read().decode()
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            watchdog.cancel()
            process.stdout.close()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise BenchError(f"{os.path.basename(arguments[0])} exited with {process.returncode}: "
                             f"{errors.read().decode(errors='replace').strip()[-500:]}")
    seconds = [int(line.split()[1]) / 1e6 for line in output.splitlines() if line.startswith("elapsed_us ")]
    if not seconds:
        raise BenchError(f"{arguments[0]} printed no timings")
    return {"own": rates(count, value_bytes, median(seconds)), "own_s": seconds, "peak_rss_kib": usage.ru_maxrss}
