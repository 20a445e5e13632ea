"""Tencent Cloud LibraDB (TDSQL-C analysis clusters, API cynosdb 2019-01-07): everything true of this product."""
