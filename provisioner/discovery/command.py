"""`provisioner discover`: list the live accounts, write stack code and an import file.

    provisioner discover [--libradb ID ...] [--rds ID ...] [--polardb ID ...]
                         [--tencent-region R] [--alibaba-region R] [--include-privileged]
                         [--program accounts.py] [--import-file accounts.import.json]

Without IDs it looks at every cluster and instance of the three products in the regions
(DescribeLibraDBClusters / DescribeDBInstances / DescribeDBClusters); with some, only at those
(products without IDs are skipped). Credentials and the endpoint come from the same environment
variables as the provider (TENCENTCLOUD_*, ALIBABA_CLOUD_*, PROVISIONER_ENDPOINT). Read-only.
Exit 0; 1 when some cluster/instance could not be read (the others are written; it is named on
stderr and in the stack code); 2 when nothing could be listed (credentials, the list API).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from provisioner.products import NAMES as PRODUCTS  # the CLI stays light: inventory (pulumi, SDKs) loads in _run
from provisioner.products import REGISTRY


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("discover", help="list existing accounts; write stack code and a `pulumi import` file",
                       description="Read the live accounts (read-only calls, rate-limited) and write Python "
                                   "stack code declaring them plus a `pulumi import --file` document, so they "
                                   "come under management with no cloud write and no password reset.")
    for product in PRODUCTS:
        p.add_argument(f"--{product}", action="append", default=[], metavar="ID",
                       help=f"a {REGISTRY[product].title} {REGISTRY[product].instance_word} to look at (repeatable)")
    p.add_argument("--tencent-region", help="LibraDB region (default: TENCENTCLOUD_REGION or ap-guangzhou)")
    p.add_argument("--alibaba-region", help="RDS/PolarDB region (default: ALIBABA_CLOUD_REGION_ID or cn-hangzhou)")
    p.add_argument("--include-privileged", action="store_true",
                   help="also declare Super/Sysadmin accounts and LibraDB accounts with global admin privileges")
    p.add_argument("--program", default="accounts.py", help="stack code to write (default accounts.py)")
    p.add_argument("--import-file", default="accounts.import.json", help="import file to write")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from provisioner.core import settings
    from provisioner.core.adapter import CloudApiError
    from provisioner.core.clients import adapter_for
    from provisioner.core.logs import configure_from_env
    from provisioner.discovery import import_file, inventory, program

    configure_from_env()   # PROVISIONER_LOG_LEVEL / _FILE: the cloud calls log as in the provider
    chosen = {p: getattr(args, p) for p in PRODUCTS if getattr(args, p)}
    targets = chosen or {p: None for p in PRODUCTS}
    found: list[inventory.Found] = []
    unread: list[str] = []
    try:
        for product, ids in targets.items():
            region = args.tencent_region if REGISTRY[product].cloud == "tencent" else args.alibaba_region
            adapter = adapter_for(product, settings.settings_for(product, region))
            found += inventory.discover(product, adapter, ids, include_privileged=args.include_privileged,
                                        unread=unread)
    except (CloudApiError, settings.MissingCredentials) as exc:   # the instance list itself failed
        print(f"error: {exc}", file=sys.stderr)
        return 2
    where = " on " + ", ".join(f"{p} {' '.join(ids)}" for p, ids in chosen.items()) if chosen else ""
    Path(args.program).write_text(program.render(found, import_file=args.import_file, where=where,
                                                 unread=unread))
    Path(args.import_file).write_text(json.dumps(import_file.document(found), indent=2) + "\n")
    for f in found:
        state = "declared" if f.declared else f"not declared: {f.excluded}"
        print(f"{f.product:8} {f.instance.id:24} {f.live.name:32} {state}")
    declared = sum(f.declared for f in found)
    print(f"{declared} of {len(found)} accounts declared in {args.program}; import file {args.import_file}")
    for problem in unread:
        print(f"not read: {problem}", file=sys.stderr)
    return 1 if unread else 0
