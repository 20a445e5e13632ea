"""A preview with several invalid resources reports every one of them, once, before any cloud call.

The engine stops at the first resource whose check fails; the program reports them all (see
provisioner/core/precheck.py)."""

from __future__ import annotations

INVALID = {
    "trailing-newline": ({"kind": "rds", "instance_id": "rm-localmysql80", "name": "ab\n"}, "name: may contain only"),
    "comma-database": ({"kind": "polardb", "cluster_id": "pc-localmysql01", "name": "app",
                        "privileges": {"a,b": "ReadOnly"}}, "privileges.a,b: database name must not contain ','"),
    "reserved": ({"kind": "libradb", "cluster_id": "libradb-local001", "name": "root"}, "name: 'root' is a reserved"),
    "super-with-grants": ({"kind": "rds", "instance_id": "rm-localmysql80", "name": "dba", "account_type": "Super",
                           "engine": "MySQL", "privileges": {"orders": "ReadWrite"}}, "privileges: a Super account"),
}


def test_every_invalid_resource_is_reported_once_with_no_cloud_call(stack):
    stack.declare({"valid": {"kind": "rds", "instance_id": "rm-localmysql80", "name": "fine"},
                   **{name: spec for name, (spec, _) in INVALID.items()}})
    before = stack.cloud.admin.counters()
    failed = stack.preview(check=False)
    text = failed.stdout + failed.stderr
    assert failed.returncode != 0
    for name, (_, rule) in INVALID.items():
        line = next((line for line in text.splitlines() if f"'{name}' is invalid" in line), None)
        assert line is not None and rule in line, (name, text)
        assert text.count(f"'{name}' is invalid") == 1, text      # one message per resource
    assert "4 invalid resource(s)" in text, text
    assert "Exception calling application" not in text
    assert stack.cloud.admin.counters() == before
    assert stack.cloud.admin.accounts() == []
