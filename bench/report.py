"""Plain-text tables from a results dict (run.py); the same text goes to stdout and docs."""

from __future__ import annotations

from typing import Any, Iterable, Sequence

PHASES = ("up", "preview", "refresh", "update", "destroy")


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    rows = [[_fmt(c) for c in r] for r in rows]
    cols = [list(header)] + rows
    widths = [max(len(str(r[i])) for r in cols) for i in range(len(header))]

    def line(r: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                                 for i, (c, w) in enumerate(zip(r, widths))) + " |"
    sep = "|" + "|".join("-" * (w + 2) if i == 0 else "-" * (w + 1) + ":" for i, w in enumerate(widths)) + "|"
    return "\n".join([line(header), sep] + [line(r) for r in rows])


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        if v == 0:
            return "0"
        return f"{v:.2f}" if abs(v) < 100 else f"{v:.0f}"
    return str(v)


def _ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "-"
    return f"{a / b:.2f}x"


def variant_table(v: dict[str, Any]) -> str:
    rows = []
    for phase in PHASES:
        p = v["phases"].get(phase)
        if not p:
            continue
        if p.get("error"):
            rows.append([phase, "FAILED"] + [""] * 11)
            continue
        rows.append([phase, p["wall_s"], p.get("wait_s"), p["calls_total"], p["throttled"], p["floor_s"],
                     _ratio(p["wall_s"], p["floor_s"]), p["floor_made_s"], p["policy_floor_s"],
                     p.get("engine_cpu_s"), p["provider_cpu_s"], p.get("program_cpu_s"), p["provider_peak_mb"]])
    return table(["phase", "wall s", "waiting s (all threads)", "cloud calls", "throttled", "floor s", "wall/floor",
                  "floor s (calls made)", "policy floor s", "CPU s engine", "CPU s provider", "CPU s program",
                  "provider peak MB"], rows)


def side_by_side(ours: dict[str, Any], base: dict[str, Any]) -> str:
    rows = []
    for phase in PHASES:
        a, b = ours["phases"].get(phase), base["phases"].get(phase)
        if not a or not b or a.get("error") or b.get("error"):
            continue
        rows.append([phase, a["wall_s"], b["wall_s"], _ratio(b["wall_s"], a["wall_s"]),
                     a["calls_total"], b["calls_total"], _ratio(b["calls_total"] or None, a["calls_total"] or None),
                     _ratio(a["wall_s"], a["floor_s"]), _ratio(b["wall_s"], b["floor_s"])])
    return table(["phase", "ours wall s", "naive wall s", "gain (time)", "ours calls", "naive calls",
                  "gain (calls)", "ours wall/floor", "naive wall/floor"], rows)


def workers_table(variants: list[dict[str, Any]]) -> str:
    ref = variants[0]
    header = ["phase"] + [f"{v['label']} wall s" for v in variants] + \
             [f"gain {v['label']}" for v in variants[1:]] + [f"{v['label']} wall/floor" for v in variants] + \
             ["provider threads (max)"]
    rows = []
    for phase in PHASES:
        cells = [v["phases"].get(phase) for v in variants]
        if any(c is None or c.get("error") for c in cells):
            continue
        row: list[Any] = [phase] + [c["wall_s"] for c in cells]
        row += [_ratio(ref["phases"][phase]["wall_s"], c["wall_s"]) for c in cells[1:]]
        row += [_ratio(c["wall_s"], c["floor_s"]) for c in cells]
        row.append(" / ".join(str(c.get("provider_threads_max", "-")) for c in cells))
        rows.append(row)
    return table(header, rows)


def _calls(p: dict[str, Any], *keys: str) -> int:
    return sum(((p.get("calls_by_action") or {}).get(k) or {}).get("total", 0) for k in keys)


INSTANCE_DESCRIBES = ("libradb:DescribeLibraDBClusters", "rds:DescribeDBInstanceAttribute",
                      "polardb:DescribeDBClusterAttribute", "polardb:DescribeDBClusterEndpoints")
LIST_DESCRIBES = ("libradb:DescribeLibraDBClusterAccounts", "rds:DescribeAccounts", "polardb:DescribeAccounts")


def extras_table(variants: list[dict[str, Any]]) -> str:
    rows = []
    for v in variants:
        up, rf = v["phases"].get("up") or {}, v["phases"].get("refresh") or {}
        rows.append([v["label"], up.get("wall_s"), up.get("calls_total"),
                     _calls(up, "libradb:CreateLibraDBClusterAccounts") if up else None,
                     _calls(up, *INSTANCE_DESCRIBES) if up else None,
                     rf.get("wall_s"), rf.get("calls_total"), _calls(rf, *LIST_DESCRIBES) if rf else None])
    return table(["variant", "up wall s", "up calls", "LibraDB create calls", "instance Describes",
                  "refresh wall s", "refresh calls", "list Describes"], rows)


