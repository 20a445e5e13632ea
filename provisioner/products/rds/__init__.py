"""Alibaba Cloud ApsaraDB RDS (API 2014-08-15): everything true of this product."""
