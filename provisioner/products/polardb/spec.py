"""PolarDBAccount spec: Alibaba Cloud PolarDB cluster accounts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from provisioner.core import rules
from provisioner.core.spec import AccountSpec, DatabaseKey, InstanceId, model_rule_error, rule
from provisioner.products.polardb import rules as polardb_rules

PolarDBPrivilege = Literal["ReadWrite", "ReadOnly", "DMLOnly", "DDLOnly", "ReadIndex"]
PolarDBAccountType = Literal["Normal", "Super"]


class PolarDBAccountSpec(AccountSpec):
    cluster_id: InstanceId
    name: Annotated[str, AfterValidator(rule(polardb_rules.check_polardb_name))]
    password: Annotated[str | None, AfterValidator(rule(rules.check_alibaba_password))] = None
    # Always sent to the API: when AccountType is omitted PolarDB silently creates a Super account.
    account_type: PolarDBAccountType = "Normal"
    description: Annotated[str | None, AfterValidator(rule(polardb_rules.check_polardb_description))] = None
    privileges: dict[DatabaseKey, PolarDBPrivilege] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _privileges_need_normal(self) -> "PolarDBAccountSpec":
        if self.privileges and self.account_type == "Super":
            raise model_rule_error([("privileges", "a Super account has every privilege; per-database privileges apply to Normal accounts only")])
        return self
