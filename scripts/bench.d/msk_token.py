"""MSK IAM token generation: `msk-iam-token --repeat` (fixed credentials and date) and the AWS
Python signer with fixed credentials as the reference."""

import re

from common import BenchError, median, run

FIXED = ["--region", "us-east-1", "--access-key-id", "AKIDEXAMPLE",
         "--secret-access-key", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "--date", "2026-11-21T12:00:00Z"]


def ours(binary, count, runs):
    """Median over `runs` of the tool's median µs per token."""
    medians = []
    for _ in range(runs):
        stderr = run([binary, *FIXED, "--repeat", str(count)], timeout=120).stderr
        match = re.search(r"median (\d+) µs per token", stderr)
        if not match:
            raise BenchError(f"msk-iam-token --repeat printed no median: {stderr.strip()[:200]}")
        medians.append(int(match.group(1)))
    return {"median_us": median(medians), "runs_us": medians}


def python_signer(python, script, count, runs):
    medians = []
    for _ in range(runs):
        stdout = run([python, script, str(count)], timeout=300).stdout
        match = re.search(r"median_us ([0-9.]+)", stdout)
        if not match:
            raise BenchError("token_bench.py printed no median")
        medians.append(float(match.group(1)))
    return {"median_us": median(medians), "runs_us": medians}
