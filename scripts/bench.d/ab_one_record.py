#!/usr/bin/env python3
"""Warm 1-record produce latency of two bootstrap builds side by side (before/after a change).

    scripts/bench.d/ab_one_record.py --before DIR --after DIR [--count 2000] [--chunk 100]

Each DIR holds a `bootstrap`; `lambda-emulator` and `kafka-local-cluster` come from --after.
One cluster, one emulator per build (one runtime loop each, AWS_LAMBDA_MAX_CONCURRENCY unset),
one keep-alive client each; the two are driven in turns, `chunk` invocations at a time, so the
machine's load weighs on both alike. Each invocation carries its record in the event (key `k`,
100-byte value). Prints p50 and p99 in ms of the caller's round trip. Not run by CI.
"""

import argparse
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from common import median, percentile  # noqa: E402
from services import Emulator, LocalCluster  # noqa: E402

TOPIC = "bench-ab"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", required=True)
    parser.add_argument("--after", required=True)
    parser.add_argument("--count", type=int, default=2000, help="invocations per build")
    parser.add_argument("--chunk", type=int, default=100)
    arguments = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="bench-ab-")
    cluster = LocalCluster(os.path.join(arguments.after, "kafka-local-cluster"), [TOPIC], 4,
                           os.path.join(workdir, "cluster.log"))
    environment = dict(os.environ, KAFKA_ENDPOINT=cluster.bootstrap_servers, AWS_LAMBDA_FUNCTION_MEMORY_SIZE="1024")
    environment.pop("AWS_LAMBDA_MAX_CONCURRENCY", None)
    event = {"action": "produce", "topic": TOPIC, "records": [{"key": "k", "value": "x" * 100}]}
    builds = {"before": arguments.before, "after": arguments.after}
    emulators, samples = {}, {name: [] for name in builds}
    try:
        for name, directory in builds.items():
            emulators[name] = Emulator(os.path.join(arguments.after, "lambda-emulator"),
                                       [os.path.join(directory, "bootstrap")], environment,
                                       os.path.join(workdir, f"{name}.log"))
            for _ in range(50):  # warm: producer created, connections open, topic known
                emulators[name].client.invoke_ok(event)
        while len(samples["after"]) < arguments.count:
            for name, emulator in emulators.items():
                for _ in range(arguments.chunk):
                    answer, elapsed = emulator.client.invoke_ok(event)
                    if answer.get("delivered") != 1:
                        raise RuntimeError(f"unexpected answer {answer}")
                    samples[name].append(elapsed / 1e6)
    finally:
        for emulator in emulators.values():
            emulator.close()
        cluster.close()
    for name, values in samples.items():
        print(f"{name}: p50 {median(values):.3f} ms, p99 {percentile(values, 0.99):.3f} ms, {len(values)} invocations")


if __name__ == "__main__":
    main()
