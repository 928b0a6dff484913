"""The S3 server for the tests: SeaweedFS on 127.0.0.1 (the code lives in ops/seaweed.py, shared with the stack)."""

from ops.seaweed import REGION, CannotStart, S3Server, start, weed_binary

__all__ = ["REGION", "CannotStart", "S3Server", "start", "weed_binary"]
