#!/usr/bin/env python3
"""Tests for scripts/check-docs: what it takes for a name, and that it catches what went stale."""

import importlib.machinery
import importlib.util
import unittest
from pathlib import Path

_path = str(Path(__file__).resolve().parent / "check-docs")
_loader = importlib.machinery.SourceFileLoader("check_docs", _path)
_spec = importlib.util.spec_from_loader("check_docs", _loader)
check_docs = importlib.util.module_from_spec(_spec)
_loader.exec_module(check_docs)

PROJECT = check_docs.Project()


def verdict(span, doc="docs/security.md"):
    """None when the span is not a name, "ok" when it exists, else the reason."""
    found = check_docs.classify(span)
    if found is None:
        return None
    return check_docs.check(found[0], found[1], PROJECT, doc) or "ok"


class NotNames(unittest.TestCase):
    def test_variables_flags_json_fields_properties_and_error_types_are_not_checked(self):
        for span in ["KAFKA_CONFIG_LINGER_MS=5", "AWS_LAMBDA_MAX_CONCURRENCY", "--skip-build", "requestId",
                     "max_records", "errorType", "fetch.wait.max.ms=10", "Function.InvalidEvent",
                     "requestContext.connectionId", "OAUTHBEARER", "DeleteTopic", "{\"statusCode\":200}"]:
            self.assertIsNone(verdict(span), span)


class Names(unittest.TestCase):
    def test_existing_names_pass(self):
        for span in ["NoSecretsInOutputTests", "LambdaRuntimeTests", "AWSCredentialsTests/CredentialChainTests",
                     "errorListsEverySourceAndNoSecret", "EventDecoder.maximumGeneratedBytes",
                     "RuntimeAPIClientProtocol", "scripts/test", "template.yaml", "Events/produce.json",
                     "scramSHA512", "CorsAllowOrigin"]:
            self.assertEqual(verdict(span), "ok", span)

    def test_what_the_docs_named_before_it_was_fixed_is_caught(self):
        for span in ["ConfigurationTests", "SecurityConfigurationTests", "RecordDecoder.headerKey",
                     "testMissingCredentialsFailWithoutSecrets", "KafkaTests/ConfigurationTests",
                     "KafkaSecurity.warnings", "Tests/IntegrationTests/Fixtures/bad-events/", "RecordDecoder"]:
            self.assertNotIn(verdict(span), (None, "ok"), span)

    def test_a_member_must_be_declared_where_its_type_is(self):
        self.assertEqual(verdict("RuntimeLoop.serveNextInvocation"), "ok")
        self.assertNotIn(verdict("RuntimeLoop.maximumGeneratedBytes"), (None, "ok"))


class Repeats(unittest.TestCase):
    PARAGRAPH = ("Over five hundred malformed and hostile events are generated at test time and sent "
                 "through the emulator to one bootstrap process, which must answer each with a "
                 "structured error of the expected type, stay alive with no restart, and still "
                 "produce and consume afterwards, so a decoding bug cannot take the runtime down.")

    def test_a_paragraph_written_twice_is_reported(self):
        texts = {"docs/a.md": "# A\n\n" + self.PARAGRAPH + "\n", "docs/b.md": "# B\n\n" + self.PARAGRAPH.lower() + "\n"}
        self.assertEqual(len(check_docs.repeated_paragraphs(texts)), 1)

    def test_the_docs_have_no_paragraph_twice(self):
        self.assertEqual(check_docs.repeated_paragraphs(check_docs.read_docs()), [])


if __name__ == "__main__":
    unittest.main()
