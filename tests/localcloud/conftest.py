"""Shared fixtures of the local cloud tests.

- `localcloud`: a fresh LocalCloud (real services, in-memory state, built-in seed, default
  faults i.e. rate limits on) on a free port, per test, with the `instant` behaviour: these
  tests check rules, shapes and codes call by call. The realistic timing (the default of
  LocalCloud and of the CLI) has its own tests (test_behaviour_*.py, `realistic_cloud`). Attributes: .port, .endpoint
  ("127.0.0.1:PORT"), .url, .store, .admin (AdminClient), .faults, .counters, .access_key,
  .secret_key, .reset().
- `localcloud_factory(**kwargs)`: start more / differently configured clouds (same kwargs as
  LocalCloud, e.g. faults={"rate_limits": {}}, state=tmp_path / "s.sqlite"; behaviour
  "instant" unless given); all stopped at teardown.
- `cynosdb_client`, `rds_client`, `polardb_client`: official SDK clients aimed at `localcloud`.
- `fake_registry` / `fakecloud`: the wire layer with tiny fake services and verifiers, for
  tests of routing, envelopes, faults and logging that must not depend on the real services.
"""

from __future__ import annotations

from typing import Any

import pytest

from provisioner.localcloud.errors import CloudError
from provisioner.localcloud.registry import Api, Registry
from provisioner.localcloud.server import LocalCloud
from provisioner.localcloud.store import Account, Store


@pytest.fixture
def localcloud_factory():
    clouds: list[LocalCloud] = []

    def make(**kwargs: Any) -> LocalCloud:
        kwargs.setdefault("behaviour", "instant")   # realistic timing: pass behaviour="realistic"
        cloud = LocalCloud(**kwargs).start()
        clouds.append(cloud)
        return cloud

    yield make
    for cloud in reversed(clouds):
        cloud.stop()


@pytest.fixture
def localcloud(localcloud_factory) -> LocalCloud:
    return localcloud_factory()


@pytest.fixture
def cynosdb_client(localcloud):
    from tencentcloud.common import credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.cynosdb.v20190107 import cynosdb_client as tc

    profile = ClientProfile(httpProfile=HttpProfile(endpoint=localcloud.endpoint, protocol="http"))
    return tc.CynosdbClient(credential.Credential(localcloud.access_key, localcloud.secret_key),
                            "ap-guangzhou", profile)


def _alibaba_config(cloud: LocalCloud):
    from alibabacloud_tea_openapi import models as open_api_models

    return open_api_models.Config(access_key_id=cloud.access_key, access_key_secret=cloud.secret_key,
                                  endpoint=cloud.endpoint, protocol="http", region_id="cn-hangzhou")


@pytest.fixture
def rds_client(localcloud):
    from alibabacloud_rds20140815.client import Client

    return Client(_alibaba_config(localcloud))


@pytest.fixture
def polardb_client(localcloud):
    from alibabacloud_polardb20170801.client import Client

    return Client(_alibaba_config(localcloud))


# --- fakes --------------------------------------------------------------------------------

