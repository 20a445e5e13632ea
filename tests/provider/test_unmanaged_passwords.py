"""An account adopted without a password, driven through the providers against the local cloud:
create, read (refresh), diff and in-place updates never touch its password and keep saying
"password not managed"; declaring a password_version then generates and sets one."""

from __future__ import annotations

import pytest

from provisioner.core import clients as factory
from test_providers import CASES, inputs

HAND_MADE = "Hand-Made-Pw1"


@pytest.mark.parametrize("product", CASES)
def test_adopted_without_a_password_stays_unmanaged_until_a_version_is_declared(localcloud, product):
    provider_class, instance, _, base, in_place, _ = CASES[product]
    provider = provider_class()
    host = {"host": "%"} if product == "libradb" else {}
    admin = localcloud.admin
    same = {"max_user_connections": base["max_user_connections"]} if product == "libradb" else {}  # a replace field
    admin.add_account(product, instance, base["name"], HAND_MADE, description="by hand", **host, **same)
    news = inputs(product, password=None, adopt=True)

    created = provider.create(news)
    outs = {**created.outs, "__provider": "serialized"}
    assert (outs["password"], outs["password_managed"], outs["password_generated"]) == (None, False, False)
    assert admin.verify_password(product, instance, base["name"], HAND_MADE, **host)

    factory.reset()
    read = provider.read(created.id, outs)
    assert read.outs["password_managed"] is False and read.outs["password"] is None
    assert provider.diff(created.id, {**read.outs, "__provider": "x"}, news).changes is False

    changed = inputs(product, password=None, adopt=True, description=in_place["description"])
    updated = provider.update(created.id, outs, changed).outs
    assert updated["password_managed"] is False and updated["password"] is None
    assert admin.verify_password(product, instance, base["name"], HAND_MADE, **host)

    rotated = inputs(product, password=None, adopt=True, description=in_place["description"], password_version="1")
    olds = {**updated, "__provider": "serialized"}
    assert provider.diff(created.id, olds, rotated).changes is True
    managed = provider.update(created.id, olds, rotated).outs
    assert managed["password_managed"] is True and managed["password_generated"] is True
    assert admin.verify_password(product, instance, base["name"], managed["password"], **host)
    assert not admin.verify_password(product, instance, base["name"], HAND_MADE, **host)
