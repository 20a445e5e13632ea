"""Alibaba Cloud PolarDB (2017-08-01): this product's entry in the registry (provisioner/products/__init__.py)."""

from __future__ import annotations

from provisioner.products.alibaba_credentials import ALIBABA
from provisioner.products.descriptor import Product

PRODUCT = Product(
    name="polardb",
    title="PolarDB",
    cloud="alibaba",
    resource="provisioner.products.polardb.resource:PolarDBAccount",
    exports=("PolarDBAccount", "PolarDBAccountArgs", "PolarDBAccountArgsDict", "PolarDBPrivilege"),
    provider="provisioner.products.polardb.provider:PolarDBAccountProvider",
    spec="provisioner.products.polardb.spec:PolarDBAccountSpec",
    type_token="pulumi-python:dynamic/provisioner:PolarDBAccount",
    instance_field="cluster_id",
    instance_word="cluster",
    adapter="provisioner.products.polardb.adapter:PolarDBAdapter",
    client="provisioner.products.polardb.adapter:new_client",
    codes="provisioner.products.polardb.codes:TABLE",
    credentials=ALIBABA,
    api_version="2017-08-01",
    api_host="polardb.aliyuncs.com",
    emulator_service="provisioner.localcloud.wire.polardb",
)
