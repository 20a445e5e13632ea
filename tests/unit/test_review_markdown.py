"""The preview summary on synthetic `pulumi preview --json` documents: size limit, folding,
escaping, and passwords never printed — even from a JSON made with --show-secrets."""

from __future__ import annotations

from provisioner.review.changes import parse
from provisioner.review.markdown import COMMENT_LIMIT, render

RDS = "pulumi-python:dynamic/provisioner:RdsAccount"
LIBRADB = "pulumi-python:dynamic/provisioner:LibraDBAccount"


def step(op, name, old=None, new=None, type_=RDS, **extra):
    urn = f"urn:pulumi:prod::db::{type_}::{name}"
    s = {"op": op, "urn": urn, "detailedDiff": None, **extra}
    if old is not None:
        s["oldState"] = {"type": type_, "urn": urn, "inputs": old, "outputs": old}
    if new is not None:
        s["newState"] = {"type": type_, "urn": urn, "inputs": new}
    return s


def rds(name, **fields):
    return {"instance_id": "rm-1", "name": name, "account_type": "Normal", "privileges": {}, "adopt": False, **fields}


def test_a_large_preview_stays_under_the_comment_limit_with_tables_folded_and_a_count_of_the_rest():
    steps = [step("create", f"app{i}", new=rds(f"app_{i:05d}", description="x" * 100, password="[secret]"))
             for i in range(3000)]
    steps.append(step("delete", "old", old=rds("old_app", password_generated=True)))
    text = render(parse({"steps": steps, "changeSummary": {"create": 3000, "delete": 1}}), stack="prod")
    assert len(text) <= COMMENT_LIMIT
    assert text.count("<details>") == 1 and "<summary><b>ApsaraDB RDS: 1 delete, 3000 create</b></summary>" in text
    assert "**3000 to create** · **1 to delete**" in text
    assert "| `old_app` (`old`) | `rm-1` | **delete** |" in text   # the consequential row is kept
    shown = text.count("| create |")
    assert 300 < shown < 3000 and f"_{3000 - shown} more changes not shown" in text


def test_a_small_limit_is_respected_too():
    steps = [step("create", f"a{i}", new=rds(f"a{i}")) for i in range(50)]
    assert len(render(parse({"steps": steps}), limit=3000)) <= 3000


def test_user_text_cannot_break_the_table_or_render_html():
    old = rds("app", description="plain")
    new = rds("app", description="a|b `x` <img src=x onerror=alert(1)> @team\nnext")
    text = render(parse({"steps": [step("update", "app", old=old, new=new)]}))
    row = next(line for line in text.splitlines() if line.startswith("| `app`"))
    assert row.count(" | ") == 4                       # still five cells
    assert "`a|b 'x' <img src=x onerror=alert(1)> @team next`" in text   # inert inside inline code


def test_passwords_are_never_printed_even_from_a_show_secrets_json():
    old = rds("app", password="Old-Plain-Pass1", password_generated=False)
    new = rds("app", password="New-Plain-Pass2", description="now described")
    created = rds("other", password="Created-Pass3")
    text = render(parse({"steps": [step("update", "app", old=old, new=new), step("create", "other", new=created)]}))
    assert "`description`, `password`" in text        # the plain comparison finds the change
    for secret in ("Old-Plain-Pass1", "New-Plain-Pass2", "Created-Pass3"):
        assert secret not in text


def test_a_given_password_replacing_a_generated_one_is_a_password_change_even_when_masked():
    old = rds("app", password="[secret]", password_generated=True, description="d1")
    new = rds("app", password="[secret]", description="d2")
    text = render(parse({"steps": [step("update", "app", old=old, new=new)]}))
    assert "`description`, `password`" in text


def test_no_changes_and_other_resource_types():
    assert "No changes (4 unchanged)." in render(parse({"steps": [], "changeSummary": {"same": 4}}))
    other = step("replace", "bucket", old={"a": 1}, new={"a": 2}, type_="aws:s3:Bucket", replaceReasons=["a"])
    text = render(parse({"steps": [other]}))
    assert "#### Other resources: 1 replace" in text and "| `bucket` | `aws:s3:Bucket` | **replace** | `a` |" in text


def test_replacement_steps_count_once():
    old, new = rds("a"), rds("b")
    steps = [step("create-replacement", "x", old=old, new=new), step("replace", "x", old=old, new=new),
             step("delete-replaced", "x", old=old, new=new)]
    text = render(parse({"steps": steps}))
    assert text.count("**replace**") == 1 and "`name` changed" in text


def test_libradb_rows_name_the_host():
    old = {"cluster_id": "libradb-1", "name": "etl", "host": "%", "password_generated": True,
           "privileges": {"global": [], "databases": {}, "tables": {}}}
    new = dict(old, max_user_connections=10)
    text = render(parse({"steps": [step("replace", "etl", old=old, new=new, type_=LIBRADB)]}))
    assert "| `etl@%` (`etl`) | `libradb-1` | **replace** ⚠️ delete before replace | `max_user_connections` |" in text


def test_the_event_stream_gives_the_same_changes_and_the_policy_violations():
    import json

    from provisioner.review.changes import load
    old, new = rds("app", description="d1", password_generated=True), rds("app", description="d2")
    urn = f"urn:pulumi:prod::db::{RDS}::app"
    events = [
        {"preludeEvent": {"config": {}}},
        {"diagnosticEvent": {"severity": "debug", "message": "registering resource"}},
        {"resourcePreEvent": {"metadata": {"op": "update", "urn": urn, "type": RDS,
                                           "old": {"type": RDS, "inputs": old, "outputs": old},
                                           "new": {"type": RDS, "inputs": new}}}},
        {"policyEvent": {"resourceUrn": urn, "policyName": "description-required", "enforcementLevel": "advisory",
                         "message": "Every account says who uses it.\nrds account 'app' on rm-1 has <b>no</b> description\n"}},
        {"summaryEvent": {"resourceChanges": {"update": 1}, "result": "failed"}},
    ]
    text = render(parse(load("\n".join(json.dumps(e) for e in events))))
    assert "❌ **The preview failed**" in text and "**1 to update**" in text
    assert "| `description-required` | `advisory` | `app` | `rds account 'app' on rm-1 has <b>no</b> description` |" in text
    assert "| `app` | `rm-1` | update | `description` |  |" in text


def test_the_command_refuses_what_is_not_a_preview_without_echoing_it(capsys, tmp_path, monkeypatch):
    import io

    from provisioner.cli import main
    monkeypatch.setattr("sys.stdin", io.StringIO("password=Leaked-Pass1 not json"))
    assert main(["preview-summary"]) == 2
    err = capsys.readouterr().err
    assert "cannot read a JSON preview" in err and "Leaked-Pass1" not in err
    target = tmp_path / "comment.md"
    preview = tmp_path / "preview.json"
    preview.write_text('{"steps": [], "changeSummary": {"same": 2}}')
    assert main(["preview-summary", str(preview), "--stack", "prod", "-o", str(target)]) == 0
    assert target.read_text().startswith("### `pulumi preview` of stack `prod`")
