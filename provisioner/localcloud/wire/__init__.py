"""The local cloud's wire layer: each protocol's request parsing, signature check and envelopes
(tencent.py, alibaba.py, with the signature algorithms in tc3.py and acs.py), and each product's
actions as parameters in, a service call, response fields out (libradb.py, rds.py, polardb.py)."""
