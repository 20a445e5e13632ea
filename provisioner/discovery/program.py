"""Python stack code that declares the discovered accounts, one constructor per account, with
the excluded ones listed as comments (and why). It declares no password: imported accounts keep
theirs, and the code says how to start managing one."""

from __future__ import annotations

from typing import Any, Sequence

from provisioner.discovery.inventory import Found, provider_for
from provisioner.discovery.naming import CLASSES, resource_name

HEADER = '''"""Accounts discovered by `provisioner discover`{where}.

Import them with the import file written beside this code (no cloud write, no password reset):
    pulumi import --file {import_file} --generate-code=false --protect=false --yes
after which `pulumi preview` shows no change. Their passwords are not managed ("password_managed"
is False) until you set `password=` or `password_version=` on an account.
"""

from provisioner import {imports}
'''


def _args(found: Found) -> dict[str, Any]:
    """The arguments in the order a person writes them; only what differs from the default."""
    assert found.spec is not None
    data = provider_for(found.product).code_arguments(found.spec)
    order = ("cluster_id", "instance_id", "name", "host", "account_type", "description", "privileges", "region")
    return {k: data[k] for k in order if k in data}


def render(found_all: list[Found], *, import_file: str, where: str = "", unread: Sequence[str] = ()) -> str:
    declared = [f for f in found_all if f.declared]
    classes = sorted({CLASSES[f.product] for f in declared})
    imports = ", ".join(f"{c}, {c}Args" for c in classes) or "LibraDBAccount"
    lines = [HEADER.format(where=where, import_file=import_file, imports=imports)]
    lines += [f"# not read: {problem}" for problem in unread]
    for found in found_all:
        what = f"{found.product} {found.instance.id} '{found.live.name}'" + (
            f"@{found.live.host}" if found.live.host else "")   # Alibaba accounts have no host
        if not found.declared:
            lines.append(f"# not declared: {what}: {found.excluded}")
            continue
        for note in found.notes:
            lines.append(f"# {what}: {note}")
        if found.privileged:
            lines.append(f"# privileged: {what} ({found.privileged})")
        cls = CLASSES[found.product]
        args = ",\n    ".join(f"{k}={v!r}" for k, v in _args(found).items())
        lines.append(f"{cls}({resource_name(found)!r}, {cls}Args(\n    {args}))")
    return "\n".join(lines) + "\n"
