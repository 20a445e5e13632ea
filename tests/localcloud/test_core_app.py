"""Routing and envelopes of the wire layer (fake services: independent of the real ones)."""

from __future__ import annotations

import logging
import re
import uuid

import pytest

from provisioner.localcloud.registry import Api

UUID_UPPER = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$")


def _tencent_response(resp) -> dict:
    # The SDK needs status 200 and this exact content type, or it misreads errors.
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json"
    data = resp.json()
    assert set(data) == {"Response"}
    uuid.UUID(data["Response"]["RequestId"])
    return data["Response"]


def _alibaba_error(resp, status: int, code: str, host_id: str = "rds.aliyuncs.com") -> dict:
    assert resp.status_code == status
    assert resp.headers["content-type"].startswith("application/json")
    data = resp.json()
    assert set(data) == {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert data["Code"] == code and data["HostId"] == host_id and data["Message"]
    assert data["RequestId"] in data["Recommend"] and data["Recommend"].startswith("https://")
    return data


# --- Tencent ---------------------------------------------------------------------------------

def test_tencent_success_envelope(raw, fake_registry):
    resp = _tencent_response(raw.tencent("Echo", {"ClusterId": "libradb-local001", "Limit": 5}))
    assert resp["Params"] == {"ClusterId": "libradb-local001", "Limit": 5}
    assert fake_registry.verified == ["tc3"]


def test_tencent_error_envelope(raw):
    resp = _tencent_response(raw.tencent("Fail"))
    assert resp["Error"] == {"Code": "InvalidParameterValue.AccountExist", "Message": "The account already exists."}
    assert set(resp) == {"Error", "RequestId"}


@pytest.mark.parametrize("kwargs, code", [
    ({"action": "NoSuchThing"}, "InvalidAction"),
    ({"action": "Echo", "version": "2017-03-12"}, "NoSuchVersion"),
    ({"action": "Echo", "version": ""}, "MissingParameter"),
    ({"action": "Echo", "raw": b"{not json"}, "InvalidParameter"),
    ({"action": "Echo", "raw": b"[1, 2]"}, "InvalidParameter"),
    ({"action": "Echo", "key": "someone-else"}, "AuthFailure.SecretIdNotFound"),
    ({"action": "Echo", "method": "GET"}, "UnsupportedRequestMethod"),
])
def test_tencent_request_errors(raw, kwargs, code):
    action = kwargs.pop("action")
    assert _tencent_response(raw.tencent(action, **kwargs))["Error"]["Code"] == code


def test_tencent_handler_crash_is_internal_error(raw, caplog):
    caplog.set_level(logging.ERROR, logger="provisioner.localcloud")
    resp = _tencent_response(raw.tencent("Boom", {"AccountPassword": "Secret#Crash1"}))
    assert resp["Error"]["Code"] == "InternalError"
    assert "handler bug" in caplog.text  # the traceback is logged ...
    assert "Secret#Crash1" not in caplog.text  # ... without the params


def test_handler_request_id_wins(raw):
    """Idempotent replays answer with the first call's RequestId."""
    assert _tencent_response(raw.tencent("Replay"))["RequestId"] == "0d9b2b0e-5a7e-4c1e-9a43-6f3c2d1e0b7a"


# --- Alibaba ---------------------------------------------------------------------------------

def test_rpc_query_success_and_common_params_stripped(raw, fake_registry):
    resp = raw.rpc("Echo", RegionId="cn-hangzhou", DBInstanceId="rm-1", AccountPassword="p w+&=")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/json")
    data = resp.json()
    assert UUID_UPPER.match(data["RequestId"])
    # Signature material never reaches the handler; RegionId and API params do, decoded.
    assert data["Params"] == {"RegionId": "cn-hangzhou", "DBInstanceId": "rm-1", "AccountPassword": "p w+&="}
    assert fake_registry.verified == ["rpc_v1"]


def test_rpc_form_body(raw):
    resp = raw.rpc("Echo", form=True, DBInstanceId="rm-1", AccountDescription="from the body")
    assert resp.json()["Params"] == {"DBInstanceId": "rm-1", "AccountDescription": "from the body"}


def test_acs3_routing(raw, fake_registry):
    resp = raw.acs3("Echo", DBInstanceId="rm-1", AccountName="a b")
    assert resp.status_code == 200
    assert resp.json()["Params"] == {"DBInstanceId": "rm-1", "AccountName": "a b"}
    assert fake_registry.verified == ["acs3"]


def test_acs_headers_with_v1_signature_are_rpc_v1(raw, fake_registry):
    """tea-openapi with signature_algorithm="v2" sends x-acs-* headers AND a v1 Signature."""
    resp = raw.http.post("/", params={"Action": "Echo", "Version": "2014-08-15", "AccessKeyId": raw.cloud.access_key,
                                      "Signature": "s", "DBInstanceId": "rm-1"},
                         headers={"x-acs-action": "Echo", "x-acs-version": "2014-08-15"})
    assert resp.status_code == 200 and resp.json()["Params"] == {"DBInstanceId": "rm-1"}
    assert fake_registry.verified == ["rpc_v1"]


def test_alibaba_error_envelope(raw):
    data = _alibaba_error(raw.rpc("Fail"), 400, "InvalidParameterValue.AccountExist")
    assert "product=Rds" in data["Recommend"]


def test_alibaba_unknown_action(raw):
    _alibaba_error(raw.rpc("NoSuchThing"), 404, "InvalidAction.NotFound")
    _alibaba_error(raw.acs3("NoSuchThing", "2017-08-01"), 404, "InvalidAction.NotFound", "polardb.aliyuncs.com")


@pytest.mark.parametrize("call, status, code", [
    (lambda r: r.rpc("Echo", "2099-01-01"), 400, "InvalidVersion"),
    (lambda r: r.rpc("Echo", None), 400, "MissingParameter"),
    (lambda r: r.rpc(None), 400, "MissingParameter"),
    (lambda r: r.http.get("/"), 400, "MissingParameter"),
    (lambda r: r.rpc("Echo", key="nobody"), 404, "InvalidAccessKeyId.NotFound"),
    (lambda r: r.acs3("Echo", key="nobody"), 404, "InvalidAccessKeyId.NotFound"),
])
def test_alibaba_request_errors(raw, call, status, code):
    resp = call(raw)
    assert resp.status_code == status and resp.json()["Code"] == code


def test_alibaba_handler_crash_is_500(raw):
    _alibaba_error(raw.rpc("Boom"), 500, "InternalError")


def test_missing_service_module_is_internal_error(localcloud_factory, fake_registry, raw_client):
    def missing():
        raise ImportError("No module named 'provisioner.localcloud.wire.rds'")

    fake_registry.alibaba["2014-08-15"] = Api("rds", "rds.aliyuncs.com", missing)
    cloud = localcloud_factory(registry=fake_registry)
    _alibaba_error(raw_client(cloud).rpc("Echo"), 500, "InternalError")
