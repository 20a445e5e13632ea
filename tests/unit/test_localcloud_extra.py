"""Without the [localcloud] extra the local cloud says what to install (the library still imports)."""

from __future__ import annotations

import subprocess
import sys

HIDE_SERVER = "import sys; sys.modules['uvicorn'] = None; sys.modules['starlette'] = None; "


def run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", HIDE_SERVER + code], capture_output=True, text=True, timeout=60)


def test_localcloud_command_names_the_extra_when_the_server_is_missing():
    proc = run("from provisioner.cli import main; sys.exit(main(['localcloud', '--port', '0', '--state', '']))")
    assert proc.returncode == 2, proc.stderr
    assert "starlette and uvicorn" in proc.stderr
    assert "pip install 'pulumi-db-accounts[localcloud]'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_importing_the_server_raises_the_same_clear_error():
    proc = run("from provisioner.localcloud.server import LocalCloud")
    assert "MissingExtraError" in proc.stderr and "[localcloud] extra" in proc.stderr


def test_the_library_and_the_admin_client_import_without_the_extra():
    proc = run("import provisioner.products.rds.resource, provisioner.recover.command, provisioner.localcloud.admin_client; "
               "print('ok')")
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr
