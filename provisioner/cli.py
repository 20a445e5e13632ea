"""`provisioner` command line.

    provisioner localcloud [--port 8790] [--state .localcloud/state.sqlite] [--seed FILE]
                           [--access-key AK] [--secret-key SK] [--faults JSON|FILE]
                           [--port-file FILE] [--log-level INFO]
                           [--behaviour realistic|instant] [--behaviour-scale 1.0]
    provisioner localcloud-admin [--url http://127.0.0.1:8790] COMMAND ...
    provisioner recover [--stack STACK] [--cwd DIR] [--settle S] [--dry-run]   (after an interrupted up)
    provisioner discover [--libradb ID] [--rds ID] [--polardb ID] [--include-privileged] ...
                         (existing accounts -> stack code + `pulumi import` file; provisioner/discovery)
    provisioner preview-summary [FILE] [--stack STACK] [--max-chars N]   (`pulumi preview --json` -> markdown)

Every localcloud option has an environment override PROVISIONER_LOCALCLOUD_<OPTION>
(PORT, STATE, SEED, ACCESS_KEY, SECRET_KEY, FAULTS, PORT_FILE, LOG_LEVEL, URL, BEHAVIOUR,
BEHAVIOUR_SCALE). Heavy modules
(uvicorn, Starlette, the SDKs) are imported only by the command that needs them.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any, Callable

from provisioner.products import NAMES  # the registry: standard library only, the CLI stays light

ENV = "PROVISIONER_LOCALCLOUD_"
DEFAULT_PORT = 8790          # keep in sync with provisioner.localcloud.server.DEFAULT_PORT
DEFAULT_STATE = ".localcloud/state.sqlite"
DEFAULT_URL = f"http://127.0.0.1:{DEFAULT_PORT}"


def _env(name: str, default: Any = None) -> Any:
    return os.environ.get(ENV + name, default)


# --- provisioner localcloud ------------------------------------------------------------------

def _add_localcloud(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("localcloud", help="run the local cloud (LibraDB, RDS, PolarDB APIs) on 127.0.0.1",
                       description="Serve emulated Tencent cynosdb/LibraDB, Alibaba RDS and PolarDB APIs "
                                   "on one port of 127.0.0.1. Prints 'localcloud listening on URL' when ready.")
    p.add_argument("--port", type=int, default=int(_env("PORT", DEFAULT_PORT)),
                   help=f"TCP port, 0 for a free one (default {DEFAULT_PORT})")
    p.add_argument("--state", default=_env("STATE", DEFAULT_STATE),
                   help=f"SQLite state file; ':memory:' for none (default {DEFAULT_STATE})")
    p.add_argument("--seed", default=_env("SEED"), help="seed JSON file (default: the built-in seed)")
    p.add_argument("--access-key", default=_env("ACCESS_KEY", "localcloud-access-key"))
    p.add_argument("--secret-key", default=_env("SECRET_KEY", "localcloud-secret-key"))
    p.add_argument("--faults", default=_env("FAULTS"), help="fault plan: inline JSON or a JSON file")
    p.add_argument("--admin-token", default=_env("ADMIN_TOKEN"),
                   help="require 'Authorization: Bearer TOKEN' on the admin interface "
                        "(env PROVISIONER_LOCALCLOUD_ADMIN_TOKEN; localcloud-admin reads the same variable)")
    p.add_argument("--port-file", default=_env("PORT_FILE"),
                   help="write the port here once listening (atomically), for scripts")
    p.add_argument("--log-level", default=_env("LOG_LEVEL", "INFO"))
    p.add_argument("--behaviour", default=_env("BEHAVIOUR", "realistic"), choices=["realistic", "instant"],
                   help="timing model: realistic (default: accounts settle, deletes complete and grants show "
                        "a few hundred ms later, as on the real clouds) or instant")
    p.add_argument("--behaviour-scale", type=float, default=float(_env("BEHAVIOUR_SCALE", 1.0)),
                   help="multiply every realistic delay (e.g. 10 for benchmarks closer to the real clouds)")
    p.set_defaults(func=_run_localcloud)


def _run_localcloud(args: argparse.Namespace) -> int:
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from provisioner.localcloud.extra import MissingExtraError
    try:
        from provisioner.localcloud.server import LocalCloud, serve
    except MissingExtraError as exc:
        print(f"provisioner localcloud: {exc}", file=sys.stderr)
        return 2

    state = None if args.state in ("", ":memory:") else args.state

    def ready(cloud: LocalCloud) -> None:
        if args.port_file:
            tmp = Path(args.port_file + ".tmp")
            tmp.write_text(f"{cloud.port}\n")
            tmp.replace(args.port_file)  # atomic: a watcher never reads a half-written file
        logging.getLogger("provisioner.localcloud").info(
            "state=%s access_key=%s", state or ":memory:", args.access_key)
        print(f"localcloud listening on {cloud.url}", flush=True)

    serve(on_ready=ready, state=state, seed=args.seed, faults=args.faults, port=args.port,
          access_key=args.access_key, secret_key=args.secret_key, admin_token=args.admin_token or None,
          behaviour=args.behaviour, behaviour_scale=args.behaviour_scale)
    return 0


# --- provisioner localcloud-admin ------------------------------------------------------------

def _json_arg(text: str) -> Any:
    """Inline JSON, or @FILE / a file path holding JSON."""
    text = text.strip()
    if text[:1] in "{[":
        return json.loads(text)
    return json.loads(Path(text.removeprefix("@")).read_text(encoding="utf-8"))


def _password(value: str) -> str:
    return sys.stdin.readline().rstrip("\n") if value == "-" else value


def _admin_commands() -> dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable]]:
    def account_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("product", choices=NAMES)
        p.add_argument("instance_id")
        p.add_argument("name")
        p.add_argument("--host", help="LibraDB host (default %%); Alibaba accounts have none")

    def account_fields(p: argparse.ArgumentParser) -> None:
        p.add_argument("--type", dest="account_type", help="Normal, Super, Sysadmin, ...")
        p.add_argument("--description")
        p.add_argument("--privileges", type=_json_arg, help="JSON, e.g. '{\"orders\": \"ReadWrite\"}'")

    def fields(a: argparse.Namespace, *names: str) -> dict[str, Any]:
        return {n: getattr(a, n) for n in names if getattr(a, n, None) is not None}

    def add_account(p):
        account_args(p)
        account_fields(p)
        p.add_argument("--password", required=True, help="'-' reads it from stdin")

    def modify_account(p):
        account_args(p)
        account_fields(p)
        p.add_argument("--password", help="'-' reads it from stdin")

    def verify(p):
        account_args(p)
        p.add_argument("--password", required=True, help="'-' reads it from stdin")

    def set_status(p):
        p.add_argument("product", choices=NAMES)
        p.add_argument("instance_id")
        p.add_argument("status", nargs="?", help="e.g. running / isolated (LibraDB), Running / Creating (Alibaba)")
        p.add_argument("--lock-mode", help="Alibaba lock mode, e.g. Unlock, ManualLock, LockByExpiration")
        p.add_argument("--account-quota", type=int)

    def faults(p):
        p.add_argument("action", nargs="?", default="show", choices=["show", "set", "patch", "script", "restore"])
        p.add_argument("config", nargs="?", type=_json_arg, help="inline JSON or a JSON file")

    def run_faults(c, a):
        if a.action == "show":
            return c.faults()
        if a.action == "restore":
            return c.restore_faults()
        if a.config is None:
            raise SystemExit(f"faults {a.action}: a JSON config is required")
        if a.action == "script":
            return c.script(*(a.config if isinstance(a.config, list) else [a.config]))
        return c.set_faults(a.config) if a.action == "set" else c.update_faults(a.config)

    def state(p):
        p.add_argument("--product", choices=NAMES)

    def reset(p):
        p.add_argument("--reload-seed", action="store_true", help="also reload the topology from the seed")
        p.add_argument("--restore-faults", action="store_true", help="also restore the start-time fault plan")

    def counters(p):
        p.add_argument("--reset", action="store_true")

    def none(p):
        pass

    def behaviour(p):
        p.add_argument("settings", nargs="?", type=_json_arg,
                       help='JSON to change, e.g. \'{"account_settle": 2}\' or \'{"profile": "instant"}\'')

    def busy(p):
        p.add_argument("product", choices=NAMES)
        p.add_argument("instance_id")
        p.add_argument("seconds", type=float)
        p.add_argument("--code", help="the busy code to answer (default per product)")
        p.add_argument("--reads", action="store_true", help="refuse reads too")

    return {
        "health": ("is the server up", none, lambda c, a: c.health()),
        "state": ("instances and accounts (never passwords)", state, lambda c, a: c.state(a.product)),
        "accounts": ("the accounts as a table", state, lambda c, a: _accounts_table(c.accounts(a.product))),
        "set-status": ("show or change an instance's status / lock mode", set_status,
                       lambda c, a: c.set_instance(a.product, a.instance_id, **{
                           k: v for k, v in (("status", a.status), ("lock_mode", a.lock_mode),
                                             ("account_quota", a.account_quota)) if v is not None})
                       if (a.status or a.lock_mode or a.account_quota is not None)
                       else c.instance(a.product, a.instance_id)),
        "add-account": ("add an account out of band", add_account,
                        lambda c, a: c.add_account(a.product, a.instance_id, a.name, _password(a.password),
                                                   host=a.host, **fields(a, "account_type", "description",
                                                                         "privileges"))),
        "modify-account": ("change an account out of band (drift)", modify_account,
                           lambda c, a: c.modify_account(a.product, a.instance_id, a.name, host=a.host, **{
                               **fields(a, "account_type", "description", "privileges"),
                               **({"password": _password(a.password)} if a.password else {})})),
        "delete-account": ("delete an account out of band", account_args,
                           lambda c, a: c.delete_account(a.product, a.instance_id, a.name, host=a.host)),
        "verify-password": ("does the account have this password (exit 1 if not)", verify,
                            lambda c, a: {"match": c.verify_password(a.product, a.instance_id, a.name,
                                                                     _password(a.password), host=a.host)}),
        "reset": ("forget accounts and tokens, clear counters and scripted faults", reset,
                  lambda c, a: c.reset(reload_seed=a.reload_seed, restore_faults=a.restore_faults)),
        "faults": ("show / set / patch / script / restore the fault plan", faults, run_faults),
        "behaviour": ("show or change the timing model (profile, scale, delays)", behaviour,
                      lambda c, a: c.set_behaviour(**a.settings) if a.settings else c.behaviour()),
        "busy": ("make an instance refuse writes (and reads) with a busy code for a while", busy,
                 lambda c, a: c.busy(a.product, a.instance_id, a.seconds, a.code, a.reads)),
        "counters": ("call counters per product:Action and outcome", counters,
                     lambda c, a: c.reset_counters() if a.reset else c.counters()),
    }


def _accounts_table(accounts: list[dict[str, Any]]) -> str:
    rows = [("PRODUCT", "INSTANCE", "ACCOUNT", "TYPE", "DESCRIPTION", "PRIVILEGES")]
    for a in accounts:
        who = f"{a['name']}@{a['host']}" if a.get("host") else a["name"]
        rows.append((a["product"], a["instance_id"], who, a["account_type"], a["description"] or "-",
                     json.dumps(a["privileges"], separators=(",", ":"), ensure_ascii=False)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)) + "  " + r[-1] for r in rows]
    return "\n".join(lines + [f"({len(accounts)} accounts)"])


def _add_localcloud_admin(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("localcloud-admin", help="talk to a running local cloud's admin interface",
                       description="Inspect and bend a running local cloud (answers are JSON on stdout).")
    p.add_argument("--url", default=_env("URL", DEFAULT_URL), help=f"local cloud URL (default {DEFAULT_URL})")
    cmds = p.add_subparsers(dest="admin_command", required=True)
    for name, (help_text, configure, run) in _admin_commands().items():
        cp = cmds.add_parser(name, help=help_text)
        configure(cp)
        cp.set_defaults(admin_run=run)
    p.set_defaults(func=_run_admin)


def _run_admin(args: argparse.Namespace) -> int:
    from provisioner.localcloud.admin_client import AdminClient, AdminRequestError

    try:
        result = args.admin_run(AdminClient(args.url), args)
    except AdminRequestError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # connection refused etc.
        print(f"error: cannot reach {args.url}: {err}", file=sys.stderr)
        return 2
    status = 1 if args.admin_command == "verify-password" and not result["match"] else 0
    try:
        if isinstance(result, str):
            print(result, flush=True)
        else:
            json.dump(result, sys.stdout, indent=2, ensure_ascii=False)
            print(flush=True)
    except BrokenPipeError:  # e.g. `| head`: not an error; silence the flush at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return status


# --- entry point -------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="provisioner", description="Provisioner of cloud database accounts.")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_localcloud(sub)
    _add_localcloud_admin(sub)
    from provisioner.recover import command as recover  # light: the SDKs load only when it runs
    recover.add_parser(sub)
    from provisioner.discovery import command as discover
    discover.add_parser(sub)
    from provisioner.review import command as review
    review.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
