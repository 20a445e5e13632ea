"""`provisioner recover`: repair a stack after `pulumi up` was interrupted (killed, crashed, lost).

What an interrupted update leaves behind, and what this command does about it:

0. A broken state file (file backends): the file:// backend (gocloud's fileblob) writes each
   blob's `<file>.attrs` sidecar in place, before renaming the blob itself into place; a kill
   in between leaves an empty sidecar and every command on the stack fails with "failed to load
   checkpoint: EOF". The sidecar only holds metadata (content type, MD5) and may be absent, and
   the blob is intact (it still holds the previous checkpoint): broken sidecars of the stack's
   files are removed.
1. A stale lock (file backends): the next `pulumi up` refuses to start ("the stack is currently
   locked ... `pulumi cancel`"). Locks whose process is gone on this host are removed with
   `pulumi cancel`; a lock held by a live process, or taken on another host, stops the command.
2. Pending CREATE operations: creates the engine started but never saw finish. The account may
   or may not exist. `pulumi up` ignores them (a warning) and would create the account again
   ("already exists"), and Pulumi's own `pulumi refresh --import-pending-creates URN ID` cannot
   help: in 3.259 it turns the operation into an import that the refresh then drops without
   importing anything, and the engine cannot import a Python dynamic resource at all
   (pulumi/pulumi#16175). So, for each pending create of an account resource:
   - the account is not in the cloud (looked at twice, `--settle` seconds apart, so a request
     still in flight when the process died can land): the create never happened; the pending
     operation is dropped and the next `pulumi up` creates the account;
   - the account exists and is what the interrupted create asked for (same description, type,
     max connections), or the resource has adopt=True: it is written into the state under its
     deterministic id (`cluster:name@host` / `instance:name`) through `pulumi stack export` /
     `pulumi stack import`, without a password: the next `pulumi up` sets the declared (or a new
     generated) password and the declared description and privileges;
   - the account exists but differs: it may be someone else's. It is NOT taken over: the pending
     operation is dropped, the command exits 1, and `pulumi up` will refuse to create over it
     unless the resource says adopt=True (the same rule as for any pre-existing account).
   The edited state goes back with `pulumi stack import`, which drops every pending operation:
   so if a pending create of another resource type is present, nothing is changed and the
   command stops (resolve those first with an interactive `pulumi refresh`).
3. Other pending operations (updates, deletes) and drift: `pulumi refresh` reads those resources
   again (and clears the operations, if `stack import` has not). It is run last, so the state
   then says what the cloud holds.

Then `pulumi up` converges. Nothing here prints or stores a password: the exported state keeps its
secrets encrypted; stack config secrets (cloud credentials) are read into memory only.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from provisioner.compat import ACCOUNT_TYPES  # type token -> provider class (module, name)

DEFAULT_SETTLE = 10.0   # s: time for a request sent just before the crash to land in the cloud


class RecoverError(Exception):
    """Stops the command before it changed anything (or says what it had done)."""


# --- running pulumi ------------------------------------------------------------------------------

@dataclass
class Pulumi:
    stack: str | None = None
    cwd: str | None = None
    binary: str = "pulumi"

    def run(self, *args: str, check: bool = True, stream: bool = False) -> subprocess.CompletedProcess:
        cmd = [self.binary, *args, "--non-interactive"]
        if self.stack:
            cmd += ["--stack", self.stack]
        proc = subprocess.run(cmd, cwd=self.cwd, text=True,
                              stdout=None if stream else subprocess.PIPE, stderr=None if stream else subprocess.PIPE)
        if check and proc.returncode != 0:
            detail = "" if stream else f"\n{proc.stdout or ''}{proc.stderr or ''}".rstrip()
            raise RecoverError(f"`pulumi {' '.join(args)}` exited {proc.returncode}{detail}")
        return proc

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args).stdout)


# --- locks (file backends) -------------------------------------------------------------------------

@dataclass
class Lock:
    path: Path
    pid: int
    hostname: str
    timestamp: str

    @property
    def stale(self) -> bool:
        """Taken on this host by a process that is gone (or is no longer a pulumi process)."""
        if self.hostname != socket.gethostname():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        try:   # the pid was reused by something else
            return b"pulumi" not in Path(f"/proc/{self.pid}/cmdline").read_bytes()
        except OSError:
            return False


def stack_locks(backend_url: str, project: str, stack: str) -> list[Lock]:
    """Lock files of the stack in a file:// backend (project layout and the legacy one)."""
    if not backend_url.startswith("file://"):
        return []
    root = _backend_root(backend_url) / "locks"
    name = stack.split("/")[-1]
    paths = list(root.glob(f"*/{project}/{name}/*.json")) + list(root.glob(f"{name}/*.json"))
    locks = []
    for path in paths:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        locks.append(Lock(path, int(data.get("pid") or 0), str(data.get("hostname") or ""),
                          str(data.get("timestamp") or "")))
    return locks


