"""Alibaba Cloud's credentials and region, shared by RDS and PolarDB (one AccessKey pair)."""

from __future__ import annotations

from provisioner.products.descriptor import Credentials

ALIBABA = Credentials(access_key_id=("alibabaAccessKeyId", "ALIBABA_CLOUD_ACCESS_KEY_ID"),
                      access_key_secret=("alibabaAccessKeySecret", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
                      region=("alibabaRegion", "ALIBABA_CLOUD_REGION_ID"), default_region="cn-hangzhou")
