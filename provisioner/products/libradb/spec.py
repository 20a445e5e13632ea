"""LibraDBAccount spec: Tencent Cloud LibraDB analysis-cluster accounts."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from provisioner.core.spec import AccountSpec, InstanceId, LibraDBDatabaseKey, rule
from provisioner.products.libradb import rules as libradb_rules


def _privilege_list(scope: str):
    def normalise(values: list[str]) -> list[str]:
        out = sorted({v.strip().upper() for v in values})
        for value in out:
            problem = libradb_rules.check_libradb_privilege(value, scope=scope)
            if problem:
                raise ValueError(problem)
        return out
    return normalise


class LibraDBPrivileges(BaseModel):
    """Normalised privileges: sorted, upper-case, de-duplicated; order never matters."""
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    global_: Annotated[list[str], AfterValidator(_privilege_list("global"))] = Field(default_factory=list, alias="global")
    # Db is its own JSON field in this API, so a comma is just a character (LibraDBDatabaseKey).
    databases: dict[LibraDBDatabaseKey, Annotated[list[str], AfterValidator(_privilege_list("database"))]] = Field(default_factory=dict)
    tables: dict[Annotated[str, AfterValidator(rule(libradb_rules.check_libradb_table_key))],
                 Annotated[list[str], AfterValidator(_privilege_list("table"))]] = Field(default_factory=dict)

    def normalised(self) -> dict:
        """The form the adapters and the diff engine use (rules.normalize_privileges)."""
        return libradb_rules.normalize_privileges(
            {"global": self.global_, "databases": self.databases, "tables": self.tables})


class LibraDBAccountSpec(AccountSpec):
    cluster_id: InstanceId
    name: Annotated[str, AfterValidator(rule(libradb_rules.check_libradb_name))]
    host: Annotated[str, AfterValidator(rule(libradb_rules.check_libradb_host))] = "%"
    password: Annotated[str | None, AfterValidator(rule(libradb_rules.check_libradb_password))] = None
    description: Annotated[str | None, AfterValidator(rule(libradb_rules.check_libradb_description))] = None
    max_user_connections: Annotated[int | None, AfterValidator(rule(libradb_rules.check_libradb_max_user_connections))] = None
    privileges: LibraDBPrivileges = Field(default_factory=LibraDBPrivileges)
