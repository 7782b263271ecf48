#!/usr/bin/env python3
"""Checks of template.yaml's defaults that cfn-lint cannot know: CORS is off unless a deploy
names the one origin its pages come from (no wildcard default, no wildcard at all)."""

import re
import unittest
from pathlib import Path

import yaml

TEMPLATE = Path(__file__).resolve().parents[1] / "template.yaml"


class _Loader(yaml.SafeLoader):
    """Reads CloudFormation's short forms (`!Ref X`) as {"Ref": X}, {"Fn::If": [...]} and so on."""


def _tag(loader, suffix, node):
    name = "Ref" if suffix == "Ref" else "Fn::" + suffix
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_Loader.add_multi_constructor("!", _tag)


def load():
    return yaml.load(TEMPLATE.read_text(), Loader=_Loader)


class CorsDefaultsTests(unittest.TestCase):
    def setUp(self):
        self.template = load()
        self.parameter = self.template["Parameters"]["CorsAllowOrigin"]

    def test_the_default_sends_no_cors_headers(self):
        self.assertEqual(self.parameter.get("Default"), "")

    def test_a_wildcard_is_refused_and_one_origin_or_nothing_accepted(self):
        pattern = re.compile(self.parameter["AllowedPattern"])
        for value in ("*", "https://*.example.com", "https://app.example.com/path", "app.example.com"):
            self.assertIsNone(pattern.fullmatch(value), value)
        for value in ("", "https://app.example.com", "http://localhost:8090"):
            self.assertIsNotNone(pattern.fullmatch(value), value)

    def test_the_http_apis_cors_configuration_exists_only_with_an_origin(self):
        condition = self.template["Conditions"]["CorsOriginGiven"]
        self.assertEqual(condition, {"Fn::Not": [{"Fn::Equals": [{"Ref": "CorsAllowOrigin"}, ""]}]})
        cors = self.template["Resources"]["KafkaApi"]["Properties"]["CorsConfiguration"]
        branches = cors["Fn::If"]
        self.assertEqual(branches[0], "CorsOriginGiven")
        self.assertEqual(branches[1]["AllowOrigins"], [{"Ref": "CorsAllowOrigin"}])
        self.assertEqual(branches[2], {"Ref": "AWS::NoValue"})


if __name__ == "__main__":
    unittest.main()
