"""Alibaba Cloud PolarDB (API 2017-08-01): everything true of this product."""
