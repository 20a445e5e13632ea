"""Admin interface of the local cloud under /_localcloud/ (JSON, no signature).

Tests and benchmarks use it to look at and bend the world out of band: instance status and
lock mode, accounts added/changed/removed behind the provisioner's back (drift), password
checks, resets, fault plans and counters. Password material never leaves the store.

It can create a Super account, so it is guarded like a local service that a browser on the same
machine must not reach: only a loopback Host (no DNS rebinding), no cross-origin request (Origin
must be the server's own, Sec-Fetch-Site same-origin or none), every write with Content-Type
application/json (a page cannot send that without a CORS preflight, which is never answered),
and, when the server has one, `Authorization: Bearer <admin token>`. Input is type-checked:
a wrong type is a 400 here, never a stored value that breaks later API calls.
"""

from __future__ import annotations

import hmac
import json
import os
from dataclasses import asdict
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .admin_input import (
    ACCOUNT_FIELDS,
    INSTANCE_FIELDS,
    AdminError,
    account_from_dict,
    check_privileges,
    check_types,
    identity,
)
from .behaviour import Behaviour
from .faults import Counters, Faults
from .store import PRODUCTS, AccountExists, Instance, Store


class Controls(Protocol):
    """What the admin interface works on: the running cloud's state and knobs (app.LocalCloudApp)."""
    store: Store
    faults: Faults
    counters: Counters
    behaviour: Behaviour
    admin_token: str | None

    def reset(self, *, reload_seed: bool = False, restore_faults: bool = False) -> None: ...

# --- operations (sync: they run in a worker thread, the store is synchronous) --------------

def _instance_get(store: Store, product: str, instance_id: str) -> dict[str, Any]:
    inst = store.get_instance(product, instance_id)
    if inst is None:
        raise AdminError(404, f"no {product} instance {instance_id}")
    return asdict(inst)


