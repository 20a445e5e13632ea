"""ASGI app of the local cloud: one port, three cloud APIs, plus the admin interface.

Routing: header `X-TC-Action` -> Tencent API 3.0 (cynosdb); header `x-acs-action` -> Alibaba
ACS3; otherwise the `Action` + `Version` params (query or form body) -> Alibaba RPC v1. Note:
tea-openapi with signature_algorithm="v2" sends the x-acs-* headers AND a v1 `Signature`
param, so a request carrying `Signature` (and no ACS3 Authorization) is verified as RPC v1.
Per call: route -> signature check -> fault decision (latency, throttling, errors, drops) ->
handler (in a worker thread: the store is synchronous) -> the cloud's envelope -> one log line
and the counters. Service modules are imported lazily, so this file works (and is tested)
without them; tests inject a `Registry` of fakes.

The request log never contains params, bodies, query strings or URLs: Alibaba passwords travel
in the query string.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import re
import socket
import struct
import time
import uuid
from dataclasses import dataclass
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qsl, quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from . import admin
from .behaviour import Behaviour, finish_interrupted_deletes
from .errors import CloudError
from .faults import Counters, Decision, Faults
from .nonces import NonceStore
from .store import Store, load_seed

Handler = Callable[[Store, dict[str, Any]], dict[str, Any]]
ASGI = Callable[[dict, Callable, Callable], Awaitable[None]]

request_log = logging.getLogger("provisioner.localcloud.requests")
log = logging.getLogger("provisioner.localcloud")

# Alibaba RPC common params: signature material and protocol switches, not API input.
# RegionId is an API param for RDS/PolarDB and stays.
ALIBABA_COMMON_PARAMS = frozenset({
    "Action", "Version", "Format", "Timestamp", "SignatureMethod", "SignatureVersion",
    "SignatureNonce", "SignatureType", "AccessKeyId", "Signature", "SecurityToken", "BearerToken"})

# Largest request body accepted. The account APIs' largest request (a LibraDB create of 100
# accounts) is about 30 KB; Tencent documents 10 MB for API 3.0 POST bodies. 1 MiB keeps an
# unauthenticated client from making the server hold and parse megabytes.
MAX_BODY_BYTES = 1 << 20

HTML_503 = (b"<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n"
            b"<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n")


@dataclass(frozen=True)
class Api:
    product: str                                # store product: libradb | rds | polardb
    host_id: str                                # Alibaba "HostId" of error bodies
    actions: Callable[[], dict[str, Handler]]   # loads ACTIONS (lazily)


@dataclass
class Registry:
    """What serves each API version, and the signature verifiers (injectable for tests)."""
    tencent: dict[str, Api]                     # X-TC-Version -> Api
    alibaba: dict[str, Api]                     # Version -> Api
    verify_tc3: Callable[..., str]
    verify_acs3: Callable[..., str]
    verify_rpc_v1: Callable[..., str]


def _lazy_actions(module: str) -> Callable[[], dict[str, Handler]]:
    return lambda: importlib.import_module(module).ACTIONS


def _lazy_function(module: str, name: str, **bound: Any) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **bound)
    return call


def default_registry(nonces: Any = None) -> Registry:
    """nonces: where the Alibaba verifiers record signature nonces (nonces.NonceStore); None
    keeps the verifiers' process-wide in-memory cache."""
    pkg = "provisioner.localcloud"
    bound = {"nonces": nonces} if nonces is not None else {}
    return Registry(
        tencent={"2019-01-07": Api("libradb", "cynosdb.tencentcloudapi.com", _lazy_actions(f"{pkg}.tencent.libradb"))},
        alibaba={"2014-08-15": Api("rds", "rds.aliyuncs.com", _lazy_actions(f"{pkg}.alibaba.rds")),
                 "2017-08-01": Api("polardb", "polardb.aliyuncs.com", _lazy_actions(f"{pkg}.alibaba.polardb"))},
        verify_tc3=_lazy_function(f"{pkg}.tencent.signature", "verify_tc3"),
        verify_acs3=_lazy_function(f"{pkg}.alibaba.signature", "verify_acs3", **bound),
        verify_rpc_v1=_lazy_function(f"{pkg}.alibaba.signature", "verify_rpc_v1", **bound))


class DropConnection(Exception):
    """Raised after the response head was sent: uvicorn then closes the socket, so the client
    reads a truncated response."""


async def truncate_connection(scope: dict, receive: Callable, send: Callable) -> None:
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"512")]})
    raise DropConnection()


