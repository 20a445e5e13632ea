"""When a password changes: never for an account whose password is not managed (imported, or
adopted without one) until the stack declares one; and stacks written by the versions before
`password_managed` existed diff as no change (their olds lack the flag)."""

from __future__ import annotations

import pytest

from provisioner.products.libradb.resource import LibraDBAccountProvider
from provisioner.products.rds.resource import RdsAccountProvider

PROVIDER = "serialized-provider"


def rds_inputs(**changes):
    """What check returns for an RDS account (normalised inputs)."""
    spec = {"instance_id": "rm-1", "name": "orders_app", "password": None, "password_version": None,
            "account_type": "Normal", "description": "orders", "privileges": {"orders": "ReadWrite"},
            "region": None, "engine": None, "engine_version": None, "adopt": False}
    return {**spec, **changes, "__provider": PROVIDER}


def written_before(inputs, password, generated):
    """Outputs exactly as `create` wrote them before this change: no password_managed key."""
    outs = {k: v for k, v in inputs.items() if k != "__provider"}
    outs.update(password=password, password_generated=generated, engine="MySQL", endpoint="rm-1:3306",
                __provider=PROVIDER)
    return outs


@pytest.mark.parametrize("password, generated", [("Given-Pass1x", False), ("Generated-Pass1x", True)])
def test_outputs_of_the_previous_version_diff_as_no_change(password, generated):
    news = rds_inputs(password=None if generated else password)
    olds = written_before(news, password, generated)
    diff = RdsAccountProvider().diff("rm-1:orders_app", olds, news)
    assert diff.changes is False and diff.replaces == []


def test_previous_version_still_rotates_on_password_version_and_on_a_new_password():
    provider = RdsAccountProvider()
    olds = written_before(rds_inputs(), "Generated-Pass1x", True)
    assert provider.diff("x", olds, rds_inputs(password_version="2")).changes is True
    olds = written_before(rds_inputs(password="Given-Pass1x"), "Given-Pass1x", False)
    assert provider.diff("x", olds, rds_inputs(password="Other-Pass1x")).changes is True


def unmanaged(inputs):
    outs = written_before(inputs, None, False)
    outs["password_managed"] = False
    return outs


def test_an_unmanaged_password_stays_unmanaged_until_declared():
    provider = RdsAccountProvider()
    olds = unmanaged(rds_inputs())
    assert provider.diff("x", olds, rds_inputs()).changes is False
    description = provider.diff("x", olds, rds_inputs(description="changed"))
    assert description.changes is True and not provider._password_changed(olds, rds_inputs(description="changed"))
    assert provider._password_changed(olds, rds_inputs(password_version="1")) is True
    assert provider._password_changed(olds, rds_inputs(password="Declared-Pass1x")) is True


def test_unmanaged_outputs_say_so_without_a_secret():
    provider = LibraDBAccountProvider()
    spec = provider._spec({"cluster_id": "libradb-1", "name": "etl"})
    outs = provider._outputs(spec, None, False, None)
    assert (outs["password"], outs["password_managed"], outs["password_generated"]) == (None, False, False)
    managed = provider._outputs(spec, "Some-Pass1x", True, None)
    assert (managed["password_managed"], managed["password_generated"]) == (True, True)
