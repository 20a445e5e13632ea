"""What the official SDKs raise for each injected fault (the provisioner's retry policy keys on
this; docs/localcloud.md has the table), and cross-cutting checks through the real services."""

from __future__ import annotations

import json

import pytest
from alibabacloud_tea_openapi import exceptions as tea_errors
from alibabacloud_tea_openapi import models as open_api_models
from darabonba.exceptions import RetryError, UnretryableException
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.cynosdb.v20190107 import cynosdb_client
from tencentcloud.cynosdb.v20190107 import models as tc_models

from provisioner.localcloud.faults import Faults

PASSWORD = "Pw123456!x"


def _tencent(cloud):
    return cynosdb_client.CynosdbClient(credential.Credential(cloud.access_key, cloud.secret_key), "ap-guangzhou",
                                        ClientProfile(httpProfile=HttpProfile(endpoint=cloud.endpoint, protocol="http")))


def _tencent_create(client, name: str):
    req = tc_models.CreateLibraDBClusterAccountsRequest()
    req.from_json_string(json.dumps({"ClusterId": "libradb-local001", "Accounts": [
        {"AccountName": name, "AccountPassword": PASSWORD, "Host": "%"}]}))
    return client.CreateLibraDBClusterAccounts(req)


def _alibaba_config(cloud, algorithm: str | None = None):
    return open_api_models.Config(access_key_id=cloud.access_key, access_key_secret=cloud.secret_key,
                                  endpoint=cloud.endpoint, protocol="http", region_id="cn-hangzhou",
                                  signature_algorithm=algorithm)


def _rds_create(cloud, name: str, algorithm: str | None = None):
    from alibabacloud_rds20140815 import models
    from alibabacloud_rds20140815.client import Client

    return Client(_alibaba_config(cloud, algorithm)).create_account(models.CreateAccountRequest(
        dbinstance_id="rm-localmysql80", account_name=name, account_password=PASSWORD))


def _polardb_create(cloud, name: str, token: str | None = None):
    from alibabacloud_polardb20170801 import models
    from alibabacloud_polardb20170801.client import Client

    return Client(_alibaba_config(cloud)).create_account(models.CreateAccountRequest(
        dbcluster_id="pc-localmysql01", account_name=name, account_password=PASSWORD, account_type="Normal",
        client_token=token))


# --- the fault -> exception table (fake services) ------------------------------------------------

TENCENT_CASES = [  # injected fault, TencentCloudSDKException.code, change applied?
    ({"fault": "throttle"}, "RequestLimitExceeded", False),
    ({"fault": "internal"}, "InternalError", False),
    ({"fault": "http503"}, "ServerNetworkError", False),
    # RST before any byte: requests' ConnectionError, raised inside the SDK's send.
    ({"fault": "drop_before", "drop_mode": "reset"}, "ClientNetworkError", False),
    ({"fault": "drop_after", "drop_mode": "reset"}, "ClientNetworkError", True),
    # Head, then EOF: raised while reading the streamed body, named after the requests error.
    ({"fault": "drop_before", "drop_mode": "truncate"}, "ChunkedEncodingError", False),
    ({"fault": "drop_after", "drop_mode": "truncate"}, "ChunkedEncodingError", True),
]


@pytest.mark.parametrize("entry, code, applied", TENCENT_CASES)
def test_tencent_sdk_sees(fakecloud, entry, code, applied):
    fakecloud.faults.script(entry)
    with pytest.raises(TencentCloudSDKException) as err:
        _tencent_create(_tencent(fakecloud), "tuser")
    assert err.value.code == code
    assert bool(fakecloud.store.list_accounts("libradb")) == applied


@pytest.mark.parametrize("algorithm", [None, "v2"])  # ACS3 (default) and RPC v1 HMAC-SHA1
def test_alibaba_sdk_sees(fakecloud, algorithm):
    script = fakecloud.faults.script
    script({"fault": "throttle"})
    with pytest.raises(tea_errors.ClientException) as err:
        _rds_create(fakecloud, "a1", algorithm)
    assert (err.value.code, err.value.status_code) == ("Throttling", 400)
    assert not isinstance(err.value, tea_errors.ThrottlingException)  # no x-acs-retry-after header

    script({"fault": "internal"})
    with pytest.raises(tea_errors.ServerException) as err:
        _rds_create(fakecloud, "a2", algorithm)
    assert (err.value.code, err.value.status_code) == ("InternalError", 500)

    script({"fault": "http503"})  # non-JSON body: the SDK fails parsing it
    with pytest.raises(UnretryableException) as err:
        _rds_create(fakecloud, "a3", algorithm)
    assert isinstance(err.value.inner_exception, RuntimeError)
    assert "Failed to parse the value as json format" in str(err.value.inner_exception)

    for mode, text in (("reset", "Connection aborted"), ("truncate", "Connection broken: IncompleteRead")):
        for when in ("before", "after"):
            script({"fault": f"drop_{when}", "drop_mode": mode})
            with pytest.raises(UnretryableException) as err:
                _rds_create(fakecloud, f"{mode}_{when}", algorithm)
            assert isinstance(err.value.inner_exception, RetryError)
            assert text in str(err.value.inner_exception)
    assert sorted(a.name for a in fakecloud.store.list_accounts("rds")) == ["reset_after", "truncate_after"]


# --- through the real services -----------------------------------------------------------------

