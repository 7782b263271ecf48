"""Times the AWS Python MSK IAM signer (aws-msk-iam-sasl-signer-python) with fixed credentials.

    token_bench.py COUNT   ->  prints the median microseconds per token
"""

import statistics
import sys
import time

from aws_msk_iam_sasl_signer import MSKAuthTokenProvider
from botocore.credentials import CredentialProvider, Credentials


class FixedCredentials(CredentialProvider):
    METHOD = "bench-fixed"

    def load(self):
        return Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")


def main():
    count = min(max(int(sys.argv[1]), 1), 100_000)
    provider = FixedCredentials()
    samples = []
    for _ in range(count):
        started = time.perf_counter_ns()
        MSKAuthTokenProvider.generate_auth_token_from_credentials_provider("us-east-1", provider)
        samples.append((time.perf_counter_ns() - started) / 1e3)
    print(f"median_us {statistics.median(samples):.1f}")


main()
