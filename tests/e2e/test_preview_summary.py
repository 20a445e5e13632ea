"""A change to the stack program, previewed with `pulumi preview --json` through the real engine,
becomes the markdown a reviewer reads: the changed fields derived from old and new inputs (the
engine gives our dynamic resources no detailed diff), and never a secret."""

from __future__ import annotations

import json
import subprocess
import sys

PASSWORD, ROTATED = "Initial-Pass1", "Rotated-Pass2"

ACCOUNTS = {
    "analyst": {"kind": "libradb", "cluster_id": "libradb-local001", "name": "analyst", "password": PASSWORD,
                "description": "read-only analysts", "privileges": {"databases": {"analytics": ["SELECT"]}}},
    "orders": {"kind": "rds", "instance_id": "rm-localmysql80", "name": "orders_app", "password": PASSWORD,
               "description": "orders-service", "privileges": {"orders": "ReadWrite"}},
    "reporting": {"kind": "rds", "instance_id": "rm-localmysql80", "name": "reporting", "password": PASSWORD},
    "inventory": {"kind": "polardb", "cluster_id": "pc-localmysql01", "name": "inventory_app",
                  "privileges": {"inventory": "DMLOnly"}},
    "legacy": {"kind": "polardb", "cluster_id": "pc-localmysql01", "name": "legacy_app"},
}

EXPECTED = """\
### `pulumi preview` of stack `test`

**1 to create** · **4 to update** · **1 to replace** · **1 to delete** · 1 unchanged

#### LibraDB: 1 update

| Account | Cluster | Action | Changed fields | Why replace |
|---|---|---|---|---|
| `analyst@10.0.0.1` (`analyst`) | `libradb-local001` | update | `description`, `host`, `privileges` |  |

<details><summary>Values (1 account)</summary>

- `analyst@10.0.0.1` (update): description `read-only analysts` → `analysts | events`; host `%` → `10.0.0.1`; \
privileges `{"databases": {"analytics": ["SELECT"]}, "global": [], "tables": {}}` → \
`{"databases": {"analytics": ["SELECT"], "events": ["SELECT"]}, "global": [], "tables": {}}`

</details>

#### ApsaraDB RDS: 1 replace, 1 update, 1 create

| Account | Instance | Action | Changed fields | Why replace |
|---|---|---|---|---|
| `orders_svc` (`orders`) | `rm-localmysql80` | **replace** | `name` | `name` changed |
| `reporting` | `rm-localmysql80` | update | `password` |  |
| `audit` | `rm-localmysql80` | create | new account |  |

<details><summary>Values (2 accounts)</summary>

- `orders_svc` (replace): name `orders_app` → `orders_svc`
- `audit` (create): description `audit-trail`; privileges `{"orders": "ReadOnly"}`

</details>

#### PolarDB: 1 delete, 2 update

| Account | Cluster | Action | Changed fields | Why replace |
|---|---|---|---|---|
| `legacy_app` (`legacy`) | `pc-localmysql01` | **delete** | — |  |
| `inventory_app` (`inventory`) | `pc-localmysql01` | update | `privileges` |  |
| `migrations` | `pc-localmysql01` | update | `password` |  |

<details><summary>Values (1 account)</summary>

- `inventory_app` (update): privileges `{"inventory": "DMLOnly"}` → `{"inventory": "ReadWrite"}`

</details>
"""


def test_a_changed_program_becomes_the_expected_markdown_without_secrets(stack):
    accounts = json.loads(json.dumps(ACCOUNTS))
    accounts["migrations"] = {"kind": "polardb", "cluster_id": "pc-localmysql01", "name": "migrations"}
    stack.declare(accounts)
    stack.up()
    generated = [v["password"] for v in stack.outputs(secrets=True).values()]

    changed = json.loads(json.dumps(accounts))
    changed["analyst"].update(description="analysts | events", host="10.0.0.1",
                              privileges={"databases": {"analytics": ["SELECT"], "events": ["select"]}})
    changed["orders"]["name"] = "orders_svc"                       # identity: a new account first
    changed["reporting"]["password"] = ROTATED                     # only a secret changes
    changed["inventory"]["privileges"] = {"inventory": "ReadWrite"}
    changed["migrations"]["password_version"] = "2"                # a generated password rotates
    del changed["legacy"]
    changed["audit"] = {"kind": "rds", "instance_id": "rm-localmysql80", "name": "audit", "password": "Audit-Pass3",
                        "description": "audit-trail", "privileges": {"orders": "ReadOnly"}}
    stack.declare(changed)
    preview = stack.pulumi("preview", "--json").stdout
    for step in json.loads(preview)["steps"]:          # what the engine gives us to work with
        assert step.get("detailedDiff") is None and not step.get("diffs")

    summary = subprocess.run([sys.executable, "-m", "provisioner.cli", "preview-summary", "--stack", "test"],
                             input=preview, capture_output=True, text=True, check=True).stdout
    assert summary == EXPECTED
    for secret in [PASSWORD, ROTATED, "Audit-Pass3", *generated]:
        assert secret not in summary and secret not in preview
