"""What the three *Args classes share: turning typed arguments into dynamic-resource props."""

from __future__ import annotations

from typing import Any, Optional

import pulumi

from provisioner.logs import configure_from_env, guard_pulumi_debug_log

configure_from_env()
guard_pulumi_debug_log()

# Outputs every account resource has beyond its inputs (set by the provider).
COMPUTED_OUTPUTS = ("password_generated", "password_managed", "engine", "endpoint")


def to_props(args: Any) -> dict[str, Any]:
    props = {k: v for k, v in vars(args).items() if v is not None}
    password = props.get("password")
    # The password is a secret from the first moment: in state, previews and logs.
    props["password"] = pulumi.Output.secret(password) if password is not None else None
    for key in COMPUTED_OUTPUTS:
        props.setdefault(key, None)
    return props


def secret_options(opts: Optional[pulumi.ResourceOptions]) -> pulumi.ResourceOptions:
    """A generated password is a new output: it must be marked secret explicitly."""
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=["password"]))
