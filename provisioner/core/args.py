"""What the three resources share: the forms their arguments come in, and turning them into props.

Like a generated Pulumi package, every resource takes its arguments as a typed `*Args` object,
as a dict (typed by `*ArgsDict`) or as keyword arguments:

    RdsAccount("orders", RdsAccountArgs(instance_id=..., name=...), opts)
    RdsAccount("orders", {"instance_id": ..., "name": ...}, opts)
    RdsAccount("orders", instance_id=..., name=..., opts=opts)
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, TypeVar

import pulumi

from provisioner.core import sdk_state
from provisioner.core.logs import configure_from_env, guard_pulumi_debug_log

# Outputs every account resource has beyond its inputs (set by the provider).
COMPUTED_OUTPUTS = ("password_generated", "password_managed", "engine", "endpoint")

A = TypeVar("A")

_prepared = False


def prepare_program() -> None:
    """What the program's process needs before our first resource registers, set up once per
    process (later calls return at once); every resource constructor of this package calls it:
    - the `provisioner` loggers from PROVISIONER_LOG_LEVEL / _FILE / PROVISIONER_WAIT_LOG (logs.py);
    - the guard that keeps the SDK's debug dump of stack outputs, secrets included, out of its
      log (logs.guard_pulumi_debug_log);
    - one stack frame per resource of ours in the state, not the SDK's 13 (sdk_state.py).
    The provider process sets up its logging in AccountProvider.configure instead."""
    global _prepared
    if _prepared:
        return
    configure_from_env()
    guard_pulumi_debug_log()
    sdk_state.install()
    _prepared = True


def resource_args_opts(args_type: type[A], args: tuple[Any, ...],
                       kwargs: dict[str, Any]) -> tuple[A, Optional[pulumi.ResourceOptions]]:
    """The (args, opts) of a resource call, whichever form the arguments came in."""
    rest, opts, given = list(args), kwargs.pop("opts", None), kwargs.pop("args", None)
    if rest and not isinstance(rest[0], pulumi.ResourceOptions):
        if given is not None:
            raise TypeError(f"{args_type.__name__} given twice (positionally and as args=)")
        given = rest.pop(0)
    if rest:
        if len(rest) > 1 or opts is not None or not isinstance(rest[0], pulumi.ResourceOptions):
            raise TypeError("after the resource's arguments only opts (a pulumi.ResourceOptions) may follow")
        opts = rest[0]
    if opts is not None and not isinstance(opts, pulumi.ResourceOptions):
        raise TypeError(f"opts must be a pulumi.ResourceOptions, not {type(opts).__name__}")
    if given is None:
        return args_type(**kwargs), opts
    if kwargs:
        raise TypeError(f"give the arguments either as one {args_type.__name__} (or dict) or as keywords, "
                        f"not both: {', '.join(sorted(kwargs))}")
    if isinstance(given, args_type):
        return given, opts
    if isinstance(given, Mapping):
        return args_type(**given), opts
    raise TypeError(f"args must be a {args_type.__name__} or a dict, not {type(given).__name__}")


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
