"""RdsAccount spec: Alibaba Cloud ApsaraDB RDS accounts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from provisioner.core import rules
from provisioner.core.spec import AccountSpec, DatabaseKey, InstanceId, model_rule_error, rule
from provisioner.products.rds import rules as rds_rules

RdsEngine = Literal["MySQL", "MariaDB", "PostgreSQL", "SQLServer"]
RdsPrivilege = Literal["ReadWrite", "ReadOnly", "DDLOnly", "DMLOnly", "DBOwner"]
RdsAccountType = Literal["Normal", "Super", "Sysadmin"]


class RdsAccountSpec(AccountSpec):
    instance_id: InstanceId
    name: Annotated[str, AfterValidator(rule(rds_rules.check_rds_name))]  # loosest bound; engine rule below
    password: Annotated[str | None, AfterValidator(rule(rules.check_alibaba_password))] = None
    account_type: RdsAccountType = "Normal"
    description: Annotated[str | None, AfterValidator(rule(rds_rules.check_rds_description))] = None
    privileges: dict[DatabaseKey, RdsPrivilege] = Field(default_factory=dict)
    # Optional hint: with it, the engine's own name and privilege rules are checked at preview;
    # without it they are checked against the live instance before the first write.
    engine: RdsEngine | None = None
    engine_version: str | None = None

    @model_validator(mode="after")
    def _engine_rules(self) -> "RdsAccountSpec":
        failures = engine_rule_failures(self, self.engine, self.engine_version)
        if failures:
            raise model_rule_error(failures)
        return self


def engine_rule_failures(spec: RdsAccountSpec, engine: str | None, version: str | None,
                         storage_type: str | None = None) -> list[tuple[str, str]]:
    """The rules that depend on the engine: at preview from the hint, at create from the live
    instance (which also reports its storage type)."""
    failures = []
    problem = rds_rules.check_rds_name(spec.name, engine, version, storage_type)
    if problem:
        failures.append(("name", problem))
    for db, privilege in spec.privileges.items():
        problem = rds_rules.check_rds_privilege(privilege, engine)
        if problem:
            failures.append((f"privileges.{db}", problem))
    if spec.account_type == "Sysadmin" and engine not in (None, "SQLServer"):
        # CreateAccount AccountType: Sysadmin only on SQL Server (InvalidEngineVersion.NotSupported, seed 003).
        failures.append(("account_type", "Sysadmin accounts exist only on SQL Server instances"))
    problem = rds_rules.check_rds_account_type_privileges(spec.account_type, spec.privileges, engine)
    if problem:
        failures.append(("privileges", problem))
    return failures
