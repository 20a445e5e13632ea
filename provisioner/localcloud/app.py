"""ASGI app of the local cloud: one port, three cloud APIs, plus the admin interface.

Routing only: a path under /_localcloud/ goes to admin.py; a request with `X-TC-Action` is
Tencent API 3.0 (wire/tencent.py); anything else is Alibaba (wire/alibaba.py). Per call: read
the body (capped) -> the protocol's route (parse, signature check, handler lookup; in a worker
thread) -> the fault decision (latency, throttling, errors, drops) -> the handler (in a worker
thread: the store is synchronous) -> the protocol's envelope -> one log line and the counters.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from . import admin, seed
from .behaviour import Behaviour, finish_interrupted_deletes
from .errors import CloudError
from .faults import Counters, Decision, Faults
from .nonces import NonceStore
from .registry import Handler, Registry, default_registry
from .requestlog import install_log_filter, loggable, request_log
from .store import Store
from .wire import alibaba, tencent
from .wire.drops import DROPS, HTML_503
from .wire.http import Call, Incoming, read_body

ASGI = Callable[[dict, Callable, Callable], Awaitable[None]]

log = logging.getLogger("provisioner.localcloud")

# Largest request body accepted. The account APIs' largest request (a LibraDB create of 100
# accounts) is about 30 KB; Tencent documents 10 MB for API 3.0 POST bodies. 1 MiB keeps an
# unauthenticated client from making the server hold and parse megabytes.
MAX_BODY_BYTES = 1 << 20


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

    def reset(self, *, reload_seed: bool = False, restore_faults: bool = False) -> None:
        """Accounts and tokens back to the seed; counters, rate windows and pending scripted
        faults cleared; topology reloaded from the seed if asked (else admin changes stay)."""
        seed.reset(self.store, self.seed, reload_topology=reload_seed)
        if restore_faults:
            self.faults.restore()
            self.behaviour.restore()
        self.behaviour.clear()
        self.faults.clear_transient()
        self.counters.reset()

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
        wire = tencent if "x-tc-action" in headers else alibaba
        call = Call(wire.cloud, wire.request_id(), product=wire.cloud)
        decision: Decision | None = None
        try:
            body = await read_body(request, headers, self.max_body, wire.too_large)
            incoming = Incoming(request.method, request.url.path, request.url.query, headers, body)
            # Parsing and signature checks are CPU work on client-sized input: off the event
            # loop, so one large or slow request never stalls the other clients.
            handler, params = await run_in_threadpool(wire.route, self.registry, self.credentials, incoming, call)
            decision = self.faults.decide(call.product, call.action)
            if decision.delay_ms:
                await asyncio.sleep(decision.delay_ms / 1000)
            response = await self._execute(wire, call, decision, handler, params)
        except CloudError as err:
            response = wire.error(call, err)
        except Exception:  # e.g. a verifier bug: still answer in the cloud's envelope
            log.exception("routing %s:%s failed (request_id=%s)", call.product, call.action, call.request_id)
            response = wire.error(call, wire.internal())
        call.action = loggable(call.action)
        status = getattr(response, "status_code", 0)
        fault = f" fault={decision.source}:{decision.fault}" if decision and decision.fault else ""
        self.counters.record(call.product, call.action, call.outcome, decision)
        request_log.info("cloud=%s product=%s action=%s outcome=%s%s status=%s request_id=%s ms=%.1f%s",
                         call.cloud, call.product, call.action, call.outcome, call.detail, status or "-",
                         call.request_id, (time.perf_counter() - started) * 1000, fault)
        return response

    async def _execute(self, wire: Any, call: Call, decision: Decision, handler: Handler,
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
            assert decision.code is not None   # faults.py gives an "error" fault its code
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
