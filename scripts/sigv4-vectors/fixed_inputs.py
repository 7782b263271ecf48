"""What both vector generators sign with: fixed credentials, a fixed clock, and where the fixtures go."""
import datetime
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+token/with+slash=="
BASE_EPOCH = 1795262400  # 2026-11-21T12:00:00Z


def at(epoch):
    """The naive UTC datetime botocore's signer reads as "now"."""
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).replace(tzinfo=None)