def _fake_create_libradb(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    for item in params.get("Accounts", []):
        acct = Account("libradb", params["ClusterId"], item["AccountName"], item.get("Host", "%"))
        acct.set_password(item["AccountPassword"])
        store.insert_account(acct)
    return {}


def _fake_create_alibaba(product: str, id_param: str):
    def create(store: Store, params: dict[str, Any]) -> dict[str, Any]:
        if store.get_account(product, params[id_param], params["AccountName"]):
            raise CloudError("InvalidAccountName.Duplicate",
                             "Specified account name already exists in this instance.", 400)
        acct = Account(product, params[id_param], params["AccountName"],
                       description=params.get("AccountDescription", ""))
        acct.set_password(params["AccountPassword"])
        store.insert_account(acct)
        return {}
    return create


def _echo(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    return {"Params": params}


def _boom(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    raise RuntimeError("handler bug")


def _fail(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    raise CloudError("InvalidParameterValue.AccountExist", "The account already exists.", 400)


REPLAYED_ID = "0d9b2b0e-5a7e-4c1e-9a43-6f3c2d1e0b7a"


def _replay(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    return {"RequestId": REPLAYED_ID}


def _credential_of(value: str) -> str:
    """AccessKeyId from `... Credential=<id>/...` or `... Credential=<id>,...`."""
    part = value.split("Credential=", 1)[1] if "Credential=" in value else ""
    return part.split("/", 1)[0].split(",", 1)[0]


def _fake_verify_tc3(method, path, query, headers, body, credentials, now) -> str:
    key = _credential_of(headers.get("authorization", ""))
    if key not in credentials:
        raise CloudError("AuthFailure.SecretIdNotFound", "The SecretId is not found.")
    return key


def _fake_verify_acs3(method, path, raw_query, headers, body, credentials) -> str:
    key = _credential_of(headers.get("authorization", ""))
    if key not in credentials:
        raise CloudError("InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)
    return key


def _fake_verify_rpc_v1(method, params, credentials) -> str:
    if params.get("AccessKeyId") not in credentials:
        raise CloudError("InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)
    return params["AccessKeyId"]


FAKE_LIBRADB = {"CreateLibraDBClusterAccounts": _fake_create_libradb, "DescribeLibraDBClusters": _echo,
                "Echo": _echo, "Boom": _boom, "Fail": _fail, "Replay": _replay}
FAKE_RDS = {"CreateAccount": _fake_create_alibaba("rds", "DBInstanceId"), "DescribeAccounts": _echo,
            "Echo": _echo, "Boom": _boom, "Fail": _fail}
FAKE_POLARDB = {"CreateAccount": _fake_create_alibaba("polardb", "DBClusterId"), "Echo": _echo}


def _recording(scheme: str, verify, seen: list[str]):
    def wrapped(*args):
        seen.append(scheme)
        return verify(*args)
    return wrapped


@pytest.fixture
def fake_registry() -> Registry:
    """Fake services; `registry.verified` lists the signature schemes checked, in order."""
    seen: list[str] = []
    registry = Registry(
        tencent={"2019-01-07": Api("libradb", "cynosdb.tencentcloudapi.com", lambda: FAKE_LIBRADB)},
        alibaba={"2014-08-15": Api("rds", "rds.aliyuncs.com", lambda: FAKE_RDS),
                 "2017-08-01": Api("polardb", "polardb.aliyuncs.com", lambda: FAKE_POLARDB)},
        verify_tc3=_recording("tc3", _fake_verify_tc3, seen),
        verify_acs3=_recording("acs3", _fake_verify_acs3, seen),
        verify_rpc_v1=_recording("rpc_v1", _fake_verify_rpc_v1, seen))
    registry.verified = seen
    return registry


@pytest.fixture
def fakecloud(localcloud_factory, fake_registry) -> LocalCloud:
    """Fake services, no rate limits (tests opt in to faults explicitly)."""
    return localcloud_factory(registry=fake_registry, faults={"rate_limits": {}})


class RawClient:
    """Hand-made requests in each wire format (the fake verifiers only check the key id)."""

    def __init__(self, cloud: LocalCloud):
        import httpx

        self.cloud = cloud
        self.http = httpx.Client(base_url=cloud.url, timeout=30, trust_env=False)

    def tencent(self, action: str, body: Any = None, *, version: str = "2019-01-07",
                key: str | None = None, raw: bytes | None = None, method: str = "POST"):
        headers = {"X-TC-Action": action, "X-TC-Version": version, "Content-Type": "application/json",
                   "Authorization": f"TC3-HMAC-SHA256 Credential={key or self.cloud.access_key}/2026-01-01/"
                                    "cynosdb/tc3_request, SignedHeaders=content-type;host, Signature=00"}
        if not version:
            del headers["X-TC-Version"]
        import json as _json
        content = raw if raw is not None else _json.dumps(body or {}).encode()
        return self.http.request(method, "/", content=content, headers=headers)

    def rpc(self, action: str | None, version: str | None = "2014-08-15", *, form: bool = False,
            key: str | None = None, **params: str):
        common = {"Action": action, "Version": version, "Format": "JSON", "Timestamp": "2026-01-01T00:00:00Z",
                  "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": "n",
                  "AccessKeyId": key or self.cloud.access_key, "Signature": "sig"}
        common = {k: v for k, v in common.items() if v is not None}
        if form:
            return self.http.post("/", params=common, data=params)
        return self.http.post("/", params={**common, **params})

    def acs3(self, action: str, version: str = "2014-08-15", *, key: str | None = None, **params: str):
        headers = {"x-acs-action": action, "x-acs-version": version, "x-acs-date": "2026-01-01T00:00:00Z",
                   "Authorization": f"ACS3-HMAC-SHA256 Credential={key or self.cloud.access_key},"
                                    "SignedHeaders=host;x-acs-action,Signature=00"}
        return self.http.post("/", params=params, headers=headers)

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def raw_client():
    """raw_client(cloud) -> RawClient; closed at teardown."""
    clients: list[RawClient] = []

    def make(cloud: LocalCloud) -> RawClient:
        clients.append(RawClient(cloud))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def raw(fakecloud, raw_client) -> RawClient:
    return raw_client(fakecloud)
