"""Alibaba Cloud ApsaraDB RDS (2014-08-15): this product's entry in the registry (provisioner/products/__init__.py)."""

from __future__ import annotations

from provisioner.products.alibaba_credentials import ALIBABA
from provisioner.products.descriptor import Product

PRODUCT = Product(
    name="rds",
    title="ApsaraDB RDS",
    cloud="alibaba",
    resource="provisioner.products.rds.resource:RdsAccount",
    exports=("RdsAccount", "RdsAccountArgs", "RdsAccountArgsDict", "RdsPrivilege"),
    provider="provisioner.products.rds.provider:RdsAccountProvider",
    spec="provisioner.products.rds.spec:RdsAccountSpec",
    type_token="pulumi-python:dynamic/provisioner:RdsAccount",
    instance_field="instance_id",
    instance_word="instance",
    adapter="provisioner.products.rds.adapter:RdsAdapter",
    client="provisioner.products.rds.adapter:new_client",
    codes="provisioner.products.rds.codes:TABLE",
    credentials=ALIBABA,
    rate_limits={"CreateAccount": 50.0},   # RDS CreateAccount flow control: no published figure found (guess), as the local cloud plays it
    api_version="2014-08-15",
    api_host="rds.aliyuncs.com",
    emulator_service="provisioner.localcloud.wire.rds",
)
