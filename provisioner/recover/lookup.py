"""Reading the cloud for recover, through the providers' public methods, with the credentials and
endpoint of the stack's config (as the provider process would get them from the engine)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from provisioner.recover import RecoverError
from provisioner.recover.backend import Pulumi

if TYPE_CHECKING:
    from provisioner.core.adapter import LiveAccount
    from provisioner.core.provider import AccountProvider
    from provisioner.core.spec import AccountSpec


def use_stack_config(pulumi: Pulumi) -> None:
    """Stack config (credentials, endpoint) for the cloud lookups, as the provider would see it."""
    from provisioner.core import settings
    config = pulumi.json("config", "--json", "--show-secrets")
    settings.remember({k: v.get("value") for k, v in config.items() if isinstance(v, dict)})


def cloud_lookup(provider: AccountProvider, spec: AccountSpec) -> LiveAccount | None:
    """The account now (a fresh read), or None when neither it nor its cluster/instance exists."""
    from provisioner.core import errors
    from provisioner.core.adapter import CloudApiError
    try:
        return provider.find_account(spec)
    except CloudApiError as exc:
        if exc.kind == errors.NOT_FOUND:   # the cluster/instance itself is gone: nothing was created
            return None
        raise RecoverError(f"cannot look up {provider.where(spec)}: {exc}") from None
