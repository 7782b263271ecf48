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

from common import BenchError, median, percentile

MB = 1_000_000


def rates(records, value_bytes, seconds):
    return {"records_per_s": records / seconds, "mb_per_s": records * value_bytes / MB / seconds}


def warm_up(emulator, topic):
    """Creates the function's producer and learns the topic, so later figures are warm."""
    emulator.client.invoke_ok({"action": "produce", "topic": topic, "records": [{"value": "warm-up"}]})


def produce_once(emulator, topic, count, value_bytes):
    """One invocation producing `count` generated records; returns (function s, wall s)."""
    answer, elapsed_ns = emulator.client.invoke_ok(
        {"action": "produce", "topic": topic, "generate": {"count": count, "value_bytes": value_bytes}})
    if answer.get("delivered") != count:
        raise BenchError(f"produce delivered {answer.get('delivered')} of {count}")
    return max(answer["elapsed_ms"], 1) / 1e3, elapsed_ns / 1e9


def summarize(own, wall, count, value_bytes):
    """Rates from the median times of several runs (own: the function's `elapsed_ms`; wall: the invoke)."""
    summary = {"own": rates(count, value_bytes, median(own)), "own_s": own}
    if wall:
        summary.update({"wall": rates(count, value_bytes, median(wall)), "wall_s": wall})
    return summary


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


def latency(emulators, event, count, warmup):
    """p50/p99 wall milliseconds of `count` identical invocations of each emulator's function,
    taken in turns so the machine's load weighs on each alike. A function error is counted
    (and its first message kept), not timed; more than 10% of them is a failure."""
    samples = {who: [] for who in emulators}
    errors = {who: [] for who in emulators}
    for index in range(warmup + count):
        for who, emulator in emulators.items():
            answer, elapsed = emulator.client.invoke(event)
            if isinstance(answer, dict) and "errorType" in answer:
                errors[who].append(f"{answer['errorType']}: {str(answer.get('errorMessage'))[:200]}")
            elif index >= warmup:
                samples[who].append(elapsed / 1e6)
    for who, failures in errors.items():
        if len(failures) > (warmup + count) // 10:
            raise BenchError(f"{who}: {len(failures)} of {warmup + count} {event['action']} invocations failed: {failures[0]}")
    return {who: {"p50_ms": percentile(values, 0.5), "p99_ms": percentile(values, 0.99), "count": len(values),
                  "function_errors": len(errors[who]), "first_error": errors[who][0] if errors[who] else None}
            for who, values in samples.items()}


def c_reference(arguments, timeout=600):
    """Runs c_producer or c_consumer; returns its `elapsed_us` lines in seconds and its peak RSS (KiB)."""
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
    return seconds, usage.ru_maxrss