def _backend_root(backend_url: str) -> Path | None:
    return Path(backend_url[len("file://"):]).expanduser() / ".pulumi" if backend_url.startswith("file://") else None


def broken_sidecars(backend_url: str, project: str, stack: str) -> list[Path]:
    """Empty or unreadable `.attrs` files of the stack's checkpoint, backups, history and locks."""
    root = _backend_root(backend_url)
    if root is None:
        return []
    name = stack.split("/")[-1]
    patterns = [f"stacks/{project}/{name}.json*.attrs", f"stacks/{name}.json*.attrs",
                f"locks/*/{project}/{name}/*.attrs", f"locks/{name}/*.attrs",
                f"history/{project}/{name}/*.attrs", f"history/{name}/*.attrs",
                f"backups/{project}/{name}/*.attrs", f"backups/{name}/*.attrs"]
    broken = []
    for path in sorted({p for pattern in patterns for p in root.glob(pattern)}):
        try:
            json.loads(path.read_text() or "null")["md5"]
        except (OSError, ValueError, TypeError, KeyError):
            broken.append(path)
    return broken


# --- deciding what to do with each pending create ----------------------------------------------------

@dataclass
class Outcome:
    urn: str
    action: str          # "imported" | "cleared" | "conflict" | "skipped"
    reason: str
    resource_id: str | None = None

    @property
    def short(self) -> str:
        type_, _, name = self.urn.rpartition("::")
        return f"{type_.rpartition(':')[2]} {name}"


@dataclass
class Plan:
    deployment: dict[str, Any]
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(o.action in ("imported", "cleared", "conflict") for o in self.outcomes)


def _provider(type_: str):
    import importlib
    module, cls = ACCOUNT_TYPES[type_]
    return getattr(importlib.import_module(module), cls)()


def differences(provider, spec, live) -> list[str]:
    """What the live account has that the interrupted create did not ask for (the fields the
    create request sets; privileges are set after it, so they may not have been reached)."""
    current = provider.from_live(live)
    wanted: dict[str, Any] = {"description": spec.description or ""}
    if "account_type" in current:
        wanted["account_type"] = getattr(spec, "account_type", None) or "Normal"
    if "max_user_connections" in current and getattr(spec, "max_user_connections", None) is not None:
        wanted["max_user_connections"] = spec.max_user_connections
    return [f"{k} is {current.get(k)!r}, the create asked for {v!r}"
            for k, v in wanted.items() if (current.get(k) or ("" if k == "description" else None)) != v]


Lookup = Callable[[Any, Any], Any]   # (provider, spec) -> LiveAccount | None


