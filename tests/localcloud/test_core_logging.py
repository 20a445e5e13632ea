"""The request log: one line per call, and never a password (Alibaba's travel in the URL)."""

from __future__ import annotations

import logging
import re

import httpx
import pytest

PASSWORD = "Pw#LogLeak2024"
# Client-side libraries log URLs themselves (urllib3 at DEBUG); the server must not.
CLIENT_LOGGERS = ("httpx", "httpcore", "urllib3", "tencentcloud", "alibabacloud", "darabonba")
LINE = re.compile(r"^cloud=(?P<cloud>\w+) product=(?P<product>\w+) action=(?P<action>\S+) outcome=(?P<outcome>\S+)"
                  r"(?: applied=\S+)? status=(?P<status>\S+) request_id=(?P<rid>[0-9A-Fa-f-]+) ms=\d+\.\d"
                  r"(?: fault=\S+)?$")


def _server_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if not r.name.startswith(CLIENT_LOGGERS)]


def _request_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "provisioner.localcloud.requests" and r.getMessage().startswith("cloud=")]


def test_one_line_per_call_with_fields(raw, caplog):
    caplog.set_level(logging.INFO)
    rid_tc = raw.tencent("Echo").json()["Response"]["RequestId"]
    rid_ali = raw.rpc("Fail").json()["RequestId"]
    lines = [LINE.match(line) for line in _request_lines(caplog)]
    assert all(lines) and len(lines) == 2
    assert lines[0].group("cloud", "product", "action", "outcome", "status", "rid") == (
        "tencent", "libradb", "Echo", "OK", "200", rid_tc)
    assert lines[1].group("cloud", "product", "action", "outcome", "status", "rid") == (
        "alibaba", "rds", "Fail", "InvalidParameterValue.AccountExist", "400", rid_ali)


def test_fault_and_drop_are_logged(raw, caplog):
    caplog.set_level(logging.INFO)
    raw.cloud.faults.script({"match": "rds:Echo", "fault": "drop_after"})
    with pytest.raises(httpx.TransportError):
        raw.rpc("Echo")
    (line,) = _request_lines(caplog)
    assert "outcome=DROP_AFTER applied=OK status=-" in line and line.endswith("fault=scripted:drop_after")
    # An injected drop is not an error: uvicorn's "Exception in ASGI application" is filtered.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_passwords_never_logged(raw, caplog):
    caplog.set_level(logging.DEBUG)
    raw.tencent("CreateLibraDBClusterAccounts", {"ClusterId": "libradb-local001", "Accounts": [
        {"AccountName": "loguser", "AccountPassword": PASSWORD, "Host": "%"}]})
    raw.tencent("Boom", {"AccountPassword": PASSWORD})                        # crash: traceback logged
    raw.rpc("CreateAccount", DBInstanceId="rm-localmysql80", AccountName="q", AccountPassword=PASSWORD)
    raw.rpc("CreateAccount", form=True, DBInstanceId="rm-localmysql80", AccountName="f", AccountPassword=PASSWORD)
    raw.acs3("CreateAccount", DBInstanceId="rm-localmysql80", AccountName="a", AccountPassword=PASSWORD)
    raw.rpc("NoSuchAction", AccountPassword=PASSWORD)
    raw.rpc("Boom", AccountPassword=PASSWORD)
    raw.cloud.faults.script({"match": "*", "fault": "drop_before", "drop_mode": "truncate"})
    with pytest.raises(httpx.TransportError):
        raw.rpc("CreateAccount", DBInstanceId="rm-localmysql80", AccountName="d", AccountPassword=PASSWORD)
    raw.cloud.admin.add_account("rds", "rm-localmysql80", "admin_added", PASSWORD)
    raw.cloud.admin.verify_password("rds", "rm-localmysql80", "admin_added", PASSWORD)
    raw.http.get("/_localcloud/accounts", params={"product": "rds", "password": PASSWORD})

    records = _server_records(caplog)
    assert len(_request_lines(caplog)) == 8
    assert any("handler bug" in (r.exc_text or "") for r in records)  # tracebacks do get logged
    for record in records:
        text = record.getMessage() + (record.exc_text or "") + str(record.args)
        assert PASSWORD not in text, record.name
        assert "AccountPassword" not in text and "?" not in record.getMessage(), record.getMessage()
    assert not [r for r in records if r.name == "uvicorn.access"]  # access log (URL + query) is off


def test_client_chosen_action_names_cannot_forge_log_lines(raw, caplog):
    caplog.set_level(logging.INFO)
    raw.rpc("Echo\ncloud=fake outcome=OK password=x y")
    (line,) = _request_lines(caplog)
    assert "\n" not in line and LINE.match(line) and "action=Echo_cloud_fake_outcome_OK_password_x_y" in line
