"""Running the local cloud: in-process lifecycle, durability, concurrency, and the CLI."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from provisioner.cli import main
from provisioner.localcloud.admin_client import AdminClient, AdminRequestError
from provisioner.localcloud.server import LocalCloud

PROVISIONER = str(Path(sys.executable).with_name("provisioner"))


def test_lifecycle_and_addresses():
    with LocalCloud() as cloud:
        assert cloud.endpoint == f"127.0.0.1:{cloud.port}" and cloud.url == f"http://127.0.0.1:{cloud.port}"
        assert cloud.admin.health() == {"status": "ok", "pid": os.getpid(), "state": ":memory:"}
        port = cloud.port
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/_localcloud/health", trust_env=False)


def test_port_in_use_fails_fast(localcloud):
    with pytest.raises(OSError):
        LocalCloud(port=localcloud.port).start()


def test_accounts_survive_a_restart(tmp_path):
    state = tmp_path / "nested" / "state.sqlite"
    with LocalCloud(state=state) as first:
        first.admin.add_account("libradb", "libradb-local001", "durable", "Pw123456!x", description="kept")
        first.admin.set_instance("rds", "rm-localmysql80", lock_mode="ManualLock")
    with LocalCloud(state=state) as second:
        assert second.admin.health()["state"] == str(state.resolve())   # which file it serves, for `make`
        (acct,) = second.admin.state()["accounts"]
        assert (acct["name"], acct["host"], acct["description"]) == ("durable", "%", "kept")
        assert second.admin.verify_password("libradb", "libradb-local001", "durable", "Pw123456!x")
        # The seed only adds missing instances: admin changes survive too.
        assert second.admin.instance("rds", "rm-localmysql80")["lock_mode"] == "ManualLock"


def test_parallel_admin_clients_lose_and_duplicate_nothing(localcloud):
    def add(i: int) -> None:
        localcloud.admin.add_account("rds", "rm-localmysql80", f"user_{i}", "Pw123456!x")

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(add, range(320)))
    names = [a.name for a in localcloud.store.list_accounts("rds")]
    assert sorted(names) == sorted(f"user_{i}" for i in range(320))

    def add_same(_: int) -> int:
        try:
            localcloud.admin.add_account("rds", "rm-localmysql80", "contended", "Pw123456!x")
            return 201
        except AdminRequestError as err:
            return err.status

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(add_same, range(32)))
    assert statuses.count(201) == 1 and statuses.count(409) == 31


def test_parallel_sdk_clients(fakecloud):
    from tencentcloud.common import credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.cynosdb.v20190107 import cynosdb_client, models

    def create(i: int) -> None:
        client = cynosdb_client.CynosdbClient(
            credential.Credential(fakecloud.access_key, fakecloud.secret_key), "ap-guangzhou",
            ClientProfile(httpProfile=HttpProfile(endpoint=fakecloud.endpoint, protocol="http")))
        req = models.CreateLibraDBClusterAccountsRequest()
        req.from_json_string(json.dumps({"ClusterId": "libradb-local001", "Accounts": [
            {"AccountName": f"p{i}", "AccountPassword": "Pw123456!x", "Host": "%"}]}))
        client.CreateLibraDBClusterAccounts(req)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(create, range(80)))
    assert len(fakecloud.store.list_accounts("libradb")) == 80
    assert fakecloud.counters.snapshot()["calls"]["libradb:CreateLibraDBClusterAccounts"] == {"total": 80, "OK": 80}


# --- CLI -----------------------------------------------------------------------------------------

def _readline(proc: subprocess.Popen, timeout: float = 60) -> str:
    """The readiness line, without sleeping: block on the pipe (bounded, in case of a hang)."""
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    assert ready, "no readiness line"
    return proc.stdout.readline()


def _start_cli(*args: str, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([PROVISIONER, "localcloud", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **(env or {})})
    line = _readline(proc)
    assert line.startswith("localcloud listening on http://127.0.0.1:"), (line, proc.stderr.read() if not line else "")
    return proc, line.split()[-1]


def _stop_cli(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    return stderr


def test_cli_start_admin_and_stop(tmp_path):
    port_file = tmp_path / "port"
    proc, url = _start_cli("--port", "0", "--state", str(tmp_path / "s.sqlite"), "--port-file", str(port_file),
                           "--faults", '{"latency": {"*": 1}}')
    try:
        assert url == f"http://127.0.0.1:{port_file.read_text().strip()}"
        admin = AdminClient(url)
        admin.add_account("rds", "rm-localmysql80", "cli_user", "Cli#Secret99")
        assert admin.faults()["latency"] == {"*": {"base_ms": 1.0, "jitter_ms": 0.0}}
        httpx.post(url, params={"Action": "CreateAccount", "Version": "2014-08-15",
                                "AccountPassword": "Cli#Secret99"}, trust_env=False)
        out = subprocess.run([PROVISIONER, "localcloud-admin", "--url", url, "state", "--product", "rds"],
                             capture_output=True, text=True, check=True).stdout
        assert [a["name"] for a in json.loads(out)["accounts"]] == ["cli_user"]
    finally:
        stderr = _stop_cli(proc)
    assert "admin POST /_localcloud/accounts status=201" in stderr
    assert "cloud=alibaba product=rds action=CreateAccount" in stderr
    assert "Cli#Secret99" not in stderr and "AccountPassword" not in stderr


def test_cli_environment_overrides(tmp_path):
    env = {"PROVISIONER_LOCALCLOUD_PORT": "0", "PROVISIONER_LOCALCLOUD_STATE": ":memory:",
           "PROVISIONER_LOCALCLOUD_FAULTS": '{"rate_limits": {}}',
           "PROVISIONER_LOCALCLOUD_ACCESS_KEY": "env-ak", "PROVISIONER_LOCALCLOUD_LOG_LEVEL": "WARNING"}
    proc, url = _start_cli(env=env)
    try:
        assert AdminClient(url).faults()["rate_limits"] == {}
    finally:
        stderr = _stop_cli(proc)
    assert "admin GET" not in stderr  # WARNING level
    assert not (tmp_path / ".localcloud").exists()


def test_cli_admin_commands(localcloud, capsys, monkeypatch):
    url = ["--url", localcloud.url]

    def run(*args: str) -> tuple[int, object]:
        code = main(["localcloud-admin", *url, *args])
        out = capsys.readouterr().out
        return code, json.loads(out) if out.strip() else None

    assert run("add-account", "libradb", "libradb-local001", "bob", "--password", "Bob#Pass123",
               "--description", "d", "--privileges", '{"global": ["SELECT"]}')[1]["host"] == "%"
    assert run("verify-password", "libradb", "libradb-local001", "bob", "--password", "nope") == (1, {"match": False})
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("Bob#Pass123\n"))
    assert run("verify-password", "libradb", "libradb-local001", "bob", "--password", "-") == (0, {"match": True})
    assert run("modify-account", "libradb", "libradb-local001", "bob", "--description", "drift")[1]["description"] == "drift"
    assert run("set-status", "libradb", "libradb-local001", "isolated")[1]["status"] == "isolated"
    assert run("set-status", "rds", "rm-localmysql80", "--lock-mode", "ManualLock")[1]["lock_mode"] == "ManualLock"
    assert run("set-status", "rds", "rm-localmysql80")[1]["status"] == "Running"      # show only
    assert run("faults", "patch", '{"errors": {"*": {"internal": 0.5}}}')[1]["errors"]["*"]["internal"] == 0.5
    assert run("faults", "script", '{"match": "rds:CreateAccount", "fault": "drop_after"}')[1]["scripted"][0]["fault"] == "drop_after"
    assert run("faults", "restore")[1]["errors"] == {}
    assert run("counters")[1]["calls"] == {}
    assert run("delete-account", "libradb", "libradb-local001", "bob") == (0, {"deleted": True})
    assert run("delete-account", "libradb", "libradb-local001", "bob")[0] == 2
    assert run("reset", "--reload-seed") == (0, {"reset": True})
    assert main(["localcloud-admin", "--url", "http://127.0.0.1:9", "health"]) == 2  # nothing listens


def test_seed_and_faults_from_files(tmp_path, localcloud_factory):
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"instances": [{"product": "polardb", "id": "pc-file", "engine": "MySQL",
                                               "version": "8.0", "region": "cn-hangzhou"}]}))
    faults = tmp_path / "faults.json"
    faults.write_text(json.dumps({"seed": 9, "rate_limits": {}}))
    cloud = localcloud_factory(seed=str(seed), faults=str(faults))
    assert [i["id"] for i in cloud.admin.state()["instances"]] == ["pc-file"]
    assert cloud.admin.faults()["seed"] == 9
    with pytest.raises(ValueError):
        LocalCloud(faults='{"rate_limits": {"x": -1}}')
