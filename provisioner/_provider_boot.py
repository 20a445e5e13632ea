"""Start the engine watchdog when a dynamic-provider process starts, before any request.

The wheel installs `pulumi_db_accounts_provider_boot.pth` into site-packages (setup.py, PTH_LINE
below), so every Python process of the environment runs its one line at interpreter start. That
line only looks for the text "pulumi.dynamic" in `sys.orig_argv` (no import, nothing else); only
when it is there does it import this module, which decides exactly: the interpreter was started
as `python [options] -m pulumi.dynamic ...` — how the engine's `pulumi-python` resource plugin
runs (the official `pulumi-resource-pulumi-python` shim, with or without a launcher shell in
between). Then it starts the watchdog (provisioner/core/watchdog.py), so a provider whose
engine dies before the engine's first request for one of our resources exits too, instead of
staying behind as an orphan for ever. In the program, the CLI, tests, pip and every other
process nothing happens.

Stdlib only (importing it runs provisioner/__init__.py, which stays light by design; the boot
then imports provisioner.core and its watchdog, stdlib only too: tests/unit/test_provider_boot.py
checks that no heavy dependency is loaded at that point), and it never raises: an error here would print a traceback at the start of the
process (site.py reports it), and the provider would still start the watchdog at the engine's
first request for one of our resources (the fallback in the package's import).
PROVISIONER_PROVIDER_WATCHDOG=0 turns the watchdog off (watchdog.enabled()).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

PROVIDER_MODULE = "pulumi.dynamic"
PTH_NAME = "pulumi_db_accounts_provider_boot.pth"
# The whole .pth file (site.py executes lines that start with "import"). Sorted after
# setuptools' "__editable__.*.pth", so an editable install's finder is in place when it runs.
PTH_LINE = ('import sys; any("pulumi.dynamic" in a for a in getattr(sys, "orig_argv", ())) '
            'and __import__("provisioner._provider_boot")._provider_boot.boot()\n')

_WITH_VALUE = "mcWX"   # options of the interpreter that take a value (-m and -c end the options)


def main_module(argv: Sequence[str]) -> str | None:
    """The module that `python [options] -m MODULE ...` runs, from the interpreter's own argv."""
    args = iter(argv[1:])
    for arg in args:
        if arg == "--check-hash-based-pycs":
            next(args, None)
            continue
        if not arg.startswith("-") or arg in ("-", "--") or arg.startswith("--"):
            return None   # a script, stdin, or a long option such as --help / --version
        flags = arg[1:]
        for i, flag in enumerate(flags):
            if flag in _WITH_VALUE:
                value = flags[i + 1:] or next(args, "")
                if flag == "m":
                    return value
                if flag == "c":
                    return None
                break   # -W / -X: the rest was its value
    return None


def is_provider_command(argv: Sequence[str] | None = None) -> bool:
    return main_module(argv if argv is not None else getattr(sys, "orig_argv", ())) == PROVIDER_MODULE


def boot(argv: Sequence[str] | None = None) -> bool:
    """Start the watchdog when this is a dynamic-provider process; never raises."""
    try:
        if not is_provider_command(argv):
            return False
        from provisioner.core import watchdog  # only here: in no other process is anything imported
        return watchdog.start()
    except Exception:   # noqa: BLE001 - at interpreter start; the import-time start is the fallback
        return False
