#!/usr/bin/env python3
"""Where the bootstrap's instructions go on the path users take, counted with callgrind (counts
are repeatable on a busy machine, unlike times), and its peak RSS for the largest event.

    scripts/bench.d/profile.py --bin .build/release [--records 40000] [--runs 2] [--top 40]
    scripts/bench.d/profile.py --bin .build/release --rss-only [--records 50000]

Starts a `kafka-local-cluster` and a `lambda-emulator` running `valgrind --tool=callgrind bootstrap`,
warms the function up (one record produced, one consume), zeroes the counters, then sends the
produce event of `--records` records (compact JSON, as scripts/bench writes it: keyed up to 40,000) `--runs`
times with plain curl and dumps; then the same for a consume of every record of a topic that holds
`--records` records (written by the C producer, round-robin). Prints callgrind_annotate's inclusive
and exclusive tables for each phase; the raw files stay in --out. With --rss-only the bootstrap runs
without valgrind and the script prints its VmHWM after each phase (reset before it).

Not run by CI; development only. Needs valgrind (callgrind_annotate) and the C references built by
scripts/bench (bench-results/bin/c_producer).
"""

import argparse
import os
import subprocess
import sys
import shutil
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import user_path  # noqa: E402
from common import lambda_environment, peak_rss_kib, reset_peak_rss, run  # noqa: E402
from services import Emulator, LocalCluster  # noqa: E402

PRODUCE_TOPIC = "profile-produce"
CONSUME_TOPIC = "profile-consume"
PARTITIONS = 4
VALUE_BYTES = 100


def callgrind(pid, action):
    run(["callgrind_control", action, str(pid)], timeout=300)


def annotate(path, inclusive, top):
    arguments = ["callgrind_annotate", f"--inclusive={'yes' if inclusive else 'no'}", "--threshold=100", path]
    output = run(arguments, timeout=600).stdout.splitlines()
    # The header and then the `top` heaviest lines.
    start = next((i for i, line in enumerate(output) if line.startswith("-----") and i > 10), 0)
    return "\n".join(output[: start + top + 4])


def phase(name, emulator, pid, profiling, invoke, runs, out_dir, top):
    if profiling:
        callgrind(pid, "-z")
    else:
        reset_peak_rss(pid)
    started = time.monotonic()
    for _ in range(runs):
        invoke()
    seconds = time.monotonic() - started
    if not profiling:
        print(f"{name}: VmHWM {peak_rss_kib(pid) / 1024:.1f} MiB ({runs} runs, {seconds:.2f} s)")
        return
    callgrind(pid, f"--dump={name}")
    time.sleep(1)
    dumps = sorted((os.path.join(out_dir, f) for f in os.listdir(out_dir) if f.startswith("callgrind.out")),
                   key=os.path.getmtime)
    print(f"===== {name}: {runs} runs, {seconds:.1f} s under valgrind, {dumps[-1]}")
    print(annotate(dumps[-1], True, top))
    print(annotate(dumps[-1], False, top // 2))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--records", type=int, default=40_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--rss-only", action="store_true")
    parser.add_argument("--out", default=os.path.join(ROOT, "bench-results", "profile"))
    parser.add_argument("--c-dir", default=os.path.join(ROOT, "bench-results", "bin"))
    options = parser.parse_args()
    os.makedirs(options.out, exist_ok=True)
    binary = lambda name: os.path.abspath(os.path.join(options.bin, name))  # noqa: E731
    profiling = not options.rss_only
    function = [binary("bootstrap")]
    if profiling:
        # valgrind 3.19 cannot read Swift's DWARF 5; symbols are enough (as the deployment build links it).
        stripped = os.path.join(os.path.abspath(options.out), "bootstrap")
        run(["objcopy", "--strip-debug", function[0], stripped], timeout=120)
        function = [shutil.which("valgrind") or "valgrind", "--tool=callgrind", "--quiet",
                    f"--callgrind-out-file={os.path.abspath(options.out)}/callgrind.out.%p", stripped]
    scratch = tempfile.mkdtemp(prefix="profile-")
    cluster = LocalCluster(binary("kafka-local-cluster"), [PRODUCE_TOPIC, CONSUME_TOPIC], PARTITIONS,
                           os.path.join(options.out, "cluster.log"))
    try:
        servers = cluster.bootstrap_servers
        run([os.path.join(options.c_dir, "c_producer"), servers, CONSUME_TOPIC, str(options.records),
             str(VALUE_BYTES), "1", str(PARTITIONS)], timeout=300)
        emulator = Emulator(binary("lambda-emulator"), function, lambda_environment("", servers),
                            os.path.join(options.out, "emulator.log"), timeout_seconds=600)
        try:
            pid = emulator.function_pid()
            # As scripts/bench writes them: keyed, except where keys would pass Lambda's 6 MB.
            event, _ = user_path.write_produce_event(scratch, PRODUCE_TOPIC, options.records, VALUE_BYTES,
                                                     keyed=options.records <= 40_000)
            small, _ = user_path.write_produce_event(scratch, PRODUCE_TOPIC, 1, VALUE_BYTES)
            consume = user_path.write_event(scratch, "consume", {
                "action": "consume", "topic": CONSUME_TOPIC, "from": 0, "max_records": options.records,
                "timeout_ms": 60_000})
            answer = os.path.join(scratch, "answer.json")
            user_path.curl(emulator.port, small, answer)
            user_path.curl(emulator.port, consume, answer)
            phase("produce", emulator, pid, profiling, lambda: user_path.curl(emulator.port, event, answer),
                  options.runs, options.out, options.top)
            phase("consume", emulator, pid, profiling, lambda: user_path.curl(emulator.port, consume, answer),
                  options.runs, options.out, options.top)
        finally:
            emulator.close()
    finally:
        cluster.close()


if __name__ == "__main__":
    sys.exit(main())
