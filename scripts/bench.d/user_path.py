"""The path users take, measured first: records supplied in the event, sent with plain
`curl -d @event.json` to lambda-emulator (as the README shows), the per-record answer read back.

Each size is timed with curl's own `%{time_total}` (from its connect to the last byte of the
answer; curl's process start is not included), ours and the Python peer in turns, and the C
librdkafka producer/consumer doing the same number of records on the same cluster. After each
phase the bench reads each function process's VmHWM (reset to the current RSS before the phase
where the kernel allows it), so a phase's peak is its own.
"""

import json
import os
import subprocess

from common import BenchError, median, peak_rss_kib, percentile, reset_peak_rss
from kafka_figures import c_reference

INVOKE = "/2015-03-31/functions/function/invocations"
STREAM_INVOKE = "/2021-11-15/functions/function/response-streaming-invocations"
PRODUCE_SIZES = (1, 100, 5_000, 40_000, 50_000)
# 50,000 keyed records of 100-byte values pass Lambda's 6 MB event limit: that event is keyless.
KEYLESS_SIZES = (50_000,)
CONSUME_SIZES = (100, 40_000)


def repetitions(count, quick):
    table = {1: 200, 100: 50, 5_000: 10, 40_000: 5, 50_000: 5}
    runs = table.get(count, 5)
    return max(3, runs // 4) if quick else runs


def record_key(index):
    """The key of record `index`, as c_producer.c writes it (keyed records batch as users' do)."""
    return f"key-{index:08d}"


def write_produce_event(directory, topic, count, value_bytes, keyed=True):
    """A produce event of `count` records (keyed unless told otherwise) with distinct string values of
    `value_bytes` bytes, compact JSON."""
    pattern = "abcdefghijklmnopqrstuvwxyz0123456789"
    filler = (pattern * (value_bytes // len(pattern) + 1))[:max(0, value_bytes - 8)]
    records = [({"key": record_key(index)} if keyed else {}) | {"value": f"{index:08d}{filler}"[:value_bytes]}
               for index in range(count)]
    path = os.path.join(directory, f"produce-{topic}-{count}.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"action": "produce", "topic": topic, "records": records}, handle, separators=(",", ":"))
    return path, os.path.getsize(path)


def write_event(directory, name, event):
    path = os.path.join(directory, f"{name}.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(event, handle, separators=(",", ":"))
    return path


def curl(port, event_path, answer_path):
    """One plain `curl -d @event` invoke; returns (answer, seconds by curl's own clock)."""
    completed = subprocess.run(
        ["curl", "-sS", "-o", answer_path, "-w", "%{http_code} %{time_total}",
         "-d", f"@{event_path}", f"http://127.0.0.1:{port}{INVOKE}"],
        capture_output=True, text=True, timeout=300)
    if completed.returncode != 0:
        raise BenchError(f"curl exited with {completed.returncode}: {completed.stderr.strip()[-300:]}")
    status, seconds = completed.stdout.split()
    with open(answer_path, "rb") as handle:
        body = handle.read()
    if status != "200":
        raise BenchError(f"invoke answered HTTP {status}: {body[:300]!r}")
    answer = json.loads(body)
    if isinstance(answer, dict) and "errorType" in answer:
        raise BenchError(f"function error: {answer['errorType']}: {str(answer.get('errorMessage'))[:300]}")
    return answer, float(seconds)


def curl_stream(port, event_path, answer_path):
    """One plain `curl -d @event` to the response-streaming route; returns (summary line, seconds)."""
    completed = subprocess.run(
        ["curl", "-sS", "-N", "-o", answer_path, "-w", "%{http_code} %{time_total}",
         "-d", f"@{event_path}", f"http://127.0.0.1:{port}{STREAM_INVOKE}"],
        capture_output=True, text=True, timeout=300)
    if completed.returncode != 0:
        raise BenchError(f"curl exited with {completed.returncode}: {completed.stderr.strip()[-300:]}")
    status, seconds = completed.stdout.split()
    with open(answer_path, "rb") as handle:
        lines = handle.read().splitlines()
    if status != "200" or not lines:
        raise BenchError(f"streamed invoke answered HTTP {status}: {b''.join(lines[-1:])[:300]!r}")
    answer = json.loads(lines[-1])
    if "errorType" in answer:
        raise BenchError(f"function error: {answer['errorType']}: {str(answer.get('errorMessage'))[:300]}")
    if answer.get("count") != len(lines) - 1:
        raise BenchError(f"streamed consume: {len(lines) - 1} record lines, summary says {answer.get('count')}")
    return answer, float(seconds)


def summary(seconds):
    values_ms = [value * 1e3 for value in seconds]
    return {"p50_ms": percentile(values_ms, 0.5), "p99_ms": percentile(values_ms, 0.99),
            "median_ms": median(values_ms), "runs": len(values_ms)}


def function_pids(emulators):
    return {who: emulator.function_pid() for who, emulator in emulators.items()}


def produce_phase(emulators, event_paths, count, runs, scratch):
    """`runs` invocations of each function's event through its emulator, in turns; timings and
    VmHWM (KiB) per function."""
    pids = function_pids(emulators)
    for pid in pids.values():
        reset_peak_rss(pid)
    seconds = {who: [] for who in emulators}
    answer_path = os.path.join(scratch, "answer.json")
    for _ in range(runs):
        for who, emulator in emulators.items():
            answer, elapsed = curl(emulator.port, event_paths[who], answer_path)
            if who == "floor":  # the trivial runtime answers how many bytes it received
                if not answer.get("received"):
                    raise BenchError(f"the trivial runtime received nothing: {answer}")
            elif answer.get("delivered", answer.get("count")) != count:
                raise BenchError(f"{who}: delivered {answer.get('delivered')} of {count}")
            seconds[who].append(elapsed)
    return {who: {**summary(values), "vmhwm_kib": peak_rss_kib(pids[who])} for who, values in seconds.items()}


def consume_phase(emulators, topic, partitions, count, runs, scratch, streaming=("ours",)):
    """Reads `count` records: with 100, the first 100 of partition 0 (a buffered answer). Otherwise
    every record of the topic: ours in one invocation of all partitions, streamed (the answer passes
    Lambda's 6 MB); the peer, which cannot stream, one buffered invocation per partition, continued
    from `next_offsets` when an answer is cut. `streaming` names the functions that stream."""
    pids = function_pids(emulators)
    for pid in pids.values():
        reset_peak_rss(pid)
    seconds = {who: [] for who in emulators}
    answer_path = os.path.join(scratch, "answer.json")
    streamed = write_event(scratch, "consume-streamed", {"action": "consume", "topic": topic, "from": 0,
                                                         "max_records": count, "timeout_ms": 20_000, "stream": True})
    for run_index in range(runs):
        for who, emulator in emulators.items():
            if who in streaming and count > 100:
                answer, total = curl_stream(emulator.port, streamed, answer_path)
                read = answer["count"]
            else:
                total, read = buffered_consume(emulator, who, topic, partitions, count, scratch, answer_path)
            if read != count:
                raise BenchError(f"{who}: consumed {read} records, expected {count}")
            seconds[who].append(total)
    return {who: {**summary(values), "vmhwm_kib": peak_rss_kib(pids[who])} for who, values in seconds.items()}


def buffered_consume(emulator, who, topic, partitions, count, scratch, answer_path):
    """Buffered invocations, partition by partition; returns (seconds summed, records read)."""
    total, read = 0.0, 0
    for partition in ([0] if count <= 100 else range(partitions)):
        offset = 0
        for step in range(20):
            event = {"action": "consume", "topic": topic, "partition": partition, "from": offset,
                     "max_records": count, "timeout_ms": 20_000}
            path = write_event(scratch, f"consume-{who}-{partition}-{step}", event)
            answer, elapsed = curl(emulator.port, path, answer_path)
            total += elapsed
            read += answer["count"]
            offset = next((entry["offset"] for entry in answer["next_offsets"]
                           if entry["partition"] == partition), offset)
            if count <= 100 or (answer["end_of_partitions"] and not answer["truncated"]):
                break
    return total, read


def c_producer(c_dir, servers, topic, count, value_bytes, runs, keyed=True):
    """The same records as the produce events (keys as `record_key` writes them), through the partitioner."""
    seconds, peak = c_reference([os.path.join(c_dir, "c_producer"), servers, topic, str(count), str(value_bytes), str(runs),
                                 "0", "1" if keyed else "0"])
    return {**summary(seconds), "vmhwm_kib": peak}


def c_consumer(c_dir, servers, topic, count, runs):
    seconds, peak = c_reference([os.path.join(c_dir, "c_consumer"), servers, topic, str(count), str(runs)])
    return {**summary(seconds), "vmhwm_kib": peak}
