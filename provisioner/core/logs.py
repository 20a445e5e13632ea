"""Logging for the program and provider processes, and a guard on Pulumi's own debug logs.

PROVISIONER_LOG_LEVEL (default WARNING) and PROVISIONER_LOG_FILE (default: stderr, which the
engine shows) configure the `provisioner` loggers; PROVISIONER_WAIT_LOG=<file> writes only the
lines of time spent waiting on the clouds (one per pause, "pause_s=<seconds>"). Our loggers never receive request
parameters, so no level can print a password. Nothing is set up on import: configure_from_env runs
in the program when its first resource of ours is made (args.prepare_program), in the provider
process when the engine configures the provider (AccountProvider.configure), and in the
`recover` and `discover` commands.

The Pulumi Python SDK logs the serialized stack outputs at debug level — secret values
included, in plaintext — whenever a program registers outputs (`pulumi up --debug`). Our
stacks export passwords as secrets, so `guard_pulumi_debug_log` replaces that property dump
with a placeholder before it is logged.
"""

from __future__ import annotations

import logging
import os
import re

_configured = False
_OUTPUT_DUMP = re.compile(r"^(register resource outputs prepared|resource registration successful): (urn=\S+), props=",
                          re.DOTALL)


def configure_from_env() -> None:
    global _configured
    if _configured:
        return
    _configured = True
    wait_file = os.environ.get("PROVISIONER_WAIT_LOG")
    if wait_file:   # only the waits (provisioner/core/retry/waiting.py wait_log), e.g. for make bench
        waits = logging.getLogger("provisioner.cloud.wait")
        handler = logging.FileHandler(wait_file)
        handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(message)s"))
        waits.addHandler(handler)
        waits.setLevel(logging.DEBUG)
    level = os.environ.get("PROVISIONER_LOG_LEVEL")
    if not level:
        return
    path = os.environ.get("PROVISIONER_LOG_FILE")
    handler = logging.FileHandler(path) if path else logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(name)s %(levelname)s %(message)s"))
    logger = logging.getLogger("provisioner")
    logger.addHandler(handler)
    logger.setLevel(level.upper())


def guard_pulumi_debug_log() -> None:
    """Wrap pulumi.runtime.resource's `log.debug` so stack output dumps lose their values."""
    from pulumi.runtime import resource as pulumi_resource

    log = pulumi_resource.log
    if getattr(log.debug, "_provisioner_guard", False):
        return
    original = log.debug

    def debug(msg: str, *args, **kwargs):
        match = _OUTPUT_DUMP.match(msg) if isinstance(msg, str) else None
        if match:
            msg = f"{match.group(1)}: {match.group(2)}, props=[not logged: may hold secrets]"
        return original(msg, *args, **kwargs)

    debug._provisioner_guard = True  # type: ignore[attr-defined]
    pulumi_resource.log = _GuardedLog(log, debug)


class _GuardedLog:
    """The `pulumi.log` module with `debug` replaced; everything else passes through."""

    def __init__(self, module, debug):
        self._module, self.debug = module, debug

    def __getattr__(self, name):
        return getattr(self._module, name)
