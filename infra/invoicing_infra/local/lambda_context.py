"""A stand-in for the LambdaContext the Lambda Python runtime passes to a handler."""

from __future__ import annotations

import time
import uuid
from typing import Any


class LambdaContext:
    """What handlers and Powertools read from the context; the time budget is the function's Timeout."""

    def __init__(self, function_name: str, timeout: float, memory_limit_in_mb: int, region: str, account_id: str):
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{account_id}:function:{function_name}"
        self.memory_limit_in_mb = memory_limit_in_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = f"{time.strftime('%Y/%m/%d')}/[$LATEST]{uuid.uuid4().hex}"
        self.identity: Any = None
        self.client_context: Any = None
        self._deadline = time.monotonic() + timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))