def plan(deployment: dict[str, Any], lookup: Lookup, *, settle: float = 0.0,
         sleep: Callable[[float], None] = time.sleep) -> Plan:
    """Decide, for each pending create, and return the edited deployment (pure but for lookup)."""
    deployment = copy.deepcopy(deployment)
    result = Plan(deployment)
    pending = deployment.get("pending_operations") or []
    creates = [op for op in pending if op.get("type") == "creating" and op["resource"]["type"] in ACCOUNT_TYPES]
    for op in pending:
        if op.get("type") == "creating" and op not in creates:
            result.outcomes.append(Outcome(op["resource"]["urn"], "skipped", "not an account resource of this "
                                           "provisioner: resolve it with an interactive `pulumi refresh`"))
    looked: list[tuple[dict, Any, Any, Any]] = []
    in_state = {(r.get("urn"), r.get("id")) for r in deployment.get("resources") or [] if not r.get("delete")}
    for op in creates:
        provider = _provider(op["resource"]["type"])
        inputs = {k: v for k, v in (op["resource"].get("inputs") or {}).items() if k != "password"}
        spec = provider._identity(inputs)
        if (op["resource"]["urn"], provider.resource_id(spec)) in in_state:   # a later `up` made it
            result.outcomes.append(Outcome(op["resource"]["urn"], "cleared", "already in the state",
                                           provider.resource_id(spec)))
            continue
        looked.append((op, provider, spec, lookup(provider, spec)))
    if settle > 0 and any(live is None for *_, live in looked):
        sleep(settle)   # a create sent just before the crash may still be landing: look again
        looked = [(op, p, s, live if live is not None else lookup(p, s)) for op, p, s, live in looked]

    keep = [op for op in pending if op not in creates]
    resources = deployment.setdefault("resources", [])
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    for op, provider, spec, live in looked:
        urn, rid = op["resource"]["urn"], provider.resource_id(spec)
        if live is None:
            result.outcomes.append(Outcome(urn, "cleared", "not in the cloud: the create never happened; "
                                           "`pulumi up` creates it", rid))
            continue
        diffs = differences(provider, spec, live)
        if diffs and not spec.adopt:
            result.outcomes.append(Outcome(urn, "conflict", f"exists but {'; '.join(diffs)}: it may not be ours and "
                                           "is not taken over (`pulumi up` will refuse it unless adopt=True)", rid))
            continue
        resource = copy.deepcopy(op["resource"])
        resource["id"] = rid
        # The outputs are the inputs without a password: whether the create got as far as setting
        # it is unknown (and a generated one is lost), so the next `up` sees a password change and
        # sets it, along with the declared description and privileges.
        resource["outputs"] = {k: v for k, v in (resource.get("inputs") or {}).items() if k != "password"}
        resource["outputs"]["password_generated"] = False
        resource.setdefault("created", now)
        resource.setdefault("modified", now)
        live_same_urn = [i for i, r in enumerate(resources) if r.get("urn") == urn and not r.get("delete")]
        why = "adopt=True" if diffs else "matches the interrupted create"
        if live_same_urn:
            # The URN is already taken by another account of ours: the old half of an interrupted
            # create-before-delete replacement, or one a later `up` created. The state keeps that
            # one; the recovered account goes in marked for deletion: the next `up` deletes it
            # (re-creating it if the program still declares it) instead of leaking it.
            resource["delete"] = True
            resources.insert(live_same_urn[0], resource)
            result.outcomes.append(Outcome(urn, "imported", f"exists and {why}, but the state already holds "
                                           f"{resources[live_same_urn[0] + 1].get('id')} under this name: "
                                           "recorded for deletion by the next `pulumi up`", rid))
            continue
        resources.append(resource)
        result.outcomes.append(Outcome(urn, "imported", f"exists and {why}: now in the state; `pulumi up` "
                                       "sets its password, description and privileges", rid))
    deployment["pending_operations"] = keep
    return result


def cloud_lookup(provider, spec):
    from provisioner.core.adapter import CloudApiError
    from provisioner.core import errors
    try:
        return provider._adapter(spec).get_account(provider.instance_id(spec), spec.name, provider.host(spec),
                                                   fresh=True)
    except CloudApiError as exc:
        if exc.kind == errors.NOT_FOUND:   # the cluster/instance itself is gone: nothing was created
            return None
        raise RecoverError(f"cannot look up {provider._where(spec)}: {exc}") from None


# --- the command ------------------------------------------------------------------------------------

def _project_name(cwd: str | None) -> str:
    import yaml
    for name in ("Pulumi.yaml", "Pulumi.yml"):
        path = Path(cwd or ".") / name
        if path.exists():
            return str(yaml.safe_load(path.read_text())["name"])
    raise RecoverError(f"no Pulumi.yaml in {Path(cwd or '.').resolve()}: run in the project directory or pass --cwd")


def _load_stack_config(pulumi: Pulumi) -> None:
    """Stack config (credentials, endpoint) for the cloud lookups, as the provider would see it."""
    from provisioner.core import settings
    config = pulumi.json("config", "--json", "--show-secrets")
    settings.remember({k: v.get("value") for k, v in config.items() if isinstance(v, dict)})


def recover(stack: str | None, cwd: str | None, *, settle: float = DEFAULT_SETTLE, dry_run: bool = False,
            refresh: bool = True, out=sys.stdout) -> int:
    def say(text: str) -> None:
        print(text, file=out, flush=True)

    pulumi = Pulumi(stack=stack, cwd=cwd)
    backend = os.environ.get("PULUMI_BACKEND_URL") or pulumi.json("whoami", "--json").get("url", "")
    project = _project_name(cwd)
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
        _load_stack_config(pulumi)
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
    try:
        return recover(args.stack, args.cwd, settle=args.settle, dry_run=args.dry_run, refresh=args.refresh)
    except RecoverError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
