"""The Python peer's virtualenv (.venv-bench): confluent-kafka and awslambdaric from PyPI, plus
the AWS MSK IAM signer for the token reference."""

import os
import subprocess
import sys

from common import BenchError, run

HERE = os.path.dirname(os.path.abspath(__file__))
PEER_DIR = os.path.join(HERE, "python_peer")
REQUIRED = ["confluent-kafka", "aws-msk-iam-sasl-signer-python"]


class Peer:
    def __init__(self, python, uses_awslambdaric, note):
        self.python = python
        self.uses_awslambdaric = uses_awslambdaric
        self.note = note
        self.directory = PEER_DIR

    @property
    def arguments(self):
        """The command the emulator (or the bench) starts as the function."""
        if self.uses_awslambdaric:
            return [self.python, "-m", "awslambdaric", "handler.handler"]
        return [self.python, os.path.join(PEER_DIR, "mini_runtime.py")]

    @property
    def label(self):
        return "Python peer (awslambdaric)" if self.uses_awslambdaric else "Python peer (FALLBACK urllib loop, no awslambdaric)"

    def versions(self):
        return dict(item.split("=", 1) for item in run([self.python, "-c", VERSIONS_SCRIPT], timeout=60).stdout.split())


VERSIONS_SCRIPT = """
import importlib.metadata as m, sys, confluent_kafka
found = {"python": sys.version.split()[0], "bundled-librdkafka": confluent_kafka.libversion()[0]}
for name in ("confluent-kafka", "awslambdaric"):
    try:
        found[name] = m.version(name)
    except m.PackageNotFoundError:
        pass
print(" ".join(f"{k}={v}" for k, v in found.items()))
"""


def _has(python, module):
    return subprocess.run([python, "-c", f"import {module}"], capture_output=True, timeout=60).returncode == 0


def ensure(root):
    """Creates or reuses `root/.venv-bench`; returns a Peer."""
    venv = os.path.join(root, ".venv-bench")
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(python):
        run([sys.executable, "-m", "venv", venv], timeout=300)
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if not (_has(python, "confluent_kafka") and _has(python, "aws_msk_iam_sasl_signer")):
        run(pip + REQUIRED, timeout=900)
    if _has(python, "awslambdaric"):
        return Peer(python, True, "")
    attempt = subprocess.run(pip + ["awslambdaric"], capture_output=True, text=True, timeout=900)
    if attempt.returncode == 0 and _has(python, "awslambdaric"):
        return Peer(python, True, "")
    reason = (attempt.stderr or attempt.stdout).strip().splitlines()[-3:]
    if not _has(python, "confluent_kafka"):
        raise BenchError("confluent-kafka is not importable in .venv-bench")
    return Peer(python, False, "awslambdaric did not install: " + " | ".join(reason))
