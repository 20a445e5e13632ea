"""Admin interface of the local cloud under /_localcloud/ (JSON, no signature).

Tests and benchmarks use it to look at and bend the world out of band: instance status and
lock mode, accounts added/changed/removed behind the provisioner's back (drift), password
checks, resets, fault plans and counters. Password material never leaves the store.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .store import PRODUCTS, Account, AccountExists, Instance, Store

if TYPE_CHECKING:
    from .app import LocalCloudApp

_ACCOUNT_FIELDS = {"account_type", "description", "max_user_connections", "password_rotation",
                   "privileges", "status"}
_INSTANCE_FIELDS = {"status", "lock_mode", "account_quota", "databases", "attrs", "name"}


class AdminError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def default_host(product: str) -> str:
    """LibraDB identities are (name, host) with host "%" by default; Alibaba uses ""."""
    return "%" if product == "libradb" else ""


def _identity(data: dict[str, Any]) -> tuple[str, str, str, str]:
    product, instance_id, name = data.get("product"), data.get("instance_id"), data.get("name")
    if product not in PRODUCTS:
        raise AdminError(400, f"product must be one of {list(PRODUCTS)}")
    if not instance_id or not name:
        raise AdminError(400, "instance_id and name are required")
    host = data.get("host")
    return product, instance_id, name, default_host(product) if host is None else host


def account_from_dict(store: Store, data: dict[str, Any]) -> Account:
    """Build an account from admin/seed JSON (`type` is accepted for `account_type`)."""
    product, instance_id, name, host = _identity(data)
    if store.get_instance(product, instance_id) is None:
        raise AdminError(404, f"no {product} instance {instance_id}")
    data = {("account_type" if k == "type" else k): v for k, v in data.items()}
    unknown = set(data) - _ACCOUNT_FIELDS - {"product", "instance_id", "name", "host", "password"}
    if unknown:
        raise AdminError(400, f"unknown account fields {sorted(unknown)}")
    acct = Account(product=product, instance_id=instance_id, name=name, host=host,
                   **{k: v for k, v in data.items() if k in _ACCOUNT_FIELDS})
    acct.set_password(str(data.get("password") or ""))
    return acct


# --- operations (sync: they run in a worker thread, the store is synchronous) --------------

def _instance_get(store: Store, product: str, instance_id: str) -> dict[str, Any]:
    inst = store.get_instance(product, instance_id)
    if inst is None:
        raise AdminError(404, f"no {product} instance {instance_id}")
    return asdict(inst)


def _instance_update(store: Store, product: str, instance_id: str, data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - _INSTANCE_FIELDS
    if unknown:
        raise AdminError(400, f"unknown instance fields {sorted(unknown)} (allowed: {sorted(_INSTANCE_FIELDS)})")
    with store.atomic():
        inst = store.get_instance(product, instance_id)
        if inst is None:
            raise AdminError(404, f"no {product} instance {instance_id}")
        for key, value in data.items():
            setattr(inst, key, {**inst.attrs, **value} if key == "attrs" else value)
        store.put_instance(inst)
    return asdict(inst)


def _instance_put(store: Store, data: dict[str, Any]) -> dict[str, Any]:
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
    product, instance_id, name, host = _identity(data)
    changes = {("account_type" if k == "type" else k): v for k, v in data.items()
               if k not in {"product", "instance_id", "name", "host"}}
    unknown = set(changes) - _ACCOUNT_FIELDS - {"password"}
    if unknown:
        raise AdminError(400, f"unknown account fields {sorted(unknown)}")
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
    product, instance_id, name, host = _identity(data)
    if not store.delete_account(product, instance_id, name, host):
        raise AdminError(404, f"no account {name}@{host or '-'} on {product} {instance_id}")
    return {"deleted": True}


def _verify_password(store: Store, data: dict[str, Any]) -> dict[str, Any]:
    product, instance_id, name, host = _identity(data)
    acct = store.get_account(product, instance_id, name, host)
    if acct is None:
        raise AdminError(404, f"no account {name}@{host or '-'} on {product} {instance_id}")
    return {"match": acct.password_matches(str(data.get("password") or ""))}


def _state(store: Store, product: str | None) -> dict[str, Any]:
    snap = store.snapshot()
    if product:
        snap = {k: [x for x in v if x["product"] == product] for k, v in snap.items()}
    return snap


# --- HTTP layer ------------------------------------------------------------------------------

async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise AdminError(400, "body is not valid JSON") from None
    if not isinstance(data, dict):
        raise AdminError(400, "body must be a JSON object")
    return data


def build(cloud: "LocalCloudApp") -> Starlette:
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
        await run_in_threadpool(lambda: cloud.reset(reload_seed=bool(data.get("reload_seed")),
                                                    restore_faults=bool(data.get("restore_faults"))))
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
        raw = await request.body()
        try:
            entries = json.loads(raw or b"null")
        except ValueError:
            raise AdminError(400, "body is not valid JSON") from None
        cloud.faults.script(entries)
        return cloud.faults.config(), 200

    async def counters(request):
        return cloud.counters.snapshot(), 200

    async def counters_reset(request):
        cloud.counters.reset()
        return {"reset": True}, 200

    async def not_found(request: Request, exc: HTTPException) -> JSONResponse:
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
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: not_found})
