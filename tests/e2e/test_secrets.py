"""No password and no cloud key in state, output, logs at any verbosity, or error messages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

EXPLICIT = "Explicit-Pass1"
SECRET_KEY_MARKER = "localcloud-secret-key"   # the local cloud's secret key, passed by environment

ACCOUNTS = {
    "reporting": {"kind": "rds", "instance_id": "rm-localmysql80", "name": "reporting", "password": EXPLICIT,
                  "description": "reports", "privileges": {"reporting": "ReadOnly"}},
    "etl": {"kind": "libradb", "cluster_id": "libradb-local001", "name": "etl", "password": EXPLICIT,
            "privileges": {"databases": {"etl_staging": ["SELECT", "INSERT"]}}},
    "app": {"kind": "polardb", "cluster_id": "pc-localmysql01", "name": "app", "description": "generated one"},
}

# The engine's own verbose log (-v=9 --logtostderr) dumps marshaled RPC properties, secrets
# included: that is Pulumi's engine, not our program or provider. Only these lines may hold one.
ENGINE_RPC_DUMPS = ("Marshaling property for RPC[", "Unmarshaling property for RPC[")


def secrets_of(stack) -> list[str]:
    generated = [v["password"] for v in stack.outputs(secrets=True).values()]
    return [EXPLICIT, SECRET_KEY_MARKER, *generated]


def assert_clean(text: str, secrets: list[str], where: str) -> None:
    for secret in secrets:
        assert secret not in text, f"a secret appears in {where}"


@pytest.fixture
def engine_tmp(stack, tmp_path):
    """A private TMPDIR for every process of the run: the engine writes its glog files there
    (with -v and without --logtostderr), secrets included. Removed afterwards."""
    where = tmp_path / "engine-tmp"
    where.mkdir(mode=0o700)
    stack.env["TMPDIR"] = str(where)
    yield where
    shutil.rmtree(where, ignore_errors=True)
    assert not where.exists()


def engine_log_lines(where: Path) -> dict[str, list[str]]:
    """Every line of every file the run left in its TMPDIR, by file name."""
    return {path.name: path.read_text(encoding="utf-8", errors="replace").splitlines()
            for path in sorted(where.rglob("*")) if path.is_file() and not path.is_symlink()}


def assert_only_engine_dumps_hold_secrets(files: dict[str, list[str]], secrets: list[str]) -> None:
    for name, lines in files.items():
        ours = [line for line in lines if any(s in line for s in secrets)
                and not any(marker in line for marker in ENGINE_RPC_DUMPS)]
        assert ours == [], f"a secret appears in {name} outside the engine's own RPC dumps"


def test_no_secret_in_state_output_program_and_provider_logs(stack, tmp_path, engine_tmp):
    provider_log = tmp_path / "provider.log"
    stack.env.update(PROVISIONER_LOG_LEVEL="DEBUG", PROVISIONER_LOG_FILE=str(provider_log))
    stack.declare(ACCOUNTS)
    outputs = [stack.up("--debug", "-v=9").stdout]
    secrets = secrets_of(stack)
    changed = json.loads(json.dumps(ACCOUNTS))
    changed["reporting"]["password"] = "Rotated-Pass2"
    changed["app"]["password_version"] = "2"
    stack.declare(changed)
    secrets.append("Rotated-Pass2")
    outputs += [stack.preview("--diff", "--debug", "-v=9", "--show-replacement-steps").stdout,
                stack.up("--debug", "-v=9").stdout]
    secrets = sorted(set(secrets + secrets_of(stack)))
    outputs += [stack.refresh("--debug").stdout, stack.pulumi("stack", "output").stdout]
    for text in stack.outputs_log + outputs:
        assert_clean(text, secrets, "pulumi's output")
    assert_clean(stack.export(), secrets, "the exported state")
    logged = provider_log.read_text()
    assert "CreateAccount" in logged and "ResetAccountPassword" in logged   # the provider did log its calls
    assert_clean(logged, secrets, "the provider's debug log")
    stack.pulumi("destroy", "--yes", "--debug")
    assert_clean(stack.outputs_log[-1], secrets, "destroy output")
    # The engine's own log files of these -v=9 runs: present, and secrets only in its RPC dumps.
    files = engine_log_lines(engine_tmp)
    assert any(name.startswith("pulumi") and ".log." in name for name in files), sorted(files)
    assert_only_engine_dumps_hold_secrets(files, secrets)


def test_engine_verbose_log_holds_secrets_only_in_its_own_rpc_dumps(stack):
    stack.declare(ACCOUNTS)
    result = stack.up("-v=9", "--logtostderr", "--logflow")
    secrets = secrets_of(stack)
    leaking = [line for line in (result.stdout + result.stderr).splitlines()
               if any(s in line for s in secrets)]
    ours = [line for line in leaking if not any(marker in line for marker in ENGINE_RPC_DUMPS)]
    assert ours == [], "a secret appears in a log line that is not the engine's own RPC dump"


def test_cloud_errors_name_code_and_request_id_but_never_the_password(stack):
    stack.cloud.admin.script({"match": "rds:CreateAccount", "count": 1, "fault": "error", "status": 400,
                              "code": "Account.AddError",
                              "message": "Create Account failed, please check your input value"})
    stack.declare({"reporting": ACCOUNTS["reporting"]})
    failed = stack.up(check=False)
    text = failed.stdout + failed.stderr
    assert failed.returncode != 0
    assert "Account.AddError" in text and "request id" in text, text
    assert_clean(text, [EXPLICIT, SECRET_KEY_MARKER], "the error")
