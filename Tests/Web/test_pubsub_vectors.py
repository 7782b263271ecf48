"""The Swift codec's fixture (Tests/PubSubWireTests/Fixtures/python-protobuf-vectors.json) is
exactly what Python's `protobuf` runtime serialises today (make_pubsub_vectors.py)."""

import subprocess
import sys
import unittest
from pathlib import Path


class PubSubVectorTests(unittest.TestCase):
    def test_the_committed_vectors_are_protobufs_own_bytes(self):
        script = Path(__file__).with_name("make_pubsub_vectors.py")
        result = subprocess.run([sys.executable, str(script), "--check"], cwd=script.parent)
        self.assertEqual(result.returncode, 0, "the fixture differs: run make_pubsub_vectors.py and review the diff")


if __name__ == "__main__":
    unittest.main()