async def reset_connection(scope: dict, receive: Callable, send: Callable) -> None:
    """Abort the TCP connection with an RST before any response byte. ASGI has no verb for
    this: uvicorn's `send` is a bound method of its request cycle, which holds the transport.
    Elsewhere, fall back to truncating."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    sock = transport.get_extra_info("socket") if transport is not None else None
    if sock is None:
        return await truncate_connection(scope, receive, send)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close -> RST
    transport.abort()
    while (await receive())["type"] != "http.disconnect":  # let uvicorn see the disconnect,
        pass                                               # else it would answer 500


DROPS = {"reset": reset_connection, "truncate": truncate_connection}


class _QuietDrops(logging.Filter):
    """uvicorn logs every app exception with a traceback; injected drops are not errors."""
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DropConnection))


class _NoAccessLog(logging.Filter):
    """uvicorn's access log prints the URL with the query string (Alibaba passwords!).
    access_log=False only unhooks its handlers, and any handler attached later (pytest's
    caplog does) turns it back on; this filter keeps it off for good."""
    def filter(self, record: logging.LogRecord) -> bool:
        return False


def install_log_filter() -> None:
    for name, kind in (("uvicorn.error", _QuietDrops), ("uvicorn.access", _NoAccessLog)):
        logger = logging.getLogger(name)
        if not any(isinstance(f, kind) for f in logger.filters):
            logger.addFilter(kind())


def _json(data: dict[str, Any], status: int = 200, content_type: str = "application/json") -> Response:
    return Response(json.dumps(data, ensure_ascii=False).encode(), status_code=status,
                    headers={"content-type": content_type})


@dataclass
class Call:
    """What one request turned out to be; filled in while routing, for the log and counters."""
    cloud: str
    request_id: str
    product: str = ""
    action: str = "-"
    host_id: str = "localcloud"
    outcome: str = "OK"
    status: int = 200
    detail: str = ""


class Tencent:
    cloud = "tencent"

    @staticmethod
    def request_id() -> str:
        return str(uuid.uuid4())

    @staticmethod
    def ok(call: Call, fields: dict[str, Any]) -> Response:
        # Content-Type exactly "application/json": with a charset the SDK misreads errors.
        return _json({"Response": {**fields, "RequestId": call.request_id}})

    @staticmethod
    def error(call: Call, err: CloudError) -> Response:
        call.outcome = err.code
        return _json({"Response": {"Error": {"Code": err.code, "Message": err.message},
                                   "RequestId": call.request_id}})

    @staticmethod
    def too_large(limit: int) -> CloudError:
        # Tencent common error code (API 3.0 "Common Error Codes").
        return CloudError("RequestSizeLimitExceeded", f"The request package exceeds the size limit "
                                                      f"({limit} bytes on the local cloud).")

    @staticmethod
    def throttled(decision: Decision) -> CloudError:
        return CloudError("RequestLimitExceeded", decision.message or
                          "Your request frequency exceeds the limit. Please reduce the frequency of calls.")

    @staticmethod
    def internal() -> CloudError:
        return CloudError("InternalError", "An internal error has occurred. Retry your request, but if "
                                           "the problem persists, contact us.", 500)

    @staticmethod
    def route(cloud: "LocalCloudApp", request: Request, headers: dict[str, str], body: bytes,
              call: Call) -> tuple[Handler, dict[str, Any]]:
        call.action = headers["x-tc-action"]
        if request.method != "POST":
            raise CloudError("UnsupportedRequestMethod", "The local cloud accepts POST with a JSON body only.")
        version = headers.get("x-tc-version")
        if not version:
            raise CloudError("MissingParameter", "The request is missing a required parameter `X-TC-Version`.")
        api = cloud.registry.tencent.get(version)
        if api is None:
            raise CloudError("NoSuchVersion", f"The requested version `{version}` does not exist for this service.")
        call.product, call.host_id = api.product, api.host_id
        cloud.registry.verify_tc3(request.method, request.url.path, request.url.query, headers, body,
                                  cloud.credentials, time.time())
        handler = _load(api).get(call.action)
        if handler is None:
            raise CloudError("InvalidAction", f"The requested action `{call.action}` does not exist.")
        return handler, parse_json_body(body)


def parse_json_body(body: bytes) -> dict[str, Any]:
    """The Tencent request body: a JSON object of text that UTF-8 can carry. Anything else is
    the documented InvalidParameter, never an InternalError later on (a lone surrogate such as
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


class Alibaba:
    cloud = "alibaba"
    _recommend_product = {"rds": "Rds", "polardb": "polardb"}

    @staticmethod
    def request_id() -> str:
        return str(uuid.uuid4()).upper()

    @staticmethod
    def ok(call: Call, fields: dict[str, Any]) -> Response:
        return _json({"RequestId": call.request_id, **fields}, content_type="application/json;charset=utf-8")

    @classmethod
    def error(cls, call: Call, err: CloudError) -> Response:
        # A 200 carrying a Code is read as success by the SDKs: errors must be 4xx/5xx.
        call.outcome = err.code
        status = err.status if 400 <= err.status <= 599 else 400
        product = cls._recommend_product.get(call.product, call.product or "localcloud")
        return _json({"RequestId": call.request_id, "HostId": call.host_id, "Code": err.code,
                      "Message": err.message,
                      "Recommend": f"https://api.aliyun.com/troubleshoot?q={quote(err.code)}"
                                   f"&product={product}&requestId={call.request_id}"},
                     status=status, content_type="application/json;charset=utf-8")

    @staticmethod
    def too_large(limit: int) -> CloudError:
        # No documented code for this on the RPC gateway; 413 is HTTP's own answer.
        return CloudError("RequestBodyTooLarge", f"The request body exceeds the size limit ({limit} bytes "
                                                 "on the local cloud).", 413)

    @staticmethod
    def throttled(decision: Decision) -> CloudError:
        return CloudError("Throttling", "Request was denied due to request throttling.", 400)

    @staticmethod
    def internal() -> CloudError:
        return CloudError("InternalError", "The request processing has failed due to some unknown error, "
                                           "exception or failure.", 500)

    @staticmethod
    def route(cloud: "LocalCloudApp", request: Request, headers: dict[str, str], body: bytes,
              call: Call) -> tuple[Handler, dict[str, Any]]:
        raw_query = request.url.query
        params = dict(parse_qsl(raw_query, keep_blank_values=True))
        if headers.get("content-type", "").startswith("application/x-www-form-urlencoded") and body:
            params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
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
        api = cloud.registry.alibaba.get(version)
        if api is None:
            raise CloudError("InvalidVersion", "Specified parameter Version is not valid.", 400)
        call.product, call.host_id = api.product, api.host_id
        if acs3:
            cloud.registry.verify_acs3(request.method, request.url.path, raw_query, headers, body, cloud.credentials)
        else:
            cloud.registry.verify_rpc_v1(request.method, params, cloud.credentials)
        handler = _load(api).get(call.action)
        if handler is None:
            raise CloudError("InvalidAction.NotFound", "Specified api is not found, please check your url and method.", 404)
        return handler, {k: v for k, v in params.items() if k not in ALIBABA_COMMON_PARAMS}


def _load(api: Api) -> dict[str, Handler]:
    try:
        return api.actions()
    except ImportError as exc:  # a service module not written yet: say so instead of crashing
        log.error("service module for %s is not available: %s", api.product, exc)
        raise CloudError("InternalError", f"The local cloud has no implementation of {api.product} yet.", 500) from None


class LocalCloudApp:
    """The ASGI callable. Holds the shared state that the admin interface also works on."""

    def __init__(self, store: Store, *, credentials: dict[str, str], faults: Faults | None = None,
                 counters: Counters | None = None, registry: Registry | None = None,
                 seed: dict[str, Any] | None = None, max_body: int = MAX_BODY_BYTES,
                 admin_token: str | None = None, behaviour: Behaviour | None = None):
        self.store = store
        self.max_body = max_body
        self.admin_token = admin_token
        # Beside the state (same SQLite file): a replayed request is refused after a restart too.
        self.nonces = NonceStore(None if store.path == ":memory:" else store.path)
        # The realistic timing model (behaviour.py) by default; the services find it on the store.
        self.behaviour = behaviour or Behaviour()
        store.behaviour = self.behaviour
        finish_interrupted_deletes(store)
        self.credentials = credentials
        self.faults = faults or Faults()
        self.counters = counters or Counters()
        self.registry = registry or default_registry(self.nonces)
        self.seed = seed or {}
        self.admin = admin.build(self)
        install_log_filter()

    # --- state operations shared with the admin interface ----------------------------

    def apply_seed(self) -> None:
        load_seed(self.store, self.seed)
        with self.store.atomic():
            for item in self.seed.get("accounts", []):
                acct = admin.account_from_dict(self.store, item)
                if self.store.get_account(acct.product, acct.instance_id, acct.name, acct.host) is None:
                    self.store.insert_account(acct)

    def reset(self, *, reload_seed: bool = False, restore_faults: bool = False) -> None:
        """Accounts and tokens back to the seed; counters, rate windows and pending scripted
        faults cleared; topology reloaded from the seed if asked (else admin changes stay)."""
        with self.store.atomic():
            self.store.reset({"instances": self.seed.get("instances", [])} if reload_seed else None)
            self.apply_seed()
        if restore_faults:
            self.faults.restore()
            self.behaviour.restore()
        self.behaviour.clear()
        self.faults.clear_transient()
        self.counters.reset()

    # --- ASGI ---------------------------------------------------------------------------

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return  # lifespan is off; no websockets
        started = time.perf_counter()
        if scope["path"] == "/_localcloud" or scope["path"].startswith("/_localcloud/"):
            status = 0

            async def send_status(message: dict) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                await send(message)

            await self.admin(scope, receive, send_status)
            # Path only: never the query string.
            request_log.info("admin %s %s status=%d ms=%.1f", scope["method"], scope["path"], status,
                             (time.perf_counter() - started) * 1000)
            return
        response = await self.handle(Request(scope, receive), started)
        await response(scope, receive, send)

    async def handle(self, request: Request, started: float) -> ASGI:
        headers = {k.lower(): v for k, v in request.headers.items()}
        wire = Tencent if "x-tc-action" in headers else Alibaba
        call = Call(wire.cloud, wire.request_id(), product=wire.cloud)
        decision: Decision | None = None
        try:
            body = await read_body(request, headers, self.max_body, wire)
            # Parsing and signature checks are CPU work on client-sized input: off the event
            # loop, so one large or slow request never stalls the other clients.
            handler, params = await run_in_threadpool(wire.route, self, request, headers, body, call)
            decision = self.faults.decide(call.product, call.action)
            if decision.delay_ms:
                await asyncio.sleep(decision.delay_ms / 1000)
            response = await self._execute(wire, call, decision, handler, params)
        except CloudError as err:
            response = wire.error(call, err)
        except Exception:  # e.g. a verifier bug: still answer in the cloud's envelope
            log.exception("routing %s:%s failed (request_id=%s)", call.product, call.action, call.request_id)
            response = wire.error(call, wire.internal())
        call.action = _loggable(call.action)
        status = getattr(response, "status_code", 0)
        fault = f" fault={decision.source}:{decision.fault}" if decision and decision.fault else ""
        self.counters.record(call.product, call.action, call.outcome, decision)
        request_log.info("cloud=%s product=%s action=%s outcome=%s%s status=%s request_id=%s ms=%.1f%s",
                         call.cloud, call.product, call.action, call.outcome, call.detail, status or "-",
                         call.request_id, (time.perf_counter() - started) * 1000, fault)
        return response

    async def _execute(self, wire: type, call: Call, decision: Decision, handler: Handler,
                       params: dict[str, Any]) -> ASGI:
        fault = decision.fault
        if fault == "drop_before":
            call.outcome = "DROP_BEFORE"
            return DROPS[decision.drop_mode]
        if fault == "http503":
            call.outcome = "HTTP503"
            return Response(HTML_503, status_code=503, headers={"content-type": "text/html"})
        if fault == "throttle":
            raise wire.throttled(decision)
        if fault == "internal":
            raise wire.internal()
        if fault == "error":
            raise CloudError(decision.code, decision.message or decision.code, decision.status or 400)
        try:
            fields = await run_in_threadpool(handler, self.store, params)
            if not isinstance(fields, dict):
                raise TypeError(f"handler returned {type(fields).__name__}, expected dict")
            # A handler may answer with the RequestId of an earlier call (idempotent replay).
            call.request_id = str(fields.pop("RequestId", None) or call.request_id)
            response = wire.ok(call, fields)
        except CloudError as err:
            response = wire.error(call, err)
        except Exception:
            # Traceback only: params (passwords) are never logged.
            log.exception("handler %s:%s failed (request_id=%s)", call.product, call.action, call.request_id)
            response = wire.error(call, wire.internal())
        if fault == "drop_after":  # applied, but the client never learns the outcome
            call.detail, call.outcome = f" applied={call.outcome}", "DROP_AFTER"
            return DROPS[decision.drop_mode]
        return response


async def read_body(request: Request, headers: dict[str, str], limit: int, wire: type) -> bytes:
    """The body, refused with the cloud's envelope as soon as it is known to exceed `limit`:
    by its Content-Length before a byte is read, else while streaming (chunked uploads)."""
    declared = headers.get("content-length")
    if declared is not None and (not re.fullmatch(r"[0-9]{1,19}", declared) or int(declared) > limit):
        raise wire.too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise wire.too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _loggable(name: str) -> str:
    """Action names come from the client: keep log lines one line, short and parseable."""
    return re.sub(r"[^\w.:*-]", "_", name)[:80] or "-"


def create_app(store: Store, *, credentials: dict[str, str], **kwargs: Any) -> LocalCloudApp:
    return LocalCloudApp(store, credentials=credentials, **kwargs)
