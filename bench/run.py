"""`python -m bench.run` (what `make bench` runs): the provisioner through the real Pulumi engine
against the local cloud, phase by phase, with a naive baseline and a provider-worker variant
side by side. See docs/benchmarks.md.

Variants (each gets a fresh local cloud, project, file backend and stack), run in each engine
mode (engine defaults; PULUMI_SKIP_CHECKPOINTS=true):
  ours       the product as shipped: default knobs, the official plugin script
  naive      no cache at all (PROVISIONER_CLOUD_LIST_TTL=-1: every read makes its own call), one
             account per LibraDB create and delete call (PROVISIONER_LIBRADB_BATCH_MAX=1); the
             official plugin script
  workers*   ours, with the provider server's worker threads at --workers (bench launcher: the
             pool is replaced before the server starts; launcher.py says how it relates to
             the product's PROVISIONER_PROVIDER_WORKERS), at the engine's default --parallel and
             at --parallel = workers
In the last mode only: ours with a 60 s list TTL, ours with the accounts declared cluster by
cluster, and a reference run on a cloud with no latency and no rate limits.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench import floors, report, startup, workload
from bench.cloud import RATE_LIMITS, CloudProcess, faults_plan
from bench.engine import LAUNCHER, REPO, PhaseError, Project, shim_bin_dir, state_breakdown

ALL_PHASES = ("up", "preview", "refresh", "update", "destroy")
RESULTS = Path(__file__).resolve().parent / "results"


def engine_bin_dir() -> Path:
    env = os.environ.get("PULUMI_BIN_DIR")
    if env:
        return Path(env)
    out = subprocess.run(["bash", str(REPO / "scripts/ensure-pulumi.sh")], check=True,
                         capture_output=True, text=True).stdout
    return Path(out.strip().splitlines()[-1])


def machine() -> dict[str, Any]:
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    cpus = len(os.sched_getaffinity(0))
    info = {"nproc": cpus, "cpu_model": model, "mem_gib": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "kernel": platform.release(), "platform": platform.platform()}
    info["summary"] = f"{cpus} CPUs ({model}), {info['mem_gib']} GiB RAM, Python {info['python']}, Linux {info['kernel']}"
    return info


def pulumi_version(bin_dir: Path) -> tuple[str, int | None]:
    version = subprocess.run([str(bin_dir / "pulumi"), "version"], capture_output=True, text=True).stdout.strip()
    help_text = subprocess.run([str(bin_dir / "pulumi"), "up", "--help"], capture_output=True, text=True).stdout
    m = re.search(r"--parallel int32 .*\(default (\d+)\)", help_text)
    return version, int(m.group(1)) if m else None


# --- one variant ---------------------------------------------------------------------------------

def waits(log: Path) -> dict[str, float]:
    """Seconds the provider spent waiting on the cloud (busy, not ready, a change settling), per
    product, from its PROVISIONER_WAIT_LOG (one line per pause, "... pause_s=<seconds>")."""
    out: dict[str, float] = {}
    if log.exists():
        for line in log.read_text().splitlines():
            m = re.search(r"^\S+ \S+ \d+ (?:cloud call )?(\w+)\S* .* pause_s=([\d.]+)$", line)
            if m:
                out[m.group(1)] = out.get(m.group(1), 0.0) + float(m.group(2))
    return {k: round(v, 2) for k, v in sorted(out.items())}


def phase_record(res, counters: dict[str, Any], inherent: dict[str, int], limits: dict[str, float],
                 expect_launcher: bool, waited: dict[str, float] | None = None) -> dict[str, Any]:
    ok = floors.ok_calls(counters)
    floor, floor_action = floors.floor(inherent, limits)
    made, made_action = floors.floor(ok, limits)
    policy, policy_action = floors.policy_floor(ok)
    providers = [p for p in res.processes if p.role == "provider"]
    programs = [p for p in res.processes if p.role == "program"]
    engines = [p for p in res.processes if p.role in ("engine", "langhost")]
    plugin_ok = all((str(LAUNCHER) in p.cmdline) == expect_launcher for p in providers)
    return {
        "wall_s": round(res.wall_s, 2),
        "returncode": res.returncode,
        "calls_total": sum(floors.all_calls(counters).values()),
        "calls_by_action": counters.get("calls", {}),
        "throttled": floors.throttled(counters),
        "injected_latency_s": round(((counters.get("latency") or {}).get("total_ms") or 0) / 1000, 2),
        "inherent_calls": inherent,
        "floor_s": round(floor, 2), "floor_action": floor_action,
        "floor_made_s": round(made, 2), "floor_made_action": made_action,
        "policy_floor_s": round(policy, 2), "policy_floor_action": policy_action,
        "wall_over_floor": round(res.wall_s / floor, 2) if floor else None,
        # Summed over the provider's threads: with N calls waiting at once it can exceed wall_s.
        "wait_s": round(sum((waited or {}).values()), 2),
        "wait_by_product": waited or {},
        "provider_processes": len(providers),
        "provider_peak_mb": round(max((p.hwm_kb for p in providers), default=0) / 1024, 1),
        "provider_cpu_s": round(sum(p.cpu_s for p in providers), 2),
        "provider_threads_max": max((p.threads for p in providers), default=0),
        "program_peak_mb": round(max((p.hwm_kb for p in programs), default=0) / 1024, 1),
        "program_cpu_s": round(sum(p.cpu_s for p in programs), 2),
        "engine_peak_mb": round(max((p.hwm_kb for p in engines if p.role == "engine"), default=0) / 1024, 1),
        "engine_cpu_s": round(sum(p.cpu_s for p in engines), 2),
        "cpu_s": round(res.cpu_s, 2),
        "provider_cmdlines": sorted({p.cmdline for p in providers}),
        "plugin_as_expected": plugin_ok,
        "engine_summary": res.summary(),
    }


def run_variant(key: str, label: str, description: str, w: workload.Workload, phases: list[str],
                engine_bin: Path, tmp: Path, args: argparse.Namespace, env: dict[str, str],
                launcher: bool, parallel: int | None, rate_limits: dict[str, Any] | None = None) -> dict[str, Any]:
    root = tmp / key.replace("/", "-")
    root.mkdir()
    changed_accounts, changed = workload.change_tenth(w.accounts)
    inherent = {p: workload.inherent_calls(w, p, changed) for p in ALL_PHASES}
    v: dict[str, Any] = {"label": label, "description": description, "accounts": w.n, "env": env,
                         "launcher": launcher, "parallel": parallel, "phases": {}, "checks": []}
    print(f"\n== {label}: {description} (N={w.n})", flush=True)
    plan = faults_plan(args.latency_ms, args.jitter_ms)
    if rate_limits is not None:
        plan["rate_limits"] = rate_limits
    cloud = CloudProcess(root / "cloud", w.seed, plan, behaviour=args.behaviour, behaviour_scale=args.behaviour_scale)
    try:
        bin_dir = shim_bin_dir(engine_bin, root / "bin") if launcher else engine_bin
        proj = Project(root, bin_dir, cloud.url, env, parallel)
        proj.declare(w.accounts)
        # The floor always uses the documented limits, even on the reference cloud without them.
        limits = floors.parse_limits(RATE_LIMITS if rate_limits is not None else
                                     (cloud.admin.faults().get("rate_limits") or {}))
        v["rate_limits"] = limits
        todo = ["up"] + [p for p in ALL_PHASES[1:] if p in phases]
        for phase in todo:
            if phase == "update":
                proj.declare(changed_accounts)
            cloud.reset_counters()
            wait_log = root / f"wait-{phase}.log"
            proj.env["PROVISIONER_WAIT_LOG"] = str(wait_log)
            runner = {"up": proj.up, "preview": proj.preview, "refresh": proj.refresh,
                      "update": proj.up, "destroy": proj.destroy}[phase]
            try:
                res = runner()
            except PhaseError as exc:
                print(f"   {phase}: FAILED\n{exc}", flush=True)
                v["phases"][phase] = {"error": str(exc)[-6000:]}
                break
            rec = phase_record(res, cloud.counters(), inherent[phase], limits, launcher, waits(wait_log))
            if phase in phases:
                v["phases"][phase] = rec
            else:
                v["setup_" + phase] = rec
            print(f"   {phase:8s} {rec['wall_s']:7.2f} s  calls {rec['calls_total']:5d}  throttled {rec['throttled']:3d}"
                  f"  waiting {rec['wait_s']:6.2f} s"
                  f"  floor {rec['floor_s']:5.2f} s  provider peak {rec['provider_peak_mb']} MB"
                  f"  {'' if phase in phases else '(setup, not reported)'}", flush=True)
            if not rec["plugin_as_expected"]:
                v["checks"].append({"check": f"{phase}: plugin", "ok": False, "detail": rec["provider_cmdlines"]})
            _verify(phase, v, w, cloud, changed_accounts, changed)
            if phase == "up":
                st = state_breakdown(proj.export())
                st["bytes_per_account"] = round(st["export_bytes"] / w.n, 1)
                st["file_bytes"] = proj.state_file_bytes()
                st["file_bytes_per_account"] = round(st["file_bytes"] / w.n, 1)
                v["state"] = st
    finally:
        cloud.stop()
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    bad = [c for c in v["checks"] if not c["ok"]]
    for c in bad:
        print(f"   CHECK FAILED: {c['check']}: {c.get('detail')}", flush=True)
    return v


def _verify(phase: str, v: dict[str, Any], w: workload.Workload, cloud: CloudProcess,
            changed_accounts: dict[str, Any], changed: list[str]) -> None:
    admin = cloud.admin
    if phase == "up":
        n = len(admin.accounts())
        v["checks"].append({"check": "up: every account exists in the cloud", "ok": n == w.n, "detail": n})
    elif phase == "update":
        explicit = [name for name in changed if "password" in changed_accounts[name]][:15]
        bad = []
        for name in explicit:
            spec = changed_accounts[name]
            product = spec["kind"]
            instance = spec.get("cluster_id") or spec.get("instance_id")
            host = spec.get("host", "%") if product == "libradb" else None
            if not admin.verify_password(product, instance, spec["name"], spec["password"], host=host):
                bad.append(name)
        v["checks"].append({"check": "update: rotated explicit passwords verified", "ok": not bad,
                            "detail": f"{len(explicit) - len(bad)}/{len(explicit)}"})
        descs = {(a["product"], a["name"]): a["description"] for a in admin.accounts()}
        wrong = [n for n in changed if descs.get((changed_accounts[n]["kind"], changed_accounts[n]["name"]))
                 != changed_accounts[n]["description"]]
        v["checks"].append({"check": "update: descriptions changed", "ok": not wrong,
                            "detail": f"{len(changed) - len(wrong)}/{len(changed)}"})
    elif phase == "destroy":
        n = len(admin.accounts())
        v["checks"].append({"check": "destroy: no account left", "ok": n == 0, "detail": n})


# --- targets ----------------------------------------------------------------------------------------

def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    groups = results.get("groups") or []
    if not groups or not groups[0].get("ours"):
        return []
    ours = results["variants"][groups[0]["ours"]]
    out = []
    p = ours["phases"]
    for group in groups:
        for key in [group.get("ours")] + list(group.get("workers") or []):
            up = (results["variants"].get(key) or {}).get("phases", {}).get("up") if key else None
            if up and not up.get("error") and up.get("wall_over_floor"):
                v = results["variants"][key]
                r = up["wall_over_floor"]
                out.append({"target": f"up within 1.25x of the rate-limit floor ({v['label']}, {group['label']})",
                            "measured": f"{up['wall_s']:.1f} s / {up['floor_s']:.1f} s = {r:.2f}x", "met": r <= 1.25})
    if "preview" in p and not p["preview"].get("error"):
        n = p["preview"]["calls_total"]
        out.append({"target": "no-op preview makes no cloud call", "measured": f"{n} calls", "met": n == 0})
    if "refresh" in p and not p["refresh"].get("error"):
        calls = p["refresh"]["calls_by_action"]
        inh = p["refresh"]["inherent_calls"]
        lists = {k: (calls.get(k) or {}).get("total", 0) for k in
                 ("libradb:DescribeLibraDBClusterAccounts", "rds:DescribeAccounts", "polardb:DescribeAccounts")}
        pages = sum(inh.get(k, 0) for k in lists)
        per_account = (calls.get("libradb:DescribeLibraDBClusterAccountAllPrivileges") or {}).get("total", 0)
        out.append({"target": "refresh: at most one list Describe per cluster and page",
                    "measured": f"{sum(lists.values())} list calls for {pages} cluster-pages "
                                f"({', '.join(k.split(':')[0] + ' ' + str(v) for k, v in lists.items())})",
                    "met": sum(lists.values()) <= pages})
        out.append({"target": "refresh: no Describe per account",
                    "measured": f"{per_account} LibraDB privilege Describes (one per LibraDB account)",
                    "met": per_account == 0})
    st = ours.get("state")
    if st:
        out.append({"target": "state at most 2 KB per account", "measured": f"{st['bytes_per_account']:.0f} bytes",
                    "met": st["bytes_per_account"] <= 2048})
    s = results.get("startup")
    if s:
        out.append({"target": "provider start-up at most 0.5 s (exec -> port line)",
                    "measured": f"{s['to_port_s']:.3f} s (first answer after imports {s['to_first_answer_s']:.3f} s)",
                    "met": s["to_port_s"] <= 0.5})
    return out


# --- main -------------------------------------------------------------------------------------------

MODES = {
    # key: (label, engine environment)
    "default": ("engine defaults", {}),
    "nockpt": ("engine with PULUMI_SKIP_CHECKPOINTS=true", {"PULUMI_SKIP_CHECKPOINTS": "true"}),
}
NAIVE_ENV = {"PROVISIONER_CLOUD_LIST_TTL": "-1", "PROVISIONER_LIBRADB_BATCH_MAX": "1"}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--accounts", type=int, default=300, help="accounts in the stack (split evenly over the 3 types)")
    p.add_argument("--clusters", type=int, default=10, help="clusters/instances per account type")
    p.add_argument("--baseline-accounts", type=int, default=None, help="accounts for the naive baseline (default: --accounts)")
    p.add_argument("--skip-baseline", action="store_true")
    p.add_argument("--skip-workers", action="store_true", help="skip the provider-worker variants")
    p.add_argument("--workers", type=int, default=16, help="worker threads for the worker variants")
    p.add_argument("--worker-phases", default="up,refresh", help="phases of the worker variants")
    p.add_argument("--phases", default=",".join(ALL_PHASES), help="comma list of " + ",".join(ALL_PHASES))
    p.add_argument("--modes", default="default,nockpt",
                   help="engine modes to run every variant in: default (engine defaults) and/or nockpt "
                        "(PULUMI_SKIP_CHECKPOINTS=true: no state write after every step)")
    p.add_argument("--skip-extras", action="store_true",
                   help="skip the list-TTL and declaration-order variants (run in the last mode)")
    p.add_argument("--skip-reference", action="store_true",
                   help="skip the reference run on a cloud with no latency and no rate limits")
    p.add_argument("--order", choices=("interleaved", "grouped"), default="interleaved")
    p.add_argument("--latency-ms", type=float, default=50.0)
    p.add_argument("--behaviour", choices=("realistic", "instant"), default="realistic",
                   help="the local cloud's timing model (default realistic, as the real clouds)")
    p.add_argument("--behaviour-scale", type=float, default=1.0, help="multiply the realistic delays")
    p.add_argument("--jitter-ms", type=float, default=20.0)
    p.add_argument("--startup-repeat", type=int, default=5)
    p.add_argument("--skip-startup", action="store_true")
    p.add_argument("--keep", action="store_true", help="keep the temporary projects, states and cloud logs")
    p.add_argument("--out", type=Path, default=RESULTS)
    args = p.parse_args(argv)
    args.phases = [x.strip() for x in args.phases.split(",") if x.strip()]
    args.worker_phases = [x.strip() for x in args.worker_phases.split(",") if x.strip()]
    args.modes = [x.strip() for x in args.modes.split(",") if x.strip()]
    for ph in args.phases + args.worker_phases:
        if ph not in ALL_PHASES:
            p.error(f"unknown phase {ph!r}")
    for m in args.modes:
        if m not in MODES:
            p.error(f"unknown mode {m!r}; expected one of {', '.join(MODES)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.time()
    engine_bin = engine_bin_dir()
    version, default_parallel = pulumi_version(engine_bin)
    w = workload.generate(args.accounts, args.clusters, args.order)
    counts = {t: w.count(t) for t in workload.TYPES}
    results: dict[str, Any] = {
        "meta": {
            "command": "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:]),
            "started": datetime.now().isoformat(timespec="seconds"),
            "accounts": w.n, "accounts_per_type": ", ".join(f"{t} {n}" for t, n in counts.items()),
            "clusters_per_type": args.clusters, "order": args.order,
            "latency": f"{args.latency_ms:g} ms +/- {args.jitter_ms:g} ms (uniform) on every action",
            "behaviour": f"{args.behaviour} (scale {args.behaviour_scale:g})",
            "rate_limits": RATE_LIMITS, "machine": machine(), "pulumi_version": version,
            "engine_default_parallel": default_parallel, "engine_bin": str(engine_bin),
            "modes": {m: MODES[m][0] for m in args.modes},
        },
        "variants": {}, "groups": [],
        "inherent_calls": {p: workload.inherent_calls(w, p, workload.change_tenth(w.accounts)[1]) for p in ALL_PHASES},
    }
    print(f"bench: {w.n} accounts ({results['meta']['accounts_per_type']}) over {args.clusters} clusters per type; "
          f"Pulumi {version} (default --parallel {default_parallel}); {results['meta']['machine']['summary']}", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="provisioner-bench-"))
    variants = results["variants"]
    try:
        if not args.skip_startup:
            print("\n== provider start-up", flush=True)
            results["startup"] = startup.measure(engine_bin, args.startup_repeat)
            print(f"   exec -> port {results['startup']['to_port_s']:.3f} s; "
                  f"+ resource imports {results['startup']['to_first_answer_s']:.3f} s", flush=True)
        for mode in args.modes:
            mode_label, mode_env = MODES[mode]
            group: dict[str, Any] = {"mode": mode, "label": mode_label, "ours": None, "baseline": None, "workers": []}
            results["groups"].append(group)
            key = f"{mode}/ours"
            variants[key] = run_variant(
                key, "ours", f"default knobs, official plugin script (the product's 16 provider workers); {mode_label}",
                w, args.phases, engine_bin, tmp, args, dict(mode_env), launcher=False, parallel=None)
            group["ours"] = key
            if not args.skip_baseline:
                bw = w if not args.baseline_accounts or args.baseline_accounts == w.n else \
                    workload.generate(args.baseline_accounts, args.clusters, args.order)
                key = f"{mode}/naive"
                variants[key] = run_variant(
                    key, "naive", "one Describe per read (list TTL -1: no cache at all), "
                    f"one account per LibraDB create and delete call; {mode_label}", bw, args.phases, engine_bin,
                    tmp, args, {**mode_env, **NAIVE_ENV}, launcher=False, parallel=None)
                group["baseline"] = key
            if not args.skip_workers:
                env = {**mode_env, "PROVISIONER_PROVIDER_WORKERS": str(args.workers)}
                key = f"{mode}/workers{args.workers}"
                variants[key] = run_variant(
                    key, f"{args.workers} workers", f"ours with {args.workers} provider worker threads, engine "
                    f"default --parallel ({default_parallel}); {mode_label}", w, args.worker_phases, engine_bin,
                    tmp, args, env, launcher=True, parallel=None)
                group["workers"].append(key)
                if default_parallel is None or args.workers > default_parallel:
                    key = f"{mode}/workers{args.workers}-p{args.workers}"
                    variants[key] = run_variant(
                        key, f"{args.workers} workers, --parallel {args.workers}",
                        f"ours with {args.workers} provider worker threads and --parallel {args.workers}; "
                        f"{mode_label}", w, args.worker_phases, engine_bin, tmp, args, env, launcher=True,
                        parallel=args.workers)
                    group["workers"].append(key)
        if not args.skip_extras and results["groups"]:
            group = results["groups"][-1]
            mode = group["mode"]
            mode_env = MODES[mode][1]
            extras = [("ttl60", "list TTL 60 s", "ours with PROVISIONER_CLOUD_LIST_TTL=60 (instance and account-list "
                       "cache kept for the whole operation)", w, {**mode_env, "PROVISIONER_CLOUD_LIST_TTL": "60"})]
            if args.order != "grouped":
                extras.append(("grouped", "grouped order", "ours with the accounts declared cluster by cluster "
                               "(creates for one cluster arrive together)",
                               workload.generate(args.accounts, args.clusters, "grouped"), dict(mode_env)))
            group["extras"] = []
            for name, label, description, wl, env in extras:
                key = f"{mode}/{name}"
                variants[key] = run_variant(key, label, f"{description}; {MODES[mode][0]}", wl, args.worker_phases,
                                            engine_bin, tmp, args, env, launcher=False, parallel=None)
                group["extras"].append(key)
        if not args.skip_reference:
            mode = args.modes[-1]
            key = f"{mode}/reference"
            ref_args = argparse.Namespace(**{**vars(args), "latency_ms": 0.0, "jitter_ms": 0.0})
            variants[key] = run_variant(
                key, "no latency, no limits", f"ours on a cloud with no latency and no rate limits, "
                f"{args.workers} workers, --parallel {args.workers}; {MODES[mode][0]}: the engine + provider "
                f"CPU floor of this machine", w, args.worker_phases, engine_bin, tmp, ref_args,
                {**MODES[mode][1], "PROVISIONER_PROVIDER_WORKERS": str(args.workers)}, launcher=True,
                parallel=args.workers, rate_limits={})
            results["reference"] = key
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"\nkept: {tmp}")
    results["targets"] = targets(results)
    results["meta"]["total_wall_s"] = round(time.time() - started, 1)
    text = report.render(results)
    results["report"] = text
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for name in (f"{stamp}.json", "latest.json"):
        (args.out / name).write_text(json.dumps(results, indent=1))
    print("\n" + text)
    print(f"\nresults: {args.out / (stamp + '.json')} (and latest.json); total {results['meta']['total_wall_s']} s")
    failed = [c for v in variants.values() for c in v["checks"] if not c["ok"]]
    errors = [ph for v in variants.values() for ph in v["phases"].values() if ph.get("error")]
    return 1 if failed or errors else 0


if __name__ == "__main__":
    sys.exit(main())
