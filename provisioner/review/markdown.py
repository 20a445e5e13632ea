"""The pull-request comment: a summary line, then one table per product, values folded.

A comment on GitHub holds at most 65,536 characters. A large preview first loses the folded
values, then its tables are folded and cut, most consequential rows (delete, replace) kept
first, with a count of what was left out. No cell ever holds a password: a password change
shows as the field name `password`.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from provisioner.products import REGISTRY
from provisioner.review.changes import PRODUCT_TITLES, UNKNOWN, Change, Preview

COMMENT_LIMIT = 65_536        # GitHub's limit for a comment body, in characters
FOLD_TABLES_FROM = 40         # more changed rows than this: the tables start folded
CELL_LIMIT = 200              # a single value in a cell is cut beyond this
MAX_LISTED = 100              # policy violations / errors listed at most
ORDER = {"delete": 0, "replace": 1, "update": 2, "create": 3}
HEADINGS = {name: ("Account", product.instance_word.capitalize()) for name, product in REGISTRY.items()}
SUMMARY_OPS = (("create", "to create"), ("update", "to update"), ("replace", "to replace"),
               ("delete", "to delete"), ("import", "to import"), ("read", "to read"))


def render(preview: Preview, stack: str | None = None, limit: int = COMMENT_LIMIT) -> str:
    """The whole comment, at most `limit` characters."""
    for with_values in (True, False):
        text = _render(preview, stack, with_values=with_values, folded=len(preview.changes) > FOLD_TABLES_FROM)
        if len(text) <= limit:
            return text
    return _render_cut(preview, stack, limit)


def summary_line(preview: Preview) -> str:
    counts = preview.counts
    parts = [f"**{counts[op]} {label}**" for op, label in SUMMARY_OPS if counts.get(op)]
    deletes_first = sum(1 for c in preview.changes if c.delete_first)
    if deletes_first:
        parts.append(f"⚠️ {deletes_first} replace{'s' if deletes_first > 1 else ''} "
                     f"delete{'' if deletes_first > 1 else 's'} the old account first")
    same = counts.get("same", 0)
    if not parts:
        return f"No changes ({same} unchanged)."
    return " · ".join(parts) + (f" · {same} unchanged" if same else "")


def _header(preview: Preview, stack: str | None) -> list[str]:
    title = f"### `pulumi preview` of stack `{stack}`" if stack else "### `pulumi preview`"
    lines = [title, ""]
    if preview.failed:
        lines += ["❌ **The preview failed**: `pulumi up` would not run. The changes below are those "
                  "planned until it stopped.", ""]
    lines += [summary_line(preview), ""]
    if preview.violations:
        ranked = sorted(preview.violations, key=lambda v: (v.level != "mandatory", v.policy, v.resource))
        lines += [f"#### Policy violations: {_count_levels(ranked)}", "",
                  "| Rule | Level | Resource | What is wrong |", "|---|---|---|---|"]
        lines += [f"| {_code(v.policy)} | {'**mandatory**' if v.level == 'mandatory' else _code(v.level)} | "
                  f"{_code(v.resource) if v.resource else 'the stack'} | {_code(v.message)} |"
                  for v in ranked[:MAX_LISTED]]
        lines += _more(len(ranked)) + [""]
    if preview.errors:
        lines += ["#### Errors", ""] + [f"- {_code(e, table=False)}" for e in preview.errors[:MAX_LISTED]]
        lines += _more(len(preview.errors)) + [""]
    return lines


def _count_levels(violations: list) -> str:
    counts: dict[str, int] = {}
    for v in violations:
        counts[v.level] = counts.get(v.level, 0) + 1
    return ", ".join(f"{n} {level}" for level, n in sorted(counts.items(), key=lambda kv: kv[0] != "mandatory"))


def _more(total: int) -> list[str]:
    return ["", f"_… and {total - MAX_LISTED} more._"] if total > MAX_LISTED else []


def _groups(changes: Iterable[Change]) -> dict[str, list[Change]]:
    groups: dict[str, list[Change]] = {}
    for product in (*PRODUCT_TITLES, "other"):
        rows = sorted((c for c in changes if c.product == product),
                      key=lambda c: (ORDER.get(c.action, 4), c.instance, c.account))
        if rows:
            groups[product] = rows
    return groups


def _render(preview: Preview, stack: str | None, *, with_values: bool, folded: bool,
            shown: list[Change] | None = None) -> str:
    """`shown`: the rows that fit (default all); headings always count every change."""
    lines = _header(preview, stack)
    visible = _groups(preview.changes if shown is None else shown)
    for product, rows in _groups(preview.changes).items():
        lines += _table(product, rows, visible.get(product, []), folded=folded)
        if with_values:
            lines += _values(rows)
    return "\n".join(lines).rstrip() + "\n"


def _render_cut(preview: Preview, stack: str | None, limit: int) -> str:
    """Tables folded and cut to fit: rows by consequence, then the count of what is missing."""
    ranked = sorted(preview.changes, key=lambda c: ORDER.get(c.action, 4))
    note_room = 200
    kept: list[Change] = []
    base = len(_render(preview, stack, with_values=False, folded=True, shown=[]))   # header and headings
    used = base + note_room
    for change in ranked:
        cost = len(_row(change)) + 1
        if used + cost > limit - 400:   # room for one product's table heading
            break
        kept.append(change)
        used += cost
    text = _render(preview, stack, with_values=False, folded=True, shown=kept)
    left = len(preview.changes) - len(kept)
    if left:
        text += (f"\n_{left} more change{'s' if left > 1 else ''} not shown: the comment would exceed "
                 f"{limit:,} characters. The job log has the full summary._\n")
    return text[:limit]


def _table(product: str, rows: list[Change], shown: list[Change], *, folded: bool) -> list[str]:
    if product == "other":
        title, head = "Other resources", "| Resource | Type | Action | Why replace |\n|---|---|---|---|"
    else:
        account, instance = HEADINGS[product]
        title = PRODUCT_TITLES[product]
        head = (f"| {account} | {instance} | Action | Changed fields | Why replace |\n"
                f"|---|---|---|---|---|")
    heading = f"{title}: {_count_actions(rows)}"
    body = [head] + [_row(c) for c in shown]
    if folded:
        return [f"<details><summary><b>{heading}</b></summary>", "", *body, "", "</details>", ""]
    return [f"#### {heading}", "", *body, ""]


def _count_actions(rows: list[Change]) -> str:
    counts: dict[str, int] = {}
    for c in rows:
        counts[c.action] = counts.get(c.action, 0) + 1
    return ", ".join(f"{n} {a}" for a, n in sorted(counts.items(), key=lambda kv: ORDER.get(kv[0], 4)))


def _row(c: Change) -> str:
    if c.product == "other":
        return f"| {_code(c.resource)} | {_code(c.type_token)} | {_action(c)} | {', '.join(map(_code, c.replace_reasons))} |"
    who = _code(c.account) + (f" ({_code(c.resource)})" if c.resource != c.account else "")
    fields = ", ".join(f"`{f}`" for f in c.fields) or ("—" if c.action != "create" else "new account")
    reasons = ", ".join(f"`{r}` changed" for r in c.replace_reasons) if c.action == "replace" else ""
    return f"| {who} | {_code(c.instance)} | {_action(c)} | {fields} | {reasons} |"


def _action(c: Change) -> str:
    if c.action == "replace" and c.delete_first:
        return "**replace** ⚠️ delete before replace"
    if c.action in ("replace", "delete"):
        return f"**{c.action}**"
    return c.action


def _values(rows: list[Change]) -> list[str]:
    items = [c for c in rows if c.values]
    if not items:
        return []
    lines = [f"<details><summary>Values ({len(items)} account{'s' if len(items) > 1 else ''})</summary>", ""]
    for c in items:
        parts = []
        for name, old, new in c.values:
            if c.action == "create":
                parts.append(f"{name} {_value(new)}")
            else:
                parts.append(f"{name} {_value(old)} → {_value(new)}")
        lines.append(f"- {_code(c.account, table=False)} ({c.action}): " + "; ".join(parts))
    return lines + ["", "</details>", ""]


def _value(value: Any) -> str:
    if value == UNKNOWN:
        return "_(known after up)_"
    if value is None:
        return "_(not managed)_"
    text = value if isinstance(value, str) else json.dumps(_shown(value), sort_keys=True, ensure_ascii=False)
    return _code(text, table=False)


def _shown(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _shown(v) for k, v in value.items() if k != "password"}
    if isinstance(value, list):
        return [_shown(v) for v in value]
    return "(known after up)" if value == UNKNOWN else value


def _code(text: Any, *, table: bool = True) -> str:
    """User text as inline code: nothing in it renders (no HTML, links, mentions); a pipe is
    escaped inside a table (GFM splits cells before it reads code spans); long values are cut."""
    text = str(text).replace("`", "'").replace("\r", " ").replace("\n", " ")
    if len(text) > CELL_LIMIT:
        text = text[:CELL_LIMIT - 1] + "…"
    if table:
        text = text.replace("|", "\\|")
    return f"`{text}`"
