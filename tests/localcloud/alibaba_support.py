"""What the RDS and PolarDB SDK tests share: the error expectation and adding an instance."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException

from provisioner.localcloud.store import Instance

PASSWORD = "Secr3t!pass#1"


def expect(code: str, status: int, fn, *args, **kwargs) -> ClientException:
    """The call fails with this code and status, the body carries a RequestId, and no password
    it sent (plain or URL-encoded) comes back."""
    with pytest.raises(ClientException) as info:
        fn(*args, **kwargs)
    err = info.value
    assert (err.code, err.status_code) == (code, status), err.data
    assert err.data["RequestId"] and err.data["Code"] == code
    sent = [PASSWORD, kwargs.get("password")] + [v for a in args if hasattr(a, "to_map")
                                                 for k, v in a.to_map().items() if "Password" in k]
    for secret in filter(None, sent):
        assert secret not in str(err.data) and quote(secret, safe="") not in str(err.data)
    return err


def add_instance(localcloud, product: str, **kw) -> Instance:
    inst = Instance(product=product, region="cn-hangzhou", **kw)
    localcloud.store.put_instance(inst)
    return inst
