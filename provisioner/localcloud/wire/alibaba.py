"""Alibaba Cloud RPC and ROA-style calls on the wire: routing by signed Action + Version (RPC v1)
or x-acs-action (ACS3), the signature check (acs.py), and the envelopes.

tea-openapi with signature_algorithm="v2" sends the x-acs-* headers AND a v1 `Signature` param:
a request carrying `Signature` (and no ACS3 Authorization) is verified as RPC v1. Errors must be
4xx/5xx: a 200 carrying a Code is read as success by the SDKs.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qsl, quote

from starlette.responses import Response

from ..errors import CloudError
from ..faults import Decision
from ..registry import Handler, Registry, actions_of
from .http import Call, Incoming, json_response

cloud = "alibaba"
_RECOMMEND_PRODUCT = {"rds": "Rds", "polardb": "polardb"}
_CONTENT_TYPE = "application/json;charset=utf-8"

# RPC common params: signature material and protocol switches, not API input.
# RegionId is an API param for RDS/PolarDB and stays.
COMMON_PARAMS = frozenset({
    "Action", "Version", "Format", "Timestamp", "SignatureMethod", "SignatureVersion",
    "SignatureNonce", "SignatureType", "AccessKeyId", "Signature", "SecurityToken", "BearerToken"})


def request_id() -> str:
    return str(uuid.uuid4()).upper()


def ok(call: Call, fields: dict[str, Any]) -> Response:
    return json_response({"RequestId": call.request_id, **fields}, content_type=_CONTENT_TYPE)


def error(call: Call, err: CloudError) -> Response:
    call.outcome = err.code
    status = err.status if 400 <= err.status <= 599 else 400
    product = _RECOMMEND_PRODUCT.get(call.product, call.product or "localcloud")
    return json_response({"RequestId": call.request_id, "HostId": call.host_id, "Code": err.code,
                          "Message": err.message,
                          "Recommend": f"https://api.aliyun.com/troubleshoot?q={quote(err.code)}"
                                       f"&product={product}&requestId={call.request_id}"},
                         status=status, content_type=_CONTENT_TYPE)


def too_large(limit: int) -> CloudError:
    # No documented code for this on the RPC gateway; 413 is HTTP's own answer.
    return CloudError("RequestBodyTooLarge", f"The request body exceeds the size limit ({limit} bytes "
                                             "on the local cloud).", 413)


def throttled(decision: Decision) -> CloudError:
    return CloudError("Throttling", "Request was denied due to request throttling.", 400)


def internal() -> CloudError:
    return CloudError("InternalError", "The request processing has failed due to some unknown error, "
                                       "exception or failure.", 500)


def params_of(req: Incoming) -> dict[str, str]:
    """The query plus a form-encoded body, decoded."""
    params = dict(parse_qsl(req.query, keep_blank_values=True))
    if req.headers.get("content-type", "").startswith("application/x-www-form-urlencoded") and req.body:
        params.update(parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True))
    return params


def route(registry: Registry, credentials: dict[str, str], req: Incoming, call: Call) -> tuple[Handler, dict[str, Any]]:
    """The handler and the API params (common params stripped), once the request is signed."""
    params = params_of(req)
    headers = req.headers
    acs3 = headers.get("authorization", "").startswith("ACS3-") or (
        "x-acs-action" in headers and "Signature" not in params)
    if acs3:   # the verifier requires every x-acs-* header to be signed
        call.action, version = headers.get("x-acs-action") or "-", headers.get("x-acs-version")
    else:
        # RPC v1 signs parameters, not headers: Action and Version come from the signed
        # parameters only (an x-acs-action header could be swapped under a valid signature).
        call.action, version = params.get("Action") or "-", params.get("Version")
    if call.action == "-":
        raise CloudError("MissingParameter", "The input parameter \"Action\" that is mandatory for "
                                             "processing this request is not supplied (expected an "
                                             "X-TC-Action header, a signed x-acs-action header or a signed "
                                             "Action parameter).", 400)
    if not version:
        raise CloudError("MissingParameter", "The input parameter \"Version\" that is mandatory for "
                                             "processing this request is not supplied.", 400)
    api = registry.alibaba.get(version)
    if api is None:
        raise CloudError("InvalidVersion", "Specified parameter Version is not valid.", 400)
    call.product, call.host_id = api.product, api.host_id
    if acs3:
        registry.verify_acs3(req.method, req.path, req.query, headers, req.body, credentials)
    else:
        registry.verify_rpc_v1(req.method, params, credentials)
    handler = actions_of(api).get(call.action)
    if handler is None:
        raise CloudError("InvalidAction.NotFound", "Specified api is not found, please check your url and method.", 404)
    return handler, {k: v for k, v in params.items() if k not in COMMON_PARAMS}
