"""The outputs every account resource has, as typed properties with their documentation.

The Pulumi SDK stores each output of a resource in the instance's `__dict__` under its name;
these properties read it there (`pulumi.get`), as generated Pulumi packages do.
"""

from __future__ import annotations

from typing import Optional

import pulumi
from pulumi import Output


class AccountOutputs:
    @property
    def name(self) -> Output[str]:
        """The account name."""
        return pulumi.get(self, "name")

    @property
    def password(self) -> Output[str]:
        """The account's password, as given or generated; always a secret. Unset while
        ``password_managed`` is False."""
        return pulumi.get(self, "password")

    @property
    def password_managed(self) -> Output[bool]:
        """False while the password is not managed (imported or adopted without one)."""
        return pulumi.get(self, "password_managed")

    @property
    def password_generated(self) -> Output[bool]:
        """True when the password was generated (no ``password`` argument)."""
        return pulumi.get(self, "password_generated")

    @property
    def password_version(self) -> Output[Optional[str]]:
        """The ``password_version`` argument: changing it rotates a generated password."""
        return pulumi.get(self, "password_version")

    @property
    def description(self) -> Output[Optional[str]]:
        """The account's description; None when it is not managed."""
        return pulumi.get(self, "description")

    @property
    def region(self) -> Output[Optional[str]]:
        """The region given on the resource; None means the provider's default region."""
        return pulumi.get(self, "region")

    @property
    def adopt(self) -> Output[bool]:
        """Whether an existing account of this identity was allowed to be taken over."""
        return pulumi.get(self, "adopt")

    @property
    def engine(self) -> Output[str]:
        """The database engine of the cluster or instance, as the cloud reports it (e.g. ``MySQL``)."""
        return pulumi.get(self, "engine")

    @property
    def endpoint(self) -> Output[str]:
        """``host:port`` of the cluster or instance, for applications."""
        return pulumi.get(self, "endpoint")
