"""Tencent Cloud side of the local cloud: TC3 signature checks (`signature.verify_tc3`) and the
cynosdb 2019-01-07 LibraDB account actions (`libradb.ACTIONS`). The wire envelope lives in app.py."""
