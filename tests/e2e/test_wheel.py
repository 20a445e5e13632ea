"""The package as users get it: the wheel, installed into the virtualenv of a new Pulumi project
outside the repository, with the Pulumi.yaml and __main__.py that the README tells them to write,
against the local cloud started from that virtualenv (the [localcloud] extra).

`make test` runs the lowest leg (every dependency at its floor); `make test-sdk-range` runs both
ends of the supported range (PROVISIONER_SDK_LEGS=lowest,newest). The engine is ours (3.259.0).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from harness import Stack
from user_project import LEGS, UserLocalCloud, build_wheel, floors, installed_version, readme_block, user_venv

# The README's placeholder IDs -> the local cloud's seeded clusters and instances.
LOCAL_IDS = {"libradb-i794jfvg": "libradb-local001", "rm-uf6wjk5xxxxxxx": "rm-localmysql80",
             "pc-bp1xxxxxxxx": "pc-localmysql01"}
SELECTED = [leg.strip() for leg in os.environ.get("PROVISIONER_SDK_LEGS", "lowest").split(",") if leg.strip()]
assert set(SELECTED) <= set(LEGS), SELECTED


def write_readme_project(directory):
    directory.mkdir(parents=True)
    (directory / "Pulumi.yaml").write_text(readme_block("yaml", "# Pulumi.yaml"))
    program = readme_block("python", "# __main__.py")
    for placeholder, local in LOCAL_IDS.items():
        assert placeholder in program, placeholder
        program = program.replace(placeholder, local)
    (directory / "__main__.py").write_text(program)
    return directory


@pytest.mark.parametrize("leg", SELECTED)
def test_wheel_in_a_new_project_up_preview_destroy(leg, tmp_path, pulumi_bin):
    with user_venv(leg, build_wheel()) as venv:
        cloud = UserLocalCloud(venv, tmp_path / "localcloud.log")
        try:
            check_new_project(leg, venv, tmp_path, pulumi_bin, cloud)
        finally:
            cloud.stop()


def check_new_project(leg, venv, tmp_path, pulumi_bin, cloud):
    sdk = installed_version(venv, "pulumi")
    print(f"{leg}: Pulumi Python SDK {sdk} in {venv}")
    if leg == "lowest":
        assert f"pulumi=={sdk}" in floors()
    # The library comes from the wheel, and using it loads no web server.
    where = subprocess.run([venv / "bin/python", "-c", "import sys, provisioner.products.rds.resource as r; "
                            "print(r.__file__, 'starlette' in sys.modules or 'uvicorn' in sys.modules)"],
                           capture_output=True, text=True, check=True, cwd=tmp_path).stdout.split()
    assert where[0].startswith(str(venv)) and where[1] == "False", where
    assert (Path(where[0]).parents[2] / "py.typed").exists()   # provisioner/: type checkers read the package's hints
    # The .pth that starts the provider's engine watchdog at interpreter start (issue 17) is at
    # the top of site-packages, and a plain process loads nothing of ours.
    plain = subprocess.run([venv / "bin/python", "-c", "import sys, sysconfig; print(sysconfig.get_path('purelib')); "
                            "print([m for m in sys.modules if m.startswith('provisioner')])"],
                           capture_output=True, text=True, check=True, cwd=tmp_path)
    site_packages, loaded = plain.stdout.splitlines()
    assert (loaded, plain.stderr) == ("[]", "")
    pth = Path(site_packages) / "pulumi_db_accounts_provider_boot.pth"
    assert pth.read_text().startswith("import sys;"), pth

    project = write_readme_project(tmp_path / "src" / "my-db-accounts")
    (project / "venv").symlink_to(venv)   # the README's `virtualenv: venv`, from the cache
    stack = Stack(tmp_path, pulumi_bin, cloud, name="dev", source=project, virtualenv="venv")
    stack.pulumi("config", "set", "provisioner:tencentRegion", "ap-guangzhou")
    stack.pulumi("config", "set", "provisioner:alibabaRegion", "cn-hangzhou")

    stack.up()
    admin = cloud.admin
    assert [a["name"] for a in admin.accounts("libradb")] == ["analyst"]
    assert [(a["name"], a["privileges"]) for a in admin.accounts("rds")] == [("orders_app", {"orders": "ReadWrite"})]
    assert [a["name"] for a in admin.accounts("polardb")] == ["migrations"]
    outputs = stack.outputs(secrets=True)["orders_app"]
    assert outputs["endpoint"] == "rm-localmysql80.mysql.rds.aliyuncs.com:3306"
    assert admin.verify_password("rds", "rm-localmysql80", "orders_app", outputs["password"])
    stack.preview("--expect-no-changes")
    stack.pulumi("destroy", "--yes")
    assert admin.accounts() == []
