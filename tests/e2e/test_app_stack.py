"""The real stack program (stacks/) and an app stack that reads it through a StackReference."""

from __future__ import annotations

import shutil

from harness import REPO, Stack


def test_app_stack_reads_accounts_through_a_stack_reference_and_keeps_the_password_secret(tmp_path, pulumi_bin,
                                                                                           localcloud):
    project = tmp_path / "db-accounts"
    project.mkdir()
    shutil.copy(REPO / "Pulumi.yaml", project / "Pulumi.yaml")
    shutil.copytree(REPO / "stacks", project / "stacks", ignore=shutil.ignore_patterns(".venv", "__pycache__"))
    accounts = Stack(tmp_path / "a", pulumi_bin, localcloud, name="local", source=project, state=tmp_path / "state")
    for key, value in {"libradbClusterId": "libradb-local001", "rdsMysqlInstanceId": "rm-localmysql80",
                       "rdsPostgresInstanceId": "pgm-localpg14", "polardbClusterId": "pc-localmysql01"}.items():
        accounts.pulumi("config", "set", f"db-accounts:{key}", value)
    accounts.up()
    assert len(localcloud.admin.accounts()) == 7
    accounts.preview("--expect-no-changes")
    password = accounts.outputs(secrets=True)["rds"]["orders_app"]["password"]
    assert localcloud.admin.verify_password("rds", "rm-localmysql80", "orders_app", password)

    app = Stack(tmp_path / "b", pulumi_bin, localcloud, name="dev", source=REPO / "apps/orders-service",
                state=tmp_path / "state")
    app.pulumi("config", "set", "orders-service:accountsStack", "organization/db-accounts/local")
    app.up()
    shown = app.outputs()
    assert shown["database"]["username"] == "orders_app"
    assert shown["database"]["password"] == "[secret]" and shown["dsn"] == "[secret]"
    revealed = app.outputs(secrets=True)
    assert revealed["database"]["password"] == password
    assert revealed["database"]["endpoint"] == "rm-localmysql80.mysql.rds.aliyuncs.com:3306"
    assert password not in app.export() and password not in accounts.export()
