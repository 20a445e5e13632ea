"""Everything is in pyproject.toml but one file: the .pth that starts the dynamic provider's engine
watchdog at interpreter start (provisioner/_provider_boot.py, issue 17).

A .pth file must sit at the top of site-packages, which package data cannot reach. build_py
writes it into build_lib, so the wheel has it at its root (`pip install pulumi-db-accounts`).
An editable install (`pip install -e .`, PEP 660) ignores build_lib: setuptools' editable_wheel
installs into the root of the editable wheel it is assembling (install_lib), so build_py writes
it there in editable mode, whichever editable strategy setuptools picks.
"""

from __future__ import annotations

import importlib.util
import os

from setuptools import setup
from setuptools.command.build_py import build_py


def _boot():   # stdlib only; loaded by path, so the build needs none of the package's dependencies
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "provisioner", "_provider_boot.py")
    spec = importlib.util.spec_from_file_location("_provider_boot", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class build_py_with_pth(build_py):
    def run(self) -> None:
        super().run()
        boot = _boot()
        target = self.get_finalized_command("install").install_lib if self.editable_mode else self.build_lib
        os.makedirs(target, exist_ok=True)
        with open(os.path.join(target, boot.PTH_NAME), "w") as f:
            f.write(boot.PTH_LINE)


setup(cmdclass={"build_py": build_py_with_pth})
