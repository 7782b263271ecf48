#!/usr/bin/env python3
"""Writes the SigV4 and MSK IAM test vectors the Swift tests compare against.

Dev tool, run by hand when the cases change:
    python3 scripts/sigv4-vectors/generate.py
It needs botocore; for the MSK vectors it uses aws-msk-iam-sasl-signer-python when installed
(`pip install aws-msk-iam-sasl-signer-python`) and otherwise repeats that library's steps with botocore.

Inputs are written as the Swift side takes them: the path as it goes on the wire (percent-encoded once,
the way botocore's serializers encode it), the query as decoded pairs, the host header botocore derives.
"""
import base64
import hashlib
import json
import os
import sys
from unittest import mock
from urllib.parse import quote

from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth, _host_from_url
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from fixed_inputs import AKID, BASE_EPOCH, ROOT, SECRET, TOKEN, at

SIGV4_OUT = os.path.join(ROOT, "Tests", "AWSSigV4Tests", "Fixtures", "sigv4-vectors.json")
MSK_OUT = os.path.join(ROOT, "Tests", "MSKIAMAuthTests", "Fixtures", "msk-vectors.json")


def encode(text):
    return quote(text, safe="-_.~")


def make_case(name, mode="headers", method="GET", scheme="https", host="example.amazonaws.com", path="/",
              query=(), headers=(), body=None, s3=False, token=False, region="us-east-1", service="service",
              epoch=BASE_EPOCH, expires=3600, secret=SECRET):
    query_string = "&".join(f"{encode(k)}={encode(v)}" for k, v in query)
    url = f"{scheme}://{host}{path}" + (f"?{query_string}" if query else "")
    creds = Credentials(AKID, secret, TOKEN if token else None)
    if mode == "headers":
        signer = (S3SigV4Auth if s3 else SigV4Auth)(creds, service, region)
    else:
        signer = (S3SigV4QueryAuth if s3 else SigV4QueryAuth)(creds, service, region, expires=expires)
    request = AWSRequest(method=method, url=url, data=body.encode("utf-8") if body is not None else None)
    for header_name, header_value in headers:
        request.headers[header_name] = header_value  # HTTPMessage appends, so repeats stay
    captured = {}
    original_canonical = signer.canonical_request
    original_sts = signer.string_to_sign

    def canonical_request(req):
        captured["canonical_request"] = original_canonical(req)
        return captured["canonical_request"]

    def string_to_sign(req, canonical):
        captured["string_to_sign"] = original_sts(req, canonical)
        return captured["string_to_sign"]

    signer.canonical_request = canonical_request
    signer.string_to_sign = string_to_sign
    with mock.patch("botocore.auth.get_current_datetime", return_value=at(epoch)):
        signer.add_auth(request)
    signature = signer.signature(captured["string_to_sign"], request)
    return {
        "name": name,
        "input": {
            "mode": mode, "s3": s3, "method": method, "scheme": scheme, "host": _host_from_url(url), "url": url,
            "path": path, "query": [list(p) for p in query], "headers": [list(h) for h in headers],
            "body": body, "unsignedPayload": mode == "presign" and s3, "accessKeyID": AKID, "secretAccessKey": secret,
            "sessionToken": TOKEN if token else None, "region": region, "service": service,
            "epochSeconds": epoch, "expiresInSeconds": expires,
        },
        "expected": {
            "canonicalRequest": captured["canonical_request"],
            "stringToSign": captured["string_to_sign"],
            "signature": signature,
            "headers": [[k, v] for k, v in request.headers.items()],
            "url": request.url,
        },
    }


def wire(path):
    """A decoded path as botocore's rest serializers put it on the wire."""
    return quote(path, safe="/~")


