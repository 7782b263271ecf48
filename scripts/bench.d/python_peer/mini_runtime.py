"""Fallback Runtime API loop for the Python peer, used only when awslambdaric cannot be
installed (the bench labels its figures as such): urllib, one invocation at a time."""

import json
import os
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import handler  # noqa: E402

BASE = f"http://{os.environ['AWS_LAMBDA_RUNTIME_API']}/2018-06-01/runtime/invocation"


def post(url, body):
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=30).read()


for _ in range(1_000_000):  # bounded like every bench loop; the emulator stops it long before
    with urllib.request.urlopen(f"{BASE}/next", timeout=3600) as response:
        request_id = response.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.loads(response.read())
    try:
        result = handler.handler(event, None)
        body = result if isinstance(result, bytes) else json.dumps(result).encode()
        post(f"{BASE}/{request_id}/response", body)
    except Exception as error:  # reported to the Runtime API like awslambdaric does
        post(f"{BASE}/{request_id}/error", json.dumps({"errorType": type(error).__name__, "errorMessage": str(error)}).encode())
