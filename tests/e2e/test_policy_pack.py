"""The policy pack through the real engine: `pulumi preview --policy-pack` fails a violating stack
naming the rule and the resource, before any cloud write; a compliant stack passes; the rules
are configured per stack (policy/<stack>.json)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from harness import REPO

PACK = str(Path(sys.prefix) / "bin" / "provisioner-policy-pack")   # the console script of the package
PACK_DIR = str(REPO / "policy" / "pack")   # the same pack as a directory (PulumiPolicy.yaml, runtime python)
PROD = str(REPO / "policy" / "prod.json")
PASSWORD = "Written-Pass1"

VIOLATING = {   # each passes the provider's own checks (the cloud would accept it); the policy refuses it
    "admin": {"kind": "rds", "instance_id": "rm-localmysql80", "name": "dba", "account_type": "Super",
              "password": PASSWORD, "description": "DBA"},
    "orders": {"kind": "rds", "instance_id": "rm-localmysql80", "name": "orders_app",
               "privileges": {"orders": "ReadWrite"}},
    # LibraDB has no database list API: the provider cannot tell that 'mysql' is the system one.
    "analyst": {"kind": "libradb", "cluster_id": "libradb-local001", "name": "analyst", "description": "analysts",
                "privileges": {"databases": {"analytics": ["SELECT"], "mysql": ["SELECT"]}}},
}
COMPLIANT = {
    "orders": {"kind": "rds", "instance_id": "rm-localmysql80", "name": "orders_app", "description": "orders-service",
               "privileges": {"orders": "ReadWrite"}},
    "analyst": {"kind": "libradb", "cluster_id": "libradb-local001", "name": "analyst", "host": "10.0.0.8",
                "description": "analysts", "privileges": {"databases": {"analytics": ["SELECT"]}}},
    "inventory": {"kind": "polardb", "cluster_id": "pc-localmysql01", "name": "inventory_app",
                  "description": "inventory-service", "privileges": {"inventory": "DMLOnly"}},
}
RDS = "pulumi-python:dynamic/provisioner:RdsAccount"


def _type_and_name(urn: str) -> tuple[str, str]:
    type_, name = urn.split("::")[2:4]          # urn:pulumi:<stack>::<project>::<type>::<name>
    return type_.rsplit(":", 1)[-1], name


def preview_with(stack, config: str):
    return stack.pulumi("preview", "--policy-pack", PACK, "--policy-pack-config", config, check=False)


EXPECTED = {("no-privileged-accounts", "RdsAccount", "admin"), ("generated-passwords-only", "RdsAccount", "admin"),
            ("description-required", "RdsAccount", "orders"), ("no-any-host", "LibraDBAccount", "analyst"),
            ("no-system-database-privileges", "LibraDBAccount", "analyst")}


def streamed_preview(stack, config: str):
    """`pulumi preview --json` as CI runs it: the event stream, which carries the violations."""
    stack.env["PULUMI_ENABLE_STREAMING_JSON_PREVIEW"] = "1"
    result = stack.pulumi("preview", "--json", "--policy-pack", PACK, "--policy-pack-config", config, check=False)
    events = [json.loads(line)["policyEvent"] for line in result.stdout.splitlines() if '"policyEvent"' in line]
    return result, {(e["policyName"], *_type_and_name(e["resourceUrn"]), e["enforcementLevel"]) for e in events}


def test_a_violating_stack_fails_at_preview_naming_rule_and_resource_with_no_cloud_write(stack):
    stack.declare(VIOLATING)
    failed, found = streamed_preview(stack, PROD)
    assert failed.returncode != 0
    # The engine stops the preview at the first resource that fails a mandatory policy, so which
    # of the three resources were analysed before it stopped varies; each one reported is right.
    assert found and found <= {(*e, "mandatory") for e in EXPECTED}, found
    # Policies run on the checked inputs, after the provider's check, which reads the live
    # instance of accounts about to be created (docs/safety.md). Nothing is written.
    calls = stack.cloud.admin.counters()["calls"]
    assert all(action.split(":", 1)[1].startswith("Describe") for action in calls), calls
    assert stack.cloud.admin.accounts() == []

    summary = subprocess.run([sys.executable, "-m", "provisioner.cli", "preview-summary"], input=failed.stdout,
                             capture_output=True, text=True, check=True).stdout
    assert "❌ **The preview failed**" in summary and f"#### Policy violations: {len(found)} mandatory" in summary
    for policy, _, resource, _ in found:
        assert f"| `{policy}` | **mandatory** | `{resource}` |" in summary
    assert PASSWORD not in failed.stdout + failed.stderr + summary


def test_the_same_stack_passes_where_its_config_makes_the_rules_advisory(stack, tmp_path):
    """Per stack: the same program, every rule reported but none blocking (a report-only stack)."""
    report_only = tmp_path / "report-only.json"
    report_only.write_text(json.dumps({name: "advisory" for name in json.loads(Path(PROD).read_text())}))
    stack.declare(VIOLATING)
    passed, found = streamed_preview(stack, str(report_only))
    assert passed.returncode == 0, passed.stdout[-3000:]
    assert found == {(*e, "advisory") for e in EXPECTED}       # every rule, on the right resource
    assert PASSWORD not in passed.stdout + passed.stderr


def test_a_compliant_stack_passes_the_prod_rules_until_an_instance_has_too_many_accounts(stack, tmp_path):
    stack.declare(COMPLIANT)
    passed = preview_with(stack, PROD)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "provisioner-accounts@v0.0.1" in passed.stdout and "mandatory" not in passed.stdout

    # The stack-wide rule runs once every resource is known (resource violations would stop the
    # preview before it), so it is shown on an otherwise compliant stack.
    config = json.loads(Path(PROD).read_text())
    config["max-accounts-per-instance"]["maxAccounts"] = 1
    strict = tmp_path / "prod-one-per-instance.json"
    strict.write_text(json.dumps(config))
    stack.declare({**COMPLIANT, "reporting": {"kind": "rds", "instance_id": "rm-localmysql80", "name": "reporting",
                                              "description": "BI-dashboards", "privileges": {"orders": "ReadOnly"}}})
    failed = preview_with(stack, str(strict))
    assert failed.returncode != 0
    assert f"[mandatory]  max-accounts-per-instance  ({RDS}: reporting)" in failed.stdout, failed.stdout
    assert "rds rm-localmysql80 would have 2 accounts in this stack; at most 1 are allowed" in failed.stdout


def test_the_pack_as_a_directory_runs_through_the_language_host(stack):
    # `--policy-pack DIR` with `runtime: python` is started by the language host's RunPlugin.
    stack.declare({"admin": VIOLATING["admin"]})
    result = stack.pulumi("preview", "--policy-pack", PACK_DIR, "--policy-pack-config", PROD, check=False)
    out = result.stdout + result.stderr
    assert result.returncode != 0 and "no-privileged-accounts" in out and "admin" in out, out
    assert "RunPlugin" not in out and PASSWORD not in out
    stack.declare({"orders": COMPLIANT["orders"]})
    stack.pulumi("preview", "--policy-pack", PACK_DIR, "--policy-pack-config", PROD)
