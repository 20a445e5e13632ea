"""Lost responses in both drop modes: "reset" (RST before any byte) and "truncate" (a response head,
then EOF). The Tencent SDK reports the latter with the Python exception's class name as the error
code ("ChunkedEncodingError"); it is a network failure like any other and must be retried — a
regression found by the e2e chaos test (tests/e2e/test_chaos.py)."""

from __future__ import annotations

import pytest

from cloud_fakes import tc_error
from provisioner.core import errors

LIBRA, RDS, POLAR = "libradb-local001", "rm-localmysql80", "pc-localmysql01"
PW = "Passw0rd!x"


@pytest.fixture
def localcloud():
    """The local cloud with its default, realistic timing."""
    from provisioner.localcloud.server import LocalCloud

    cloud = LocalCloud().start()
    yield cloud
    cloud.stop()


@pytest.mark.parametrize("code", ["ChunkedEncodingError", "ConnectionError", "ReadTimeout", "ProtocolError"])
def test_tencent_python_exception_codes_are_network_errors(code):
    err = errors.translate("CreateLibraDBClusterAccounts",
                           tc_error(code, "('Connection broken: IncompleteRead(0 bytes read, 512 more expected)')", None))
    assert (err.code, err.kind, err.retryable) == ("ClientNetworkError", errors.TRANSIENT, True)
    assert "network error" in str(err)


@pytest.mark.parametrize("mode", ["reset", "truncate"])
@pytest.mark.parametrize("product,instance,actions", [
    ("libradb", LIBRA, ["CreateLibraDBClusterAccounts", "ModifyLibraDBClusterAccountPrivilege"]),
    ("rds", RDS, ["CreateAccount", "GrantAccountPrivilege"]),
    ("polardb", POLAR, ["CreateAccount"])])
def test_create_with_every_write_response_lost_succeeds_once(localcloud, adapter, mode, product, instance, actions):
    privileges = ({"databases": {"analytics": ["SELECT"]}} if product == "libradb" else
                  {"orders" if product == "rds" else "inventory": "ReadOnly"})
    localcloud.admin.script(*({"match": f"{product}:{a}", "count": 1, "fault": "drop_after", "drop_mode": mode}
                              for a in actions))
    adapter(product).create_account(instance, {"name": "lost", "host": "%", "description": "mine",
                                               "privileges": privileges}, PW)
    [account] = localcloud.admin.accounts(product, instance)
    assert (account["name"], account["description"]) == ("lost", "mine")
    assert any(account["privileges"].values())
    calls = localcloud.admin.counters()["calls"]
    assert all(calls[f"{product}:{a}"]["DROP_AFTER"] == 1 for a in actions), calls


@pytest.mark.parametrize("mode", ["reset", "truncate"])
@pytest.mark.parametrize("product,instance,action", [
    ("libradb", LIBRA, "DeleteLibraDBClusterAccounts"), ("rds", RDS, "DeleteAccount"),
    ("polardb", POLAR, "DeleteAccount")])
def test_delete_with_its_response_lost_succeeds(localcloud, adapter, mode, product, instance, action):
    a = adapter(product)
    a.create_account(instance, {"name": "gone", "host": "%"}, PW)
    localcloud.admin.script({"match": f"{product}:{action}", "count": 1, "fault": "drop_after", "drop_mode": mode})
    assert a.delete_account(instance, "gone", "%") is True
    assert localcloud.admin.accounts(product, instance) == []
