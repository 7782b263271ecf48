#!/usr/bin/env python3
"""Writes the RDS IAM auth token vectors the Swift tests compare against, byte for byte.

Dev tool, run by hand when the cases change:
    python3 scripts/sigv4-vectors/generate_rds.py
The tokens come from botocore's own `generate_db_auth_token` (what `aws rds generate-db-auth-token`
runs) on an RDS client with fixed credentials and a fixed clock; nothing is sent anywhere.
"""
import json
import os
from unittest import mock

import botocore
import botocore.session

from fixed_inputs import AKID, BASE_EPOCH, ROOT, SECRET, TOKEN, at

OUT = os.path.join(ROOT, "Tests", "PostgresSinkTests", "Fixtures", "rds-token-vectors.json")


def token(region, host, port, user, session_token, epoch):
    session = botocore.session.get_session()
    client = session.create_client(
        "rds", region_name=region, aws_access_key_id=AKID, aws_secret_access_key=SECRET,
        aws_session_token=session_token)
    with mock.patch("botocore.auth.get_current_datetime", return_value=at(epoch)):
        return client.generate_db_auth_token(DBHostname=host, Port=port, DBUsername=user, Region=region)


def cases():
    result = []
    for name, region, host, port, user, session_token, epoch in [
        ("postgres-long-term", "us-east-1", "mydb.123456789012.us-east-1.rds.amazonaws.com", 5432, "sink_writer", None,
         BASE_EPOCH),
        ("postgres-session", "us-east-1", "mydb.123456789012.us-east-1.rds.amazonaws.com", 5432, "sink_writer", TOKEN,
         BASE_EPOCH),
        ("proxy-eu-west-1", "eu-west-1", "proxy.proxy-abcdefghijkl.eu-west-1.rds.amazonaws.com", 5432, "app",
         TOKEN, 1795219200),
        ("user-needs-encoding", "ap-southeast-2", "db.cluster-xyz.ap-southeast-2.rds.amazonaws.com", 6543,
         "we ird+user@x/y", None, 1709208000),
        ("aurora-mysql-port", "us-west-2", "aurora.cluster-ro-abc.us-west-2.rds.amazonaws.com", 3306, "admin", TOKEN,
         BASE_EPOCH + 86399),
    ]:
        result.append({
            "name": name,
            "input": {"region": region, "host": host, "port": port, "user": user, "accessKeyID": AKID,
                      "secretAccessKey": SECRET, "sessionToken": session_token, "epochSeconds": epoch},
            "expected": {"token": token(region, host, port, user, session_token, epoch)},
        })
    return result


if __name__ == "__main__":
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    generated = cases()
    with open(OUT, "w", encoding="utf-8") as out:
        json.dump({"generator": "scripts/sigv4-vectors/generate_rds.py", "botocore": botocore.__version__,
                   "note": "botocore's generate_db_auth_token with fixed credentials and clock.",
                   "cases": generated}, out, indent=1, ensure_ascii=False)
        out.write("\n")
    print(f"{len(generated)} cases -> {os.path.relpath(OUT, ROOT)}")
