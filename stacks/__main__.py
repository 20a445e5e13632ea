"""The accounts every environment has. Cluster and instance IDs come from the stack's config
(Pulumi.<stack>.yaml); the accounts themselves are the same everywhere."""

import pulumi

from provisioner import (
    LibraDBAccount,
    LibraDBAccountArgs,
    PolarDBAccount,
    PolarDBAccountArgs,
    RdsAccount,
    RdsAccountArgs,
)

config = pulumi.Config()
libradb_cluster = config.require("libradbClusterId")
mysql_instance = config.require("rdsMysqlInstanceId")
postgres_instance = config.require("rdsPostgresInstanceId")
polardb_cluster = config.require("polardbClusterId")
# Where the LibraDB accounts may connect from: '%' (anywhere) unless the stack says; prod's
# policy (policy/prod.json, no-any-host) requires an address.
libradb_host = config.get("libradbClientHost") or "%"

# --- LibraDB analysis cluster -------------------------------------------------------------
analyst = LibraDBAccount("libradb-analyst", LibraDBAccountArgs(
    cluster_id=libradb_cluster, name="analyst", host=libradb_host,
    description="Analysts: read-only access to analytics data",
    privileges={"databases": {"analytics": ["SELECT", "SHOW VIEW"], "events": ["SELECT"]}},
))
etl = LibraDBAccount("libradb-etl", LibraDBAccountArgs(
    cluster_id=libradb_cluster, name="etl_loader", host=libradb_host,
    description="Nightly ETL: loads events into analytics",
    max_user_connections=50,
    privileges={
        "databases": {
            "etl_staging": ["SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "INDEX"],
            "analytics": ["SELECT", "INSERT", "UPDATE", "DELETE"],
        },
    },
))

# --- ApsaraDB RDS -------------------------------------------------------------------------
orders_app = RdsAccount("rds-orders-app", RdsAccountArgs(
    instance_id=mysql_instance, name="orders_app", engine="MySQL",
    description="orders-service",
    privileges={"orders": "ReadWrite", "payments": "ReadWrite"},
))
reporting = RdsAccount("rds-reporting", RdsAccountArgs(
    instance_id=mysql_instance, name="reporting", engine="MySQL",
    description="BI-dashboards",
    privileges={"orders": "ReadOnly", "payments": "ReadOnly", "reporting": "ReadOnly"},
))
catalog_app = RdsAccount("rds-catalog-app", RdsAccountArgs(
    instance_id=postgres_instance, name="catalog_app", engine="PostgreSQL",
    description="catalog-service",
    privileges={"catalog": "DBOwner"},
))

# --- PolarDB ------------------------------------------------------------------------------
inventory_app = PolarDBAccount("polardb-inventory-app", PolarDBAccountArgs(
    cluster_id=polardb_cluster, name="inventory_app",
    description="inventory-service: reads and writes rows",
    privileges={"inventory": "DMLOnly"},
))
migrations = PolarDBAccount("polardb-migrations", PolarDBAccountArgs(
    cluster_id=polardb_cluster, name="migrations",
    description="schema migrations: DDL only",
    privileges={"inventory": "DDLOnly", "inventory_archive": "DDLOnly"},
))


def connection(account):
    """What an application needs; the password stays a secret end to end."""
    return {
        "username": account.name,
        "endpoint": account.endpoint,
        "password": pulumi.Output.secret(account.password),
    }


pulumi.export("libradb", {"analyst": connection(analyst), "etl": connection(etl)})
pulumi.export("rds", {"orders_app": connection(orders_app), "reporting": connection(reporting),
                      "catalog_app": connection(catalog_app)})
pulumi.export("polardb", {"inventory_app": connection(inventory_app), "migrations": connection(migrations)})