def sigv4_cases():
    cases = []
    add = cases.append
    # Methods.
    for method in ["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS"]:
        add(make_case(f"method-{method.lower()}", method=method, path="/resource"))
    # Paths: normalisation and double encoding.
    paths = {
        "path-empty": "",
        "path-root": "/",
        "path-trailing-slash": "/a/b/",
        "path-double-slash": "//a//b//",
        "path-dot": "/a/./b",
        "path-dot-dot": "/a/b/../c",
        "path-dot-dot-above-root": "/../../a",
        "path-only-dots": "/./..",
        "path-space": wire("/my folder/my file.txt"),
        "path-unicode": wire("/ünïcödé/日本語"),
        "path-emoji": wire("/😀"),
        "path-reserved": wire("/a:b@c!$&'()*+,;=d"),
        "path-unreserved": "/AZaz09-_.~",
        "path-already-encoded-slash": "/a%2Fb",
        "path-percent": wire("/100%/done"),
        "path-tilde-and-dots": "/~user/.hidden/..x/x..",
    }
    for name, path in paths.items():
        add(make_case(name, path=path))
        add(make_case(name + "-s3", path=path if path else "/", s3=True, service="s3"))
    # Query strings.
    queries = {
        "query-simple": [("Action", "ListUsers"), ("Version", "2010-05-08")],
        "query-unsorted": [("zeta", "1"), ("alpha", "2"), ("Mid", "3"), ("_under", "4")],
        "query-repeated-keys": [("key", "b"), ("key", "a"), ("key", "c"), ("other", "x")],
        "query-empty-value": [("empty", ""), ("present", "yes")],
        "query-reserved": [("q", "a b+c/d?e=f&g"), ("sym", "!*'();:@&=+$,/?#[]")],
        "query-unicode": [("name", "ünïcödé"), ("日本", "語")],
        "query-encoded-sort": [("a-b", "1"), ("a.b", "2"), ("a_b", "3"), ("a~b", "4"), ("aB", "5"), ("a b", "6")],
        "query-percent": [("pct", "100%"), ("plus", "+")],
    }
    for name, query in queries.items():
        add(make_case(name, query=query))
    # Headers.
    add(make_case("headers-extra-whitespace", headers=[("My-Header1", "  value1  "), ("My-Header2", "a   b \t c")]))
    add(make_case("headers-multi-value", headers=[("X-Multi", "one"), ("x-multi", " two "), ("X-MULTI", "three")]))
    add(make_case("headers-unsorted-mixed-case", headers=[("Zed", "z"), ("alpha", "a"), ("Content-Type", "text/plain")]))
    add(make_case("headers-unsigned-ignored", headers=[("User-Agent", "test/1.0"), ("X-Amzn-Trace-Id", "Root=1"),
                                                       ("Connection", "keep-alive"), ("X-Signed", "yes")]))
    add(make_case("headers-explicit-host", headers=[("Host", "other.example.com")]))
    add(make_case("headers-empty-value", headers=[("X-Empty", "")]))
    add(make_case("headers-replaces-date-and-auth", headers=[("X-Amz-Date", "19990101T000000Z"),
                                                            ("Authorization", "stale")]))
    add(make_case("headers-host-port", host="example.amazonaws.com:8443"))
    add(make_case("headers-http-default-port", scheme="http", host="localhost:80"))
    add(make_case("headers-http-custom-port", scheme="http", host="127.0.0.1:5000", path="/"))
    # Session tokens.
    add(make_case("token-get", token=True))
    add(make_case("token-post-body", method="POST", token=True, body="Action=GetCallerIdentity&Version=2011-06-15",
                  headers=[("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")], service="sts"))
    add(make_case("token-replaces-existing", token=True, headers=[("X-Amz-Security-Token", "old")]))
    # Bodies.
    add(make_case("body-json", method="POST", body='{"hello": "world"}', headers=[("Content-Type", "application/json")]))
    add(make_case("body-unicode", method="PUT", body="ünïcödé 日本語"))
    add(make_case("body-explicit-sha256-header", method="PUT", body="ignored",
                  headers=[("X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD")]))
    add(make_case("body-s3-put", method="PUT", body="object data", s3=True, service="s3", path="/bucket/key name",
                  token=True))
    add(make_case("body-http-post", method="POST", scheme="http", host="127.0.0.1:5000", body="a=b"))
    # Regions, services, dates, secrets (signing-key derivation).
    add(make_case("scope-eu-west-1-sts", region="eu-west-1", service="sts"))
    add(make_case("scope-kafka-cluster", region="ap-southeast-2", service="kafka-cluster"))
    add(make_case("scope-midnight", epoch=1795219200))
    add(make_case("scope-leap-day", epoch=1709208000))  # 2024-02-29T12:00:00Z
    add(make_case("scope-other-secret", secret="another/secret+key"))
    # Presigning.
    add(make_case("presign-simple", mode="presign", expires=3600))
    add(make_case("presign-token", mode="presign", token=True, expires=900))
    add(make_case("presign-query", mode="presign", query=[("Action", "kafka-cluster:Connect")], expires=900,
                  service="kafka-cluster", region="us-west-2"))
    add(make_case("presign-unsorted-query", mode="presign", query=[("b", "2"), ("a", "1 1"), ("C", "ü")], expires=60))
    add(make_case("presign-path", mode="presign", path=wire("/a b/../c/ü"), expires=604800))
    add(make_case("presign-header", mode="presign", headers=[("X-Amz-Meta-Thing", " a  b ")], token=True, expires=300))
    add(make_case("presign-s3", mode="presign", s3=True, service="s3", path=wire("/bucket/my key.txt"),
                  expires=3600, token=True))
    add(make_case("presign-s3-query", mode="presign", s3=True, service="s3", path="/bucket/obj",
                  query=[("versionId", "v1"), ("response-content-type", "text/plain")], expires=120))
    add(make_case("presign-port", mode="presign", scheme="http", host="127.0.0.1:9092", expires=900))
    return cases


