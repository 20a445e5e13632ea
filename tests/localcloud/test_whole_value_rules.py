"""The local cloud checks names against the whole value, like the real APIs: `ab\\n` is refused
on all three (re.match(...$) used to let it through), through the official SDKs."""

from __future__ import annotations

import json

import pytest
from alibabacloud_polardb20170801 import models as polardb_models
from alibabacloud_rds20140815 import models as rds_models
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.cynosdb.v20190107 import models as cynosdb_models

from alibaba_support import PASSWORD, expect

NAMES = ["ab\n", "app\n", "ab\r\n"]


@pytest.mark.parametrize("name", NAMES)
def test_libradb_refuses_a_name_with_a_trailing_newline(localcloud, cynosdb_client, name):
    request = cynosdb_models.CreateLibraDBClusterAccountsRequest()
    request.from_json_string(json.dumps({"ClusterId": "libradb-local001", "Accounts": [
        {"AccountName": name, "AccountPassword": PASSWORD, "Host": "%"}]}))
    with pytest.raises(TencentCloudSDKException) as info:
        cynosdb_client.CreateLibraDBClusterAccounts(request)
    assert info.value.get_code() == "InvalidParameterValue.ParamError"
    assert localcloud.store.list_accounts("libradb") == []


@pytest.mark.parametrize("name", NAMES)
def test_rds_and_polardb_refuse_a_name_with_a_trailing_newline(localcloud, rds_client, polardb_client, name):
    expect("InvalidAccountName.Malformed", 400, rds_client.create_account, rds_models.CreateAccountRequest(
        dbinstance_id="rm-localmysql80", account_name=name, account_password=PASSWORD))
    expect("InvalidAccountName.Malformed", 400, polardb_client.create_account, polardb_models.CreateAccountRequest(
        dbcluster_id="pc-localmysql01", account_name=name, account_password=PASSWORD, account_type="Normal"))
    assert localcloud.store.list_accounts() == []