def calls_table(phase: str, variants: list[dict[str, Any]], inherent: dict[str, int]) -> str:
    keys: set[str] = set(inherent)
    for v in variants:
        p = v["phases"].get(phase) or {}
        keys.update((p.get("calls_by_action") or {}).keys())
    rows = []
    for key in sorted(keys):
        row: list[Any] = [key]
        for v in variants:
            p = v["phases"].get(phase)
            if not p or p.get("error"):
                row.append("-")   # this variant did not run (or finish) the phase
                continue
            c = (p.get("calls_by_action") or {}).get(key) or {}
            ok, total = c.get("OK", 0), c.get("total", 0)
            row.append(f"{total}" if ok == total else f"{total} ({total - ok} refused)")
        row.append(inherent.get(key, "-"))
        rows.append(row)
    return table(["action"] + [v["label"] for v in variants] + ["inherent"], rows)


def render(results: dict[str, Any]) -> str:
    out = []
    meta = results["meta"]
    out.append(f"accounts: {meta['accounts']} ({meta['accounts_per_type']}), clusters per type: "
               f"{meta['clusters_per_type']}, order: {meta['order']}; latency {meta['latency']}; "
               f"rate limits {meta['rate_limits']}; behaviour {meta.get('behaviour', 'instant (before issue 11)')}")
    out.append(f"machine: {meta['machine']['summary']}; Pulumi {meta['pulumi_version']}; engine default --parallel "
               f"{meta['engine_default_parallel']}")
    variants = results["variants"]
    shown: list[dict[str, Any]] = []
    for group in results.get("groups", []):
        out.append(f"\n# {group['label']}")
        ours = variants.get(group["ours"]) if group.get("ours") else None
        base = variants.get(group["baseline"]) if group.get("baseline") else None
        for v in (ours, base):
            if v is None:
                continue
            out.append(f"\n## {v['label']}: {v['description']}  (N={v['accounts']})")
            out.append(variant_table(v))
            st = v.get("state")
            if st:
                out.append(f"state: {st['bytes_per_account']:.0f} bytes per account "
                           f"(export {st['export_bytes']} bytes; mean resource {st['mean_resource_bytes_compact']:.0f} "
                           f"bytes compact, of which __provider {st['mean_provider_field_bytes_compact']:.0f})")
                fields = st.get("mean_bytes_by_field_compact") or {}
                if fields:
                    out.append("  mean compact bytes per account resource by field: " +
                               ", ".join(f"{k} {v}" for k, v in list(fields.items())[:8]))
        if ours and base:
            out.append(f"\n## ours vs naive baseline ({group['label']})")
            out.append(side_by_side(ours, base))
        workers = [variants[k] for k in group.get("workers", []) if k in variants]
        if ours and workers:
            out.append(f"\n## provider worker threads ({group['label']})")
            out.append(workers_table([ours] + workers))
        extras = [variants[k] for k in group.get("extras", []) if k in variants]
        if ours and extras:
            out.append(f"\n## cache lifetime and declaration order ({group['label']})")
            out.append(extras_table([ours] + extras))
        if not shown:
            shown = [v for v in (ours, base) if v] + workers
    ref = variants.get(results.get("reference") or "")
    if ref:
        out.append(f"\n## reference: {ref['description']}")
        out.append(variant_table(ref))
    for phase in PHASES:
        if phase == "preview" and all(not (v["phases"].get(phase) or {}).get("calls_total") for v in shown):
            out.append("\n### cloud calls by action: preview\nnone, in every variant")
            continue
        if any(phase in v["phases"] for v in shown):
            out.append(f"\n### cloud calls by action: {phase} ({results['groups'][0]['label']})")
            out.append(calls_table(phase, shown, results["inherent_calls"].get(phase, {})))
    s = results.get("startup")
    if s:
        out.append("\n## provider start-up (median of fresh processes)")
        rows = [["exec -> port line (plugin script, as the engine runs it)", s["provider_to_port_plugin_script"]["median_s"]],
                ["exec -> port line (python -u -m pulumi.dynamic)", s["provider_to_port_direct"]["median_s"]],
                ["python -c pass", s["python_bare_start"]["median_s"]]]
        rows += [[k, v["median_s"]] for k, v in s["imports"].items()]
        rows += [["=> port line + resource imports (first answer)", s["to_first_answer_s"]],
                 ["=> ... + SDK imports (first cloud call)", s["to_first_cloud_call_s"]]]
        out.append(table(["step", "seconds"], [[r[0], f"{r[1]:.3f}"] for r in rows]))
    t = results.get("targets")
    if t:
        out.append("\n## targets")
        out.append(table(["target", "measured", "met"], [[x["target"], x["measured"], "yes" if x["met"] else "NO"]
                                                         for x in t]))
    return "\n".join(out)
