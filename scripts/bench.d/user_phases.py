#!/usr/bin/env python3
"""Some phases of the path users take (scripts/bench's first step), for working on one figure:
the same events, emulators, references and timing as scripts/bench, nothing else.

    scripts/bench.d/user_phases.py --bin .build/release [--produce 40000] [--consume 100,40000] [--runs N] [--peer]
                                   [--also before=/path/to/other/bootstrap]

Starts a `kafka-local-cluster`, the bootstrap and the transport floor (`c_runtime`) behind their
own `lambda-emulator`s (and the Python peer with --peer, from .venv-bench), then for each size runs
the produce (or consume) phase of scripts/bench and the C reference, and prints each figure beside
its reference. `--also NAME=BOOTSTRAP` runs another bootstrap (an earlier build) in the same turns,
for a before/after comparison under the same load. Needs the C references built by scripts/bench (bench-results/bin/); not run by CI.
"""

import argparse
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import python_peer  # noqa: E402
import user_path  # noqa: E402
from common import lambda_environment, run  # noqa: E402
from services import Emulator, LocalCluster  # noqa: E402

PARTITIONS = 4
VALUE_BYTES = 100
TOPICS = {"ours": "phase-ours", "peer": "phase-peer", "c": "phase-c", "consume": "phase-consume"}
CONSUME_RECORDS = 40_000


def sizes(text):
    return [int(item) for item in text.split(",") if item]


def line(label, who, figure, reference=None, name=""):
    ratio = f"  {figure / reference:.2f}x {name}" if reference else ""
    print(f"{label:<34} {who:<6} p50 {figure:8.2f} ms{ratio}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", required=True, help="directory with bootstrap, lambda-emulator, kafka-local-cluster")
    parser.add_argument("--c-dir", default=os.path.join(ROOT, "bench-results", "bin"))
    parser.add_argument("--produce", type=sizes, default=[40_000])
    parser.add_argument("--consume", type=sizes, default=[100, 40_000])
    parser.add_argument("--runs", type=int, help="invocations per size (default: scripts/bench's)")
    parser.add_argument("--peer", action="store_true", help="also the Python peer (.venv-bench)")
    parser.add_argument("--also", action="append", default=[], metavar="NAME=BOOTSTRAP",
                        help="another bootstrap measured in the same turns (repeatable)")
    options = parser.parse_args()
    binary = lambda name: os.path.abspath(os.path.join(options.bin, name))  # noqa: E731
    scratch = tempfile.mkdtemp(prefix="user-phases-")
    also = dict(item.partition("=")[::2] for item in options.also)
    TOPICS.update({name: f"phase-{name}" for name in also})
    print(f"load average {' '.join(f'{value:.2f}' for value in os.getloadavg())}", flush=True)
    cluster = LocalCluster(binary("kafka-local-cluster"), TOPICS.values(), PARTITIONS, os.path.join(scratch, "cluster.log"))
    emulators, floor = {}, None
    try:
        servers = cluster.bootstrap_servers
        environment = lambda_environment("", servers)
        run([os.path.join(options.c_dir, "c_producer"), servers, TOPICS["consume"], str(CONSUME_RECORDS),
             str(VALUE_BYTES), "1", str(PARTITIONS)], timeout=300)
        emulators["ours"] = Emulator(binary("lambda-emulator"), [binary("bootstrap")], environment,
                                     os.path.join(scratch, "ours.log"))
        for name, path in also.items():
            emulators[name] = Emulator(binary("lambda-emulator"), [os.path.abspath(path)], environment,
                                       os.path.join(scratch, f"{name}.log"))
        floor = Emulator(binary("lambda-emulator"), [os.path.join(options.c_dir, "c_runtime")], environment,
                         os.path.join(scratch, "floor.log"))
        if options.peer:
            peer = python_peer.ensure(ROOT)
            emulators["peer"] = Emulator(binary("lambda-emulator"), peer.arguments, environment,
                                         os.path.join(scratch, "peer.log"), cwd=peer.directory)
        for count in options.produce:
            keyed = count not in user_path.KEYLESS_SIZES
            paths = {who: user_path.write_produce_event(scratch, TOPICS[who], count, VALUE_BYTES, keyed=keyed)[0]
                     for who in emulators}
            paths["floor"] = paths["ours"]
            for who in emulators:  # the producer exists and knows the topic
                user_path.curl(emulators[who].port, paths[who], os.path.join(scratch, "answer.json"))
            runs = options.runs or user_path.repetitions(count, False)
            result = user_path.produce_phase(emulators | {"floor": floor}, paths, count, runs, scratch)
            c = user_path.c_producer(options.c_dir, servers, TOPICS["c"], count, VALUE_BYTES, runs, keyed)
            label = f"produce {count:,} {'keyed' if keyed else 'keyless'} ({runs} runs)"
            ours = result["ours"]["p50_ms"]
            line(label, "c", c["p50_ms"])
            line(label, "floor", result["floor"]["p50_ms"])
            line(label, "ours", ours, c["p50_ms"] + result["floor"]["p50_ms"], "of C + floor")
            for name in emulators:
                if name != "ours":
                    line(label, name, result[name]["p50_ms"], c["p50_ms"] + result["floor"]["p50_ms"], "of C + floor")
            for name in emulators:
                print(f"{label:<34} {name:<6} VmHWM {result[name]['vmhwm_kib'] / 1024:.1f} MiB", flush=True)
        for count in options.consume:
            runs = options.runs or user_path.repetitions(count, False)
            result = user_path.consume_phase(emulators, TOPICS["consume"], PARTITIONS, count, runs, scratch,
                                             streaming=("ours", *also))
            c = user_path.c_consumer(options.c_dir, servers, TOPICS["consume"], count, runs)
            label = f"consume {count:,} ({runs} runs)"
            line(label, "c", c["p50_ms"])
            line(label, "ours", result["ours"]["p50_ms"], c["p50_ms"], "of C")
            for name in emulators:
                if name != "ours":
                    line(label, name, result[name]["p50_ms"], c["p50_ms"], "of C")
    finally:
        for emulator in [*emulators.values(), floor]:
            if emulator:
                emulator.close()
        cluster.close()
    print(f"load average {' '.join(f'{value:.2f}' for value in os.getloadavg())}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
