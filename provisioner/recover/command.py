"""`provisioner recover`: its arguments, and the repair in order (the package's docstring says
what an interrupted update leaves behind and what each step does about it): broken metadata
files, a stale lock, the pending creates (planner.py, lookup.py), then `pulumi refresh`."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from provisioner.core.logs import configure_from_env
from provisioner.recover import RecoverError
from provisioner.recover.backend import Pulumi, broken_sidecars, project_name, stack_locks
from provisioner.recover.lookup import cloud_lookup, use_stack_config
from provisioner.recover.planner import Plan, plan

DEFAULT_SETTLE = 10.0   # s: time for a request sent just before the crash to land in the cloud


def recover(stack: str | None, cwd: str | None, *, settle: float = DEFAULT_SETTLE, dry_run: bool = False,
            refresh: bool = True, out=sys.stdout) -> int:
    def say(text: str) -> None:
        print(text, file=out, flush=True)

    pulumi = Pulumi(stack=stack, cwd=cwd)
    backend = os.environ.get("PULUMI_BACKEND_URL") or pulumi.json("whoami", "--json").get("url", "")
    project = project_name(cwd)
    name = stack or pulumi.run("stack", "--show-name").stdout.strip()
    pulumi.stack = name
    say(f"Recovering stack '{name}'.")

    for path in broken_sidecars(backend, project, name):
        say(f"- broken metadata file of the state (left by a kill mid-write): "
            f"{'would remove' if dry_run else 'removing'} {path}")
        if not dry_run:
            path.unlink()
    locks = stack_locks(backend, project, name)
    live = [lk for lk in locks if not lk.stale]
    if live:
        who = "; ".join(f"pid {lk.pid} on {lk.hostname or '?'} since {lk.timestamp}" for lk in live)
        raise RecoverError(f"the stack is locked by a running or remote update ({who}). Wait for it to finish; "
                           f"if you are sure it is gone, run `pulumi cancel --stack {name}` and then this again.")
    if locks:
        say(f"- stale lock of an interrupted update (pid {', '.join(str(lk.pid) for lk in locks)}, no longer "
            f"running): {'would remove it' if dry_run else 'removing it'} with `pulumi cancel`")
        if not dry_run:
            pulumi.run("cancel", "--yes")

    deployment = pulumi.json("stack", "export")["deployment"]
    pending = deployment.get("pending_operations") or []
    creates = [op for op in pending if op.get("type") == "creating"]
    result = Plan(deployment)
    if creates:
        use_stack_config(pulumi)
        result = plan(deployment, cloud_lookup, settle=settle)
        for o in result.outcomes:
            say(f"- pending create {o.short} ({o.resource_id or o.urn}): {o.reason} [{o.action}]")
        if any(o.action == "skipped" for o in result.outcomes):
            # `pulumi stack import` would drop those pending creates too, losing the only trace
            # of resources that may exist: leave the state alone.
            raise RecoverError("pending creates of other resource types (above) must be resolved first: run "
                               "`pulumi refresh` interactively (import or clear them), then this command again. "
                               "Nothing was changed" + (" but the stale lock." if locks and not dry_run else "."))
        if result.changed and not dry_run:
            exported = pulumi.json("stack", "export")
            exported["deployment"] = result.deployment
            with tempfile.TemporaryDirectory(prefix="provisioner-recover-") as tmp:
                path = Path(tmp) / "deployment.json"   # secrets stay encrypted, as exported
                path.write_text(json.dumps(exported))
                pulumi.run("stack", "import", "--file", str(path))
            say(f"- state updated: {sum(o.action == 'imported' for o in result.outcomes)} imported, "
                f"{sum(o.action in ('cleared', 'conflict') for o in result.outcomes)} pending creates dropped")
    else:
        say("- no pending creates")
    if pending and len(pending) > len(creates):
        say(f"- {len(pending) - len(creates)} other pending operations: `pulumi refresh` resolves them")

    if refresh and not dry_run:
        say("- reading every account from the cloud: pulumi refresh")
        pulumi.run("refresh", "--yes", "--skip-preview", "--suppress-outputs")
    conflicts = [o for o in result.outcomes if o.action == "conflict"]
    if dry_run:
        say("Dry run: nothing changed.")
    elif conflicts:
        say(f"Recovered, except {len(conflicts)} account(s) that exist but differ from what this stack was "
            f"creating (above). Check who owns them; set adopt=True on a resource to take its account over, or "
            f"rename it. Then run `pulumi up`.")
    else:
        say("Recovered. Run `pulumi up` to finish the interrupted update.")
    return 1 if conflicts else 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("recover", help="repair a stack after an interrupted `pulumi up` (then run `pulumi up`)",
                       description="Remove a stale lock, resolve pending creates of account resources (import "
                                   "the ones that exist and are ours, drop the others) and refresh the stack, "
                                   "so that the next `pulumi up` converges. Exit 1 if an account exists that "
                                   "this stack cannot prove it created (it is not taken over).")
    p.add_argument("--stack", "-s", help="the stack (default: the selected stack)")
    p.add_argument("--cwd", "-C", help="the Pulumi project directory (default: the current directory)")
    p.add_argument("--settle", type=float, default=DEFAULT_SETTLE,
                   help=f"seconds to wait before deciding that a create never reached the cloud "
                        f"(default {DEFAULT_SETTLE:g})")
    p.add_argument("--dry-run", action="store_true", help="report what would be done; change nothing")
    p.add_argument("--no-refresh", dest="refresh", action="store_false", help="do not run `pulumi refresh` at the end")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    configure_from_env()   # PROVISIONER_LOG_LEVEL / _FILE: the cloud lookups log as in the provider
    try:
        return recover(args.stack, args.cwd, settle=args.settle, dry_run=args.dry_run, refresh=args.refresh)
    except RecoverError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
