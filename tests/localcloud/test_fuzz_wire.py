"""Arbitrary (signed) input to every action never crashes a service: the answer is the documented
envelope with a 4xx code (Alibaba) or a non-internal error code (Tencent), never InternalError."""

from __future__ import annotations

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tencentcloud.common import credential
from tencentcloud.common.abstract_client import AbstractClient
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

from provisioner.localcloud.wire.libradb import ACTIONS as LIBRADB
from provisioner.localcloud.wire.polardb import ACTIONS as POLARDB
from provisioner.localcloud.wire.rds import ACTIONS as RDS
from test_core_malformed import rpc_v1_params

FUZZ = settings(max_examples=60, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck))
JSON = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False)
                    | st.text(max_size=20), lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=12), inner, max_size=3), max_leaves=8)
TENCENT_FIELDS = ["ClusterId", "Accounts", "AccountName", "AccountPassword", "Host", "Description", "Account",
                  "NewHost", "GlobalPrivileges", "DatabasePrivileges", "TablePrivileges", "Db", "Type", "TableName",
                  "Limit", "Offset", "Filters", "OrderBy", "OrderByType", "AccountNames", "Hosts", "AccountRegular"]
TENCENT_ITEMS = st.lists(st.dictionaries(st.sampled_from(["AccountName", "Host", "AccountPassword", "Db", "TableName",
                                                          "Privileges", "Names", "Values", "Name", "ExactMatch"]),
                                         JSON, max_size=4), max_size=2)
ALIBABA_FIELDS = ["DBInstanceId", "DBClusterId", "AccountName", "AccountPassword", "NewAccountPassword",
                  "AccountDescription", "AccountType", "DBName", "AccountPrivilege", "PageNumber", "PageSize",
                  "RegionId", "PrivForAllDB", "ClientToken", "DBClusterIds"]
ALIBABA_VALUES = st.one_of(st.text(max_size=30), st.sampled_from(
    ["rm-localmysql80", "pc-localmysql01", "pgm-localpg14", "cn-hangzhou", "orders", "Super", "Normal",
     "ReadWrite", "1", "0", "Pw123456!x", ",", "orders,orders"]))


def test_tencent_actions_never_answer_internal_error(localcloud_factory):
    cloud = localcloud_factory(faults={"rate_limits": {}})
    profile = ClientProfile(httpProfile=HttpProfile(endpoint=cloud.endpoint, protocol="http"))
    client = AbstractClient(credential.Credential(cloud.access_key, cloud.secret_key), "ap-guangzhou", profile)
    client._apiVersion, client._endpoint, client._service = "2019-01-07", "cynosdb.tencentcloudapi.com", "cynosdb"
    values = st.one_of(JSON, st.just("libradb-local001"), TENCENT_ITEMS)

    @FUZZ
    @given(st.sampled_from(sorted(LIBRADB)), st.dictionaries(st.sampled_from(TENCENT_FIELDS), values, max_size=5))
    def call(action, params):
        try:
            client.call_json(action, params)
        except TencentCloudSDKException as err:
            assert not str(err.get_code()).startswith("InternalError"), (action, params, err)

    call()


def test_alibaba_actions_never_answer_5xx(localcloud_factory):
    cloud = localcloud_factory(faults={"rate_limits": {}})
    actions = [("2014-08-15", a) for a in sorted(RDS)] + [("2017-08-01", a) for a in sorted(POLARDB)]
    with httpx.Client(trust_env=False, timeout=30) as http:
        @FUZZ
        @given(st.sampled_from(actions), st.dictionaries(st.sampled_from(ALIBABA_FIELDS), ALIBABA_VALUES, max_size=6))
        def call(version_action, params):
            version, action = version_action
            answer = http.post(cloud.url, params=rpc_v1_params(cloud, Action=action, Version=version, **params))
            assert answer.status_code < 500 and answer.json()["RequestId"], (action, params, answer.text)

        call()