def test_libradb_default_rate_limit_through_the_sdk(localcloud_factory):
    cloud = localcloud_factory(faults=Faults(clock=lambda: 0.0))  # every call in the same instant
    client = _tencent(cloud)
    for i in range(20):
        _tencent_create(client, f"burst{i}")
    with pytest.raises(TencentCloudSDKException) as err:
        _tencent_create(client, "burst20")
    assert err.value.code == "RequestLimitExceeded" and err.value.requestId
    assert len(cloud.store.list_accounts("libradb")) == 20


def test_rds_default_rate_limit_through_the_sdk(localcloud_factory):
    cloud = localcloud_factory(faults=Faults(clock=lambda: 0.0))
    for i in range(50):
        _rds_create(cloud, f"burst{i}")
    with pytest.raises(tea_errors.ClientException) as err:
        _rds_create(cloud, "burst50")
    assert err.value.code == "Throttling"


def test_tencent_lost_response_then_retry(localcloud):
    localcloud.admin.script({"match": "libradb:CreateLibraDBClusterAccounts", "fault": "drop_after"})
    client = _tencent(localcloud)
    with pytest.raises(TencentCloudSDKException) as err:
        _tencent_create(client, "lost")
    assert err.value.code == "ClientNetworkError"
    assert localcloud.admin.verify_password("libradb", "libradb-local001", "lost", PASSWORD, host="%")
    with pytest.raises(TencentCloudSDKException) as err:
        _tencent_create(client, "lost")  # a blind retry now conflicts: the provisioner must read back
    assert err.value.code.startswith("InvalidParameterValue.Account")


def test_rds_lost_response_then_retry(localcloud):
    localcloud.admin.script({"match": "rds:CreateAccount", "fault": "drop_after"})
    with pytest.raises(UnretryableException):
        _rds_create(localcloud, "lost")
    assert localcloud.admin.verify_password("rds", "rm-localmysql80", "lost", PASSWORD)
    with pytest.raises(tea_errors.ClientException) as err:
        _rds_create(localcloud, "lost")
    assert err.value.code == "InvalidAccountName.Duplicate"


def test_polardb_client_token_makes_the_retry_safe(localcloud):
    localcloud.admin.script({"match": "polardb:CreateAccount", "fault": "drop_after"})
    with pytest.raises(UnretryableException):
        _polardb_create(localcloud, "tokened", token="tok-123")
    retry = _polardb_create(localcloud, "tokened", token="tok-123")  # same token: replayed, not re-run
    assert retry.status_code == 200 and retry.body.request_id
    assert [a.name for a in localcloud.store.list_accounts("polardb")] == ["tokened"]
    assert localcloud.admin.counters()["calls"]["polardb:CreateAccount"] == {"total": 2, "DROP_AFTER": 1, "OK": 1}


def test_real_signatures_are_checked(localcloud):
    bad = {"access_key_id": localcloud.access_key, "access_key_secret": "wrong"}
    from alibabacloud_rds20140815 import models
    from alibabacloud_rds20140815.client import Client

    config = open_api_models.Config(**bad, endpoint=localcloud.endpoint, protocol="http", region_id="cn-hangzhou")
    with pytest.raises(tea_errors.ClientException) as err:
        Client(config).describe_accounts(models.DescribeAccountsRequest(dbinstance_id="rm-localmysql80"))
    assert err.value.code == "SignatureDoesNotMatch"
    client = cynosdb_client.CynosdbClient(credential.Credential(localcloud.access_key, "wrong"), "ap-guangzhou",
                                          ClientProfile(httpProfile=HttpProfile(endpoint=localcloud.endpoint,
                                                                                protocol="http")))
    with pytest.raises(TencentCloudSDKException) as err:
        _tencent_create(client, "nope")
    assert err.value.code.startswith("AuthFailure")


def test_tccli_style_endpoint(localcloud):
    """tccli passes endpoint="http://127.0.0.1:PORT"; the SDK then signs Host: http://..."""
    client = cynosdb_client.CynosdbClient(credential.Credential(localcloud.access_key, localcloud.secret_key),
                                          "ap-guangzhou",
                                          ClientProfile(httpProfile=HttpProfile(endpoint=localcloud.url)))
    assert client.DescribeLibraDBClusters(tc_models.DescribeLibraDBClustersRequest()).TotalCount == 2


def test_parallel_sdk_clients_on_all_three_apis(localcloud_factory):
    """Concurrent official-SDK writes through the real services: nothing lost, nothing doubled."""
    from concurrent.futures import ThreadPoolExecutor

    cloud = localcloud_factory(faults={"rate_limits": {}})

    def work(i: int) -> None:
        {0: lambda: _tencent_create(_tencent(cloud), f"par{i}"),
         1: lambda: _rds_create(cloud, f"par{i}"),
         2: lambda: _polardb_create(cloud, f"par{i}", token=f"t{i}")}[i % 3]()

    with ThreadPoolExecutor(12) as pool:
        list(pool.map(work, range(90)))
    per_product = {p: sorted(a.name for a in cloud.store.list_accounts(p)) for p in ("libradb", "rds", "polardb")}
    assert per_product == {p: sorted(f"par{i}" for i in range(90) if i % 3 == k)
                           for k, p in enumerate(("libradb", "rds", "polardb"))}
    calls = cloud.counters.snapshot()["calls"]
    assert [calls[k]["OK"] for k in ("libradb:CreateLibraDBClusterAccounts", "rds:CreateAccount",
                                     "polardb:CreateAccount")] == [30, 30, 30]