def _instance_update(store: Store, product: str, instance_id: str, data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - INSTANCE_FIELDS
    if unknown:
        raise AdminError(400, f"unknown instance fields {sorted(unknown)} (allowed: {sorted(INSTANCE_FIELDS)})")
    check_types(data)
    with store.atomic():
        inst = store.get_instance(product, instance_id)
        if inst is None:
            raise AdminError(404, f"no {product} instance {instance_id}")
        for key, value in data.items():
            setattr(inst, key, {**inst.attrs, **value} if key == "attrs" else value)
        store.put_instance(inst)
    return asdict(inst)


def _instance_put(store: Store, data: dict[str, Any]) -> dict[str, Any]:
    check_types(data)
    try:
        inst = Instance(**data)
    except TypeError as exc:
        raise AdminError(400, f"bad instance: {exc}") from None
    if inst.product not in PRODUCTS:
        raise AdminError(400, f"product must be one of {list(PRODUCTS)}")
    store.put_instance(inst)
    return asdict(inst)


def _account_add(store: Store, data: dict[str, Any]) -> dict[str, Any]:
    acct = account_from_dict(store, data)
    try:
        store.insert_account(acct)
    except AccountExists:
        raise AdminError(409, f"account {acct.name}@{acct.host or '-'} exists on {acct.instance_id}") from None
    return acct.public()


def _account_patch(store: Store, data: dict[str, Any]) -> dict[str, Any]:
    product, instance_id, name, host = identity(data)
    changes = {("account_type" if k == "type" else k): v for k, v in data.items()
               if k not in {"product", "instance_id", "name", "host"}}
    unknown = set(changes) - ACCOUNT_FIELDS - {"password"}
    if unknown:
        raise AdminError(400, f"unknown account fields {sorted(unknown)}")
    check_types(changes)
    if "privileges" in changes:
        check_privileges(product, changes["privileges"])
    with store.atomic():
        acct = store.get_account(product, instance_id, name, host)
        if acct is None:
            raise AdminError(404, f"no account {name}@{host or '-'} on {product} {instance_id}")
        for key, value in changes.items():
            if key == "password":
                acct.set_password(str(value))
            else:
                setattr(acct, key, value)
        store.save_account(acct)
    return acct.public()


def _account_delete(store: Store, data: dict[str, Any]) -> dict[str, Any]:
    product, instance_id, name, host = identity(data)
    if not store.delete_account(product, instance_id, name, host):
        raise AdminError(404, f"no account {name}@{host or '-'} on {product} {instance_id}")
    return {"deleted": True}


def _verify_password(store: Store, data: dict[str, Any]) -> dict[str, Any]:
    product, instance_id, name, host = identity(data)
    acct = store.get_account(product, instance_id, name, host)
    if acct is None:
        raise AdminError(404, f"no account {name}@{host or '-'} on {product} {instance_id}")
    check_types({"password": data.get("password") or ""})
    return {"match": acct.password_matches(data.get("password") or "")}


def _state(store: Store, product: str | None) -> dict[str, Any]:
    snap = store.snapshot()
    if product:
        snap = {k: [x for x in v if x["product"] == product] for k, v in snap.items()}
    return snap


# --- HTTP layer ------------------------------------------------------------------------------

async def _raw_json(request: Request, limit: int) -> Any:
    """The body as JSON (None when empty), parsed off the event loop; at most `limit` bytes."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise AdminError(413, f"body larger than {limit} bytes")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw:
        return None

    def parse() -> Any:
        try:
            data = json.loads(raw)
            json.dumps(data, ensure_ascii=False).encode("utf-8")   # no lone surrogates
            return data
        except (ValueError, UnicodeError, RecursionError):
            raise AdminError(400, "body is not valid JSON") from None
    return await run_in_threadpool(parse)


async def _body(request: Request, limit: int = 1 << 20) -> dict[str, Any]:
    data = await _raw_json(request, limit)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise AdminError(400, "body must be a JSON object")
    return data


# --- the guard: loopback Host, same origin, JSON writes, optional token ------------------------

_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")
_WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _loopback_host(host: str) -> bool:
    name, _, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
    if not name:   # no port
        name, port = host, ""
    return name.lower() in _LOOPBACK and (port == "" or port.isascii() and port.isdigit())


def refusal(method: str, headers: dict[str, str], token: str | None) -> tuple[int, str] | None:
    """Why a request to the admin interface is refused, or None. headers: lower-case names."""
    host = headers.get("host", "")
    if not _loopback_host(host):
        return 403, "the admin interface answers only requests for a loopback Host (127.0.0.1, localhost, [::1])"
    origin = headers.get("origin")
    if origin is not None and origin != f"http://{host}":
        return 403, "cross-origin requests are refused"
    if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return 403, "cross-site requests are refused"
    if token is not None:
        given = headers.get("authorization", "")
        if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), f"Bearer {token}".encode()):
            return 401, "this local cloud requires its admin token: Authorization: Bearer <token>"
    if method in _WRITES:
        media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media != "application/json":
            return 415, "writes must be JSON (Content-Type: application/json)"
    return None


def guarded(app: Any, token: str | None) -> Any:
    async def asgi(scope: dict, receive: Any, send: Any) -> None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        refused = refusal(scope.get("method", "GET"), headers, token)
        if refused:
            await JSONResponse({"error": refused[1]}, status_code=refused[0])(scope, receive, send)
            return
        await app(scope, receive, send)
    return asgi


def build(cloud: Controls) -> Any:
    store = cloud.store

    def endpoint(fn):  # JSON in, JSON out, AdminError/ValueError -> 4xx
        async def wrapped(request: Request) -> JSONResponse:
            try:
                result, status = await fn(request)
            except AdminError as err:
                return JSONResponse({"error": str(err)}, status_code=err.status)
            except ValueError as err:
                return JSONResponse({"error": str(err)}, status_code=400)
            return JSONResponse(result, status_code=status)
        return wrapped

    async def health(request):
        # Which server this is: `make` reuses a running local cloud only when it serves the
        # same state file (provisioner/localcloud/daemon.py).
        state = store.path if store.path == ":memory:" else os.path.realpath(store.path)
        return {"status": "ok", "pid": os.getpid(), "state": state}, 200

    async def state(request):
        return await run_in_threadpool(_state, store, request.query_params.get("product")), 200

    async def instance(request):
        product, instance_id = request.path_params["product"], request.path_params["instance_id"]
        if request.method == "GET":
            return await run_in_threadpool(_instance_get, store, product, instance_id), 200
        return await run_in_threadpool(_instance_update, store, product, instance_id, await _body(request)), 200

    async def instances(request):
        if request.method == "GET":
            return [asdict(i) for i in await run_in_threadpool(store.list_instances,
                                                               request.query_params.get("product"))], 200
        return await run_in_threadpool(_instance_put, store, await _body(request)), 200

    async def accounts(request):
        if request.method == "GET":
            q = request.query_params
            found = await run_in_threadpool(store.list_accounts, q.get("product"), q.get("instance_id"))
            return [a.public() for a in found], 200
        # DELETE may carry the identity in the query string (no secrets in it) or the body.
        data = {**dict(request.query_params), **await _body(request)}
        op = {"POST": _account_add, "PATCH": _account_patch, "DELETE": _account_delete}[request.method]
        return await run_in_threadpool(op, store, data), 201 if request.method == "POST" else 200

    async def verify_password(request):
        return await run_in_threadpool(_verify_password, store, await _body(request)), 200

    async def reset(request):
        data = await _body(request)
        for key in ("reload_seed", "restore_faults"):
            if not isinstance(data.get(key, False), bool):
                raise AdminError(400, f"{key} must be true or false")
        await run_in_threadpool(lambda: cloud.reset(reload_seed=data.get("reload_seed", False),
                                                    restore_faults=data.get("restore_faults", False)))
        return {"reset": True}, 200

    async def faults(request):
        if request.method == "PUT":
            cloud.faults.configure(await _body(request))
        elif request.method == "PATCH":
            cloud.faults.update(await _body(request))
        return cloud.faults.config(), 200

    async def faults_restore(request):
        cloud.faults.restore()
        return cloud.faults.config(), 200

    async def faults_script(request):
        cloud.faults.script(await _raw_json(request, 1 << 20))
        return cloud.faults.config(), 200

    async def counters(request):
        return cloud.counters.snapshot(), 200

    async def behaviour(request):
        if request.method in ("PUT", "PATCH"):
            data = await _body(request)
            return cloud.behaviour.configure({"profile": "realistic", **data} if request.method == "PUT" else data), 200
        return cloud.behaviour.config(), 200

    async def behaviour_busy(request):
        d = await _body(request)
        if not {"product", "instance_id", "seconds"} <= set(d):
            raise AdminError(400, "busy needs product, instance_id and seconds (code and reads optional)")
        return cloud.behaviour.force_busy(d["product"], d["instance_id"], float(d["seconds"]), d.get("code"),
                                          bool(d.get("reads"))), 200

    async def counters_reset(request):
        cloud.counters.reset()
        return {"reset": True}, 200

    async def not_found(request: Request, exc: Exception) -> JSONResponse:   # registered for HTTPException only
        assert isinstance(exc, HTTPException)
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code)

    p = "/_localcloud"
    routes = [
        Route(f"{p}/health", endpoint(health), methods=["GET"]),
        Route(f"{p}/state", endpoint(state), methods=["GET"]),
        Route(f"{p}/instances", endpoint(instances), methods=["GET", "POST"]),
        Route(f"{p}/instances/{{product}}/{{instance_id}}", endpoint(instance), methods=["GET", "POST"]),
        Route(f"{p}/accounts", endpoint(accounts), methods=["GET", "POST", "PATCH", "DELETE"]),
        Route(f"{p}/accounts/verify-password", endpoint(verify_password), methods=["POST"]),
        Route(f"{p}/reset", endpoint(reset), methods=["POST"]),
        Route(f"{p}/faults", endpoint(faults), methods=["GET", "PUT", "PATCH"]),
        Route(f"{p}/faults/script", endpoint(faults_script), methods=["POST"]),
        Route(f"{p}/faults/restore", endpoint(faults_restore), methods=["POST"]),
        Route(f"{p}/counters", endpoint(counters), methods=["GET"]),
        Route(f"{p}/counters/reset", endpoint(counters_reset), methods=["POST"]),
        Route(f"{p}/behaviour", endpoint(behaviour), methods=["GET", "PUT", "PATCH"]),
        Route(f"{p}/behaviour/busy", endpoint(behaviour_busy), methods=["POST"]),
    ]
    return guarded(Starlette(routes=routes, exception_handlers={HTTPException: not_found}),
                   cloud.admin_token)
