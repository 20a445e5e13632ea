"""LibraDBAccount spec: Tencent Cloud LibraDB analysis-cluster accounts."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from provisioner import rules
from provisioner.specs.common import AccountSpec, rule


def _privilege_list(scope: str):
    def normalise(values: list[str]) -> list[str]:
        out = sorted({v.strip().upper() for v in values})
        for value in out:
            problem = rules.check_libradb_privilege(value, scope=scope)
            if problem:
                raise ValueError(problem)
        return out
    return normalise


class LibraDBPrivileges(BaseModel):
    """Normalised privileges: sorted, upper-case, de-duplicated; order never matters."""
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    global_: Annotated[list[str], AfterValidator(_privilege_list("global"))] = Field(default_factory=list, alias="global")
    databases: dict[str, Annotated[list[str], AfterValidator(_privilege_list("database"))]] = Field(default_factory=dict)
    tables: dict[str, Annotated[list[str], AfterValidator(_privilege_list("table"))]] = Field(default_factory=dict)

    @field_validator("tables")
    @classmethod
    def _table_keys(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for key in value:
            db, _, table = key.partition(".")
            if not db or not table:
                raise ValueError(f"table key '{key}' must have the form 'database.table'")
        return value

    def normalised(self) -> dict:
        """The form the adapters and the diff engine use; empty entries dropped."""
        return {
            "global": list(self.global_),
            "databases": {db: p for db, p in sorted(self.databases.items()) if p},
            "tables": {t: p for t, p in sorted(self.tables.items()) if p},
        }


class LibraDBAccountSpec(AccountSpec):
    cluster_id: Annotated[str, Field(min_length=1)]
    name: Annotated[str, AfterValidator(rule(rules.check_libradb_name))]
    host: Annotated[str, AfterValidator(rule(rules.check_libradb_host))] = "%"
    password: Annotated[str | None, AfterValidator(rule(rules.check_libradb_password))] = None
    description: Annotated[str | None, AfterValidator(rule(rules.check_libradb_description))] = None
    max_user_connections: Annotated[int | None, AfterValidator(rule(rules.check_libradb_max_user_connections))] = None
    privileges: LibraDBPrivileges = Field(default_factory=LibraDBPrivileges)
