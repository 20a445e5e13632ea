"""`python -m bench.growth` (what `make bench` runs): how the cost of each phase grows with the
number of accounts. See docs/benchmarks.md, "Growth".

The same workload (bench/workload.py: LibraDB, RDS and PolarDB accounts declared interleaved over
10 clusters per type) runs at each size in --sizes, as shipped (engine defaults, official plugin
script) on the local cloud's default behaviour, every phase: up, no-op preview, refresh, update
of 10%, destroy. Then the no-op preview is measured once more at --preview-at accounts (its
stack set up with an `up` under PULUMI_SKIP_CHECKPOINTS=true, which is not measured).

The report gives, per phase, each size's wall time and engine CPU (`pulumi` + language host) and
their ratio between consecutive sizes, and checks the targets:
  - up, update and destroy grow linearly: k x the accounts -> at most 1.25 k x the wall time
  - up within 2x of the rate-limit floor at every size
  - refresh (`pulumi refresh --skip-preview`) within 1.5x of its rate-limit floor at every size
  - state at most 1.5 KB per account (the state file the backend rewrites, and the export)
  - a no-op preview of --preview-at accounts in at most 15 s, with no cloud call

Sizes default to 150,600 (about 8 min on 2 shared cores with the preview at 1200); the longer
runs are BENCH_SIZES=300,1200 or 300,1200,3000 (make bench BENCH_SIZES=...).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench import run, workload
from bench.report import table

GROWING = ("up", "update", "destroy")
PREVIEW_TARGET_S = 15.0
STATE_TARGET_BYTES = 1536
UP_FLOOR_TARGET = 2.0
REFRESH_FLOOR_TARGET = 1.5   # issue 12: refresh (its LibraDB privilege reads paced and parallel)
LINEAR_SLACK = 1.25    # 4x the accounts -> at most 5x the wall time


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    p = argparse.ArgumentParser(prog="python -m bench.growth", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="150,600", help="comma list of account counts (ascending)")
    p.add_argument("--preview-at", type=int, default=1200,
                   help="accounts for the separate no-op preview measurement (0 = skip it)")
    p.add_argument("--out", type=Path, default=run.RESULTS)
    p.add_argument("--keep", action="store_true")
    args, rest = p.parse_known_args(argv)   # the rest: bench.run's options (--clusters, --latency-ms, ...)
    args.sizes = sorted({int(x) for x in args.sizes.split(",") if x.strip()})
    return args, rest


def _phase(v: dict[str, Any], phase: str) -> dict[str, Any] | None:
    p = v["phases"].get(phase)
    return None if not p or p.get("error") else p


def growth_table(sizes: list[int], by_size: dict[int, dict[str, Any]]) -> str:
    header = ["phase"]
    for n in sizes:
        header += [f"wall s @{n}", f"engine CPU s @{n}", f"floor s @{n}"]
    for a, b in zip(sizes, sizes[1:]):
        header += [f"wall x ({b}/{a})", f"engine CPU x ({b}/{a})"]
    rows = []
    for phase in run.ALL_PHASES:
        cells = [_phase(by_size[n], phase) for n in sizes]
        row: list[Any] = [phase]
        for c in cells:
            row += [c["wall_s"], c["engine_cpu_s"], c["floor_s"]] if c else ["FAILED", "-", "-"]
        for c, d in zip(cells, cells[1:]):
            row += [_x(d["wall_s"], c["wall_s"]), _x(d["engine_cpu_s"], c["engine_cpu_s"])] if c and d else ["-", "-"]
        rows.append(row)
    return table(header, rows)


def detail_table(sizes: list[int], by_size: dict[int, dict[str, Any]]) -> str:
    rows = []
    for n in sizes:
        for phase in run.ALL_PHASES:
            c = _phase(by_size[n], phase)
            if not c:
                continue
            rows.append([n, phase, c["wall_s"], c["calls_total"], c["throttled"], c.get("wait_s", "-"),
                         c["engine_cpu_s"], c["provider_cpu_s"], c["program_cpu_s"],
                         f"{c['engine_cpu_s'] / c['wall_s']:.0%}" if c["wall_s"] else "-",
                         c["floor_s"], c["policy_floor_s"], c["provider_threads_max"]])
    return table(["accounts", "phase", "wall s", "cloud calls", "throttled", "waiting s", "CPU s engine",
                  "CPU s provider", "CPU s program", "engine CPU / wall", "floor s", "policy floor s",
                  "provider threads"], rows)


def _x(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if a and b else "-"


def targets(sizes: list[int], by_size: dict[int, dict[str, Any]], preview: dict[str, Any] | None,
            preview_at: int) -> list[dict[str, Any]]:
    out = []
    for a, b in zip(sizes, sizes[1:]):
        allowed = LINEAR_SLACK * b / a
        for phase in GROWING:
            c, d = _phase(by_size[a], phase), _phase(by_size[b], phase)
            if c and d:
                r = d["wall_s"] / c["wall_s"]
                out.append({"target": f"{phase} grows linearly: {b / a:g}x the accounts -> at most {allowed:g}x the wall time",
                            "measured": f"{c['wall_s']:.1f} s -> {d['wall_s']:.1f} s = {r:.2f}x", "met": r <= allowed})
    for n in sizes:
        up = _phase(by_size[n], "up")
        if up and up["floor_s"]:
            r = up["wall_s"] / up["floor_s"]
            out.append({"target": f"up within {UP_FLOOR_TARGET:g}x of the rate-limit floor at {n}",
                        "measured": f"{up['wall_s']:.1f} s / {up['floor_s']:.1f} s = {r:.2f}x", "met": r <= UP_FLOOR_TARGET})
    for n in sizes:
        refresh = _phase(by_size[n], "refresh")
        if refresh and refresh["floor_s"]:
            r = refresh["wall_s"] / refresh["floor_s"]
            out.append({"target": f"refresh within {REFRESH_FLOOR_TARGET:g}x of the rate-limit floor at {n}",
                        "measured": f"{refresh['wall_s']:.1f} s / {refresh['floor_s']:.1f} s = {r:.2f}x",
                        "met": r <= REFRESH_FLOOR_TARGET})
    for n in sizes:
        st = by_size[n].get("state")
        if st:
            for what, key in (("state file", "file_bytes_per_account"), ("export", "bytes_per_account")):
                out.append({"target": f"{what} at most {STATE_TARGET_BYTES / 1024:g} KB per account at {n}",
                            "measured": f"{st[key]:.0f} bytes", "met": st[key] <= STATE_TARGET_BYTES})
    if preview is not None:
        p = _phase(preview, "preview")
        if p:
            out.append({"target": f"no-op preview of {preview_at} accounts in at most {PREVIEW_TARGET_S:g} s, no cloud call",
                        "measured": f"{p['wall_s']:.1f} s, {p['calls_total']} calls",
                        "met": p["wall_s"] <= PREVIEW_TARGET_S and p["calls_total"] == 0})
        else:
            out.append({"target": f"no-op preview of {preview_at} accounts", "measured": "FAILED", "met": False})
    return out


def main(argv: list[str] | None = None) -> int:
    args, rest = parse_args(argv)
    base = run.parse_args(rest + ["--skip-baseline", "--skip-workers", "--skip-extras", "--skip-reference",
                                  "--skip-startup", "--modes", "default"])
    base.keep = args.keep
    started = time.time()
    engine_bin = run.engine_bin_dir()
    version, default_parallel = run.pulumi_version(engine_bin)
    results: dict[str, Any] = {
        "meta": {"command": "python -m bench.growth " + " ".join(argv if argv is not None else sys.argv[1:]),
                 "started": datetime.now().isoformat(timespec="seconds"), "sizes": args.sizes,
                 "clusters_per_type": base.clusters, "machine": run.machine(), "pulumi_version": version,
                 "engine_default_parallel": default_parallel,
                 "latency": f"{base.latency_ms:g} ms +/- {base.jitter_ms:g} ms",
                 "behaviour": f"{getattr(base, 'behaviour', 'instant')} (scale {getattr(base, 'behaviour_scale', 1):g})"},
        "sizes": {}}
    print(f"bench.growth: sizes {args.sizes}, {base.clusters} clusters per type; Pulumi {version}; "
          f"{results['meta']['machine']['summary']}; cloud behaviour {results['meta']['behaviour']}", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="provisioner-growth-"))
    by_size: dict[int, dict[str, Any]] = {}
    preview = None
    try:
        for n in args.sizes:
            w = workload.generate(n, base.clusters, base.order)
            by_size[n] = run.run_variant(f"ours-{n}", "ours", "as shipped, engine defaults", w, list(run.ALL_PHASES),
                                         engine_bin, tmp, base, {}, launcher=False, parallel=None)
        if args.preview_at:
            w = workload.generate(args.preview_at, base.clusters, base.order)
            preview = run.run_variant(f"preview-{args.preview_at}", "no-op preview",
                                      "its up (setup, not measured) with PULUMI_SKIP_CHECKPOINTS=true", w, ["preview"],
                                      engine_bin, tmp, base, {"PULUMI_SKIP_CHECKPOINTS": "true"},
                                      launcher=False, parallel=None)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    results["sizes"] = {str(n): v for n, v in by_size.items()}
    results["preview_at"] = preview
    results["targets"] = targets(args.sizes, by_size, preview, args.preview_at)
    results["meta"]["total_wall_s"] = round(time.time() - started, 1)
    text = render(results, args.sizes, by_size, preview, args.preview_at)
    results["report"] = text
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for name in (f"growth-{stamp}.json", "growth-latest.json"):
        (args.out / name).write_text(json.dumps(results, indent=1))
    print("\n" + text)
    print(f"\nresults: {args.out / ('growth-' + stamp + '.json')}; total {results['meta']['total_wall_s']} s")
    variants = list(by_size.values()) + ([preview] if preview else [])
    failed = [c for v in variants for c in v["checks"] if not c["ok"]]
    errors = [p for v in variants for p in v["phases"].values() if p.get("error")]
    return 1 if failed or errors else 0


def render(results: dict[str, Any], sizes: list[int], by_size: dict[int, dict[str, Any]],
           preview: dict[str, Any] | None, preview_at: int) -> str:
    meta = results["meta"]
    out = [f"sizes {sizes}, {meta['clusters_per_type']} clusters per type, interleaved; latency {meta['latency']}; "
           f"cloud behaviour {meta['behaviour']}; engine defaults (--parallel {meta['engine_default_parallel']})",
           f"machine: {meta['machine']['summary']}; Pulumi {meta['pulumi_version']}",
           "\n## growth (ratios between consecutive sizes)", growth_table(sizes, by_size),
           "\n## per phase", detail_table(sizes, by_size)]
    rows = []
    for n in sizes:
        st = by_size[n].get("state")
        if st:
            rows.append([n, st["file_bytes_per_account"], st["bytes_per_account"], st["mean_resource_bytes_compact"],
                         ", ".join(f"{k} {v}" for k, v in list(st["mean_bytes_by_field_compact"].items())[:6])])
    if rows:
        out += ["\n## state after up (bytes per account)",
                table(["accounts", "state file", "export (indented)", "resource (compact)", "largest fields"], rows)]
    rows = []
    for n in sizes:
        accounts = workload.generate(n).count("libradb")
        for phase, action in (("up", "CreateLibraDBClusterAccounts"), ("destroy", "DeleteLibraDBClusterAccounts")):
            c = _phase(by_size[n], phase)
            if c:
                calls = (c["calls_by_action"].get(f"libradb:{action}") or {}).get("total", 0)
                rows.append([n, phase, accounts, action, calls, f"{accounts / calls:.2f}" if calls else "-"])
    if rows:
        out += ["\n## LibraDB coalescing (accounts per batch call)",
                table(["accounts", "phase", "LibraDB accounts", "call", "calls", "accounts per call"], rows)]
    if preview is not None:
        p = _phase(preview, "preview")
        out.append(f"\n## no-op preview at {preview_at} accounts: " +
                   (f"{p['wall_s']:.2f} s, {p['calls_total']} cloud calls, engine CPU {p['engine_cpu_s']:.2f} s, "
                    f"provider CPU {p['provider_cpu_s']:.2f} s, program CPU {p['program_cpu_s']:.2f} s" if p else "FAILED"))
    out += ["\n## targets", table(["target", "measured", "met"],
                                  [[t["target"], t["measured"], "yes" if t["met"] else "NO"] for t in results["targets"]])]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
