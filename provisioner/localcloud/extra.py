"""The local cloud's web server (Starlette, uvicorn) comes with the `[localcloud]` extra.

A provisioning library must not pull a web server into its users' Pulumi projects, so these
packages are optional; without them the local cloud refuses to start and says what to install.
Standard library only.
"""

from __future__ import annotations

import importlib.util

DISTRIBUTION = "pulumi-db-accounts"
SERVER_PACKAGES = ("starlette", "uvicorn")


class MissingExtraError(ImportError):
    """The local cloud was asked for, but its extra is not installed."""


def require_server() -> None:
    missing = [name for name in SERVER_PACKAGES if importlib.util.find_spec(name) is None]
    if missing:
        raise MissingExtraError(
            f"the local cloud needs {' and '.join(missing)}, which come with the [localcloud] extra: "
            f"pip install '{DISTRIBUTION}[localcloud]'")
