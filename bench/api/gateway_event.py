"""What a warm API function is called with: API Gateway REST proxy events, and the function's own module."""

from __future__ import annotations

import importlib.util
import sys
import time
import uuid
from typing import Any
from urllib.parse import quote

from bench.api.environment import FUNCTIONS

HOST = "api.invoicing.example"
STAGE = "prod"


def api_event(resource: str, params: dict[str, str], secret: str, query: dict[str, list[str]] | None = None,
              method: str = "GET") -> dict[str, Any]:
    """An API Gateway REST proxy event (v1) as the stage would send it, trailing slash included."""
    path = resource
    for name, value in params.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    path += "/"
    headers = {"Accept": "application/json", "Authorization": f"Token {secret}", "Host": HOST,
               "User-Agent": "api-bench", "X-Forwarded-Proto": "https"}
    multi_query = {name: list(values) for name, values in (query or {}).items()}
    request_id = str(uuid.uuid4())
    return {
        "resource": resource, "path": path, "httpMethod": method, "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": {name: values[-1] for name, values in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": params, "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012", "apiId": "benchapi", "domainName": HOST, "domainPrefix": HOST.split(".")[0],
            "extendedRequestId": request_id, "httpMethod": method, "path": f"/{STAGE}{path}", "protocol": "HTTP/1.1",
            "requestId": request_id, "requestTimeEpoch": int(time.time() * 1000), "resourceId": "bench",
            "resourcePath": resource, "stage": STAGE,
            "identity": {"sourceIp": "127.0.0.1", "userAgent": "api-bench"},
        },
        "body": None, "isBase64Encoded": False,
    }


def load_function(name: str) -> Any:
    """A function's app.py by file path, as its own module (every function has an `app.py`)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}_app", FUNCTIONS / name / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
