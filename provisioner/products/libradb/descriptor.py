"""Tencent Cloud LibraDB analysis clusters (cynosdb 2019-01-07): this product's entry in the registry (provisioner/products/__init__.py)."""

from __future__ import annotations

from provisioner.products.descriptor import Credentials, Product

PRODUCT = Product(
    name="libradb",
    title="LibraDB",
    cloud="tencent",
    resource="provisioner.products.libradb.resource:LibraDBAccount",
    exports=("LibraDBAccount", "LibraDBAccountArgs", "LibraDBAccountArgsDict", "LibraDBPrivilegesDict"),
    provider="provisioner.products.libradb.provider:LibraDBAccountProvider",
    spec="provisioner.products.libradb.spec:LibraDBAccountSpec",
    type_token="pulumi-python:dynamic/provisioner:LibraDBAccount",
    instance_field="cluster_id",
    instance_word="cluster",
    adapter="provisioner.products.libradb.adapter:LibraDBAdapter",
    client="provisioner.products.libradb.adapter:new_client",
    codes="provisioner.products.libradb.codes:TABLE",
    credentials=Credentials(access_key_id=("tencentSecretId", "TENCENTCLOUD_SECRET_ID"),
                            access_key_secret=("tencentSecretKey", "TENCENTCLOUD_SECRET_KEY"),
                            region=("tencentRegion", "TENCENTCLOUD_REGION"), default_region="ap-guangzhou"),
    rate_limits={"*": 20.0},   # "A maximum of 20 requests can be initiated per second for this API" (seed 000)
    api_version="2019-01-07",
    api_host="cynosdb.tencentcloudapi.com",
    emulator_service="provisioner.localcloud.wire.libradb",
)