USER_AGENT = "swift-lambda-kafka/test"


def msk_token(region, credentials, epoch):
    """The token of aws-msk-iam-sasl-signer-python, with our user agent."""
    with mock.patch("botocore.auth.get_current_datetime", return_value=at(epoch)):
        try:
            import aws_msk_iam_sasl_signer.MSKAuthTokenProvider as signer
        except ImportError:
            return msk_token_with_botocore(region, credentials), "botocore"
        from botocore.credentials import CredentialProvider

        class Fixed(CredentialProvider):
            def load(self):
                return credentials

        with mock.patch.object(signer, "__get_user_agent__", return_value=USER_AGENT):
            token, expiry_ms = signer.generate_auth_token_from_credentials_provider(region, Fixed())
        assert token == msk_token_with_botocore(region, credentials), "library and botocore steps disagree"
        assert expiry_ms == (epoch + 900) * 1000
        return token, "aws-msk-iam-sasl-signer-python"


def msk_token_with_botocore(region, credentials):
    """The Python signer's steps: presign GET with Action, then append User-Agent, base64url, no padding."""
    request = AWSRequest(method="GET", url=f"https://kafka.{region}.amazonaws.com/",
                         params={"Action": "kafka-cluster:Connect"})
    SigV4QueryAuth(credentials, "kafka-cluster", region, expires=900).add_auth(request)
    request.params = {"User-Agent": USER_AGENT}
    url = request.prepare().url
    return base64.urlsafe_b64encode(url.encode("utf-8")).decode("utf-8").rstrip("=")


def msk_cases():
    cases = []
    for name, region, token, epoch in [
        ("msk-us-east-1-long-term", "us-east-1", False, BASE_EPOCH),
        ("msk-us-east-1-session", "us-east-1", True, BASE_EPOCH),
        ("msk-eu-central-1-session", "eu-central-1", True, 1795219200),
        ("msk-ap-southeast-2", "ap-southeast-2", False, 1709208000),
    ]:
        credentials = Credentials(AKID, SECRET, TOKEN if token else None)
        value, source = msk_token(region, credentials, epoch)
        url = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("utf-8")
        cases.append({
            "name": name, "source": source,
            "input": {"region": region, "accessKeyID": AKID, "secretAccessKey": SECRET,
                      "sessionToken": TOKEN if token else None, "epochSeconds": epoch, "userAgent": USER_AGENT},
            "expected": {"token": value, "url": url, "expiresAtEpochMilliseconds": (epoch + 900) * 1000},
        })
    return cases


def write(path, cases, note):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    import botocore
    with open(path, "w", encoding="utf-8") as out:
        json.dump({"generator": "scripts/sigv4-vectors/generate.py", "botocore": botocore.__version__,
                   "note": note, "cases": cases}, out, indent=1, ensure_ascii=False)
        out.write("\n")
    print(f"{len(cases)} cases -> {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    write(SIGV4_OUT, sigv4_cases(), "Signed by botocore with a fixed clock; see generate.py for the inputs' form.")
    write(MSK_OUT, msk_cases(), "Tokens of aws-msk-iam-sasl-signer-python (or its steps) with a fixed clock.")
    sys.exit(0)
