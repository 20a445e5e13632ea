"""Tencent Cloud API 3.0 on the wire: routing by X-TC-Action / X-TC-Version, the TC3 signature
check (tc3.py), the JSON body, and the envelopes. Errors are HTTP 200 with Response.Error; the
Content-Type is exactly application/json (with a charset the SDK reads errors as successes)."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from starlette.responses import Response

from ..errors import CloudError
from ..faults import Decision
from ..registry import Handler, Registry, actions_of
from .http import Call, Incoming, json_response

cloud = "tencent"


def request_id() -> str:
    return str(uuid.uuid4())


def ok(call: Call, fields: dict[str, Any]) -> Response:
    return json_response({"Response": {**fields, "RequestId": call.request_id}})


def error(call: Call, err: CloudError) -> Response:
    call.outcome = err.code
    return json_response({"Response": {"Error": {"Code": err.code, "Message": err.message},
                                       "RequestId": call.request_id}})


def too_large(limit: int) -> CloudError:
    # Tencent common error code (API 3.0 "Common Error Codes").
    return CloudError("RequestSizeLimitExceeded", f"The request package exceeds the size limit "
                                                  f"({limit} bytes on the local cloud).")


def throttled(decision: Decision) -> CloudError:
    return CloudError("RequestLimitExceeded", decision.message or
                      "Your request frequency exceeds the limit. Please reduce the frequency of calls.")


def internal() -> CloudError:
    return CloudError("InternalError", "An internal error has occurred. Retry your request, but if "
                                       "the problem persists, contact us.", 500)


def route(registry: Registry, credentials: dict[str, str], req: Incoming, call: Call) -> tuple[Handler, dict[str, Any]]:
    """The handler and its params, once the request is known to be well-formed and signed."""
    call.action = req.headers["x-tc-action"]
    if req.method != "POST":
        raise CloudError("UnsupportedRequestMethod", "The local cloud accepts POST with a JSON body only.")
    version = req.headers.get("x-tc-version")
    if not version:
        raise CloudError("MissingParameter", "The request is missing a required parameter `X-TC-Version`.")
    api = registry.tencent.get(version)
    if api is None:
        raise CloudError("NoSuchVersion", f"The requested version `{version}` does not exist for this service.")
    call.product, call.host_id = api.product, api.host_id
    registry.verify_tc3(req.method, req.path, req.query, req.headers, req.body, credentials, time.time())
    handler = actions_of(api).get(call.action)
    if handler is None:
        raise CloudError("InvalidAction", f"The requested action `{call.action}` does not exist.")
    return handler, parse_json_body(req.body)


def parse_json_body(body: bytes) -> dict[str, Any]:
    """The request body: a JSON object of text that UTF-8 can carry. Anything else is the
    documented InvalidParameter, never an InternalError later on (a lone surrogate such as
    "\\ud800" decodes to a str that no store, hash or response can encode; nesting beyond
    Python's recursion limit raises RecursionError, which is not a ValueError)."""
    try:
        params = json.loads(body or b"{}")
        json.dumps(params, ensure_ascii=False).encode("utf-8")   # refuses lone surrogates
    except RecursionError:
        raise CloudError("InvalidParameter", "The request body is nested too deeply.") from None
    except (ValueError, UnicodeError):
        raise CloudError("InvalidParameter", "The request body is not valid JSON in UTF-8.") from None
    if not isinstance(params, dict):
        raise CloudError("InvalidParameter", "The request body must be a JSON object.")
    return params
