"""`pulumi preview --json` -> one Change per account step (and the policy violations).

Two inputs are read: the one JSON document of `pulumi preview --json`, and the stream of engine
events it prints with PULUMI_ENABLE_STREAMING_JSON_PREVIEW=1 — the only form that carries the
policy packs' violations (the document says just "preview failed").

The engine gives our dynamic resources no detailed diff (`detailedDiff: null`, no `diffs`:
the Python dynamic-provider server sends only changes/replaces/stables). So the changed
fields are derived here from the old outputs and the new inputs with the providers' own
diff (`plan_diff` + each provider's FieldPolicy) — the same comparison `diff` makes at
preview. Secrets arrive masked ("[secret]"); a password change is found from what is
visible (password_version, generated vs given) and, when an update shows no other changed
field, from the update itself: the provider reports an update only when a field or the
password changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from provisioner.core.diffing import plan_diff
from provisioner.products import REGISTRY, by_type_token

if TYPE_CHECKING:
    from provisioner.core.provider import AccountProvider

MASKED = "[secret]"   # how `preview --json` shows a secret
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"   # a value known only at `up`
PRODUCT_TITLES = {name: product.title for name, product in REGISTRY.items()}
# Steps that only accompany a "replace" step of the same resource in the JSON.
REPLACE_PARTS = ("create-replacement", "delete-replaced", "discard-replaced")


@dataclass
class Change:
    product: str                      # libradb / rds / polardb, or "other"
    resource: str                     # the Pulumi resource name
    account: str                      # name (LibraDB: name@host)
    instance: str                     # cluster or instance id ("old → new" when it moves)
    action: str                       # create, update, replace, delete, ...
    fields: list[str] = field(default_factory=list)            # what changes
    replace_reasons: list[str] = field(default_factory=list)
    delete_first: bool = False        # replacement deletes the old account before creating the new one
    values: list[tuple[str, Any, Any]] = field(default_factory=list)   # (field, old, new); never a password
    type_token: str = ""


@dataclass
class Violation:
    policy: str
    level: str                        # mandatory / advisory / remediate
    resource: str                     # the resource name ("" for the stack)
    message: str


@dataclass
class Preview:
    changes: list[Change]
    counts: dict[str, int]            # op -> number (the engine's changeSummary)
    violations: list[Violation] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)   # the engine's error diagnostics
    failed: bool = False


def load(text: str) -> dict[str, Any]:
    """The preview as one document: `--json`'s own, or one assembled from the event stream."""
    import json
    text = text.strip()
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if isinstance(document, dict) and "steps" in document:
        return document
    events = [json.loads(line) for line in text.splitlines() if line.strip()]
    steps, summary, violations, errors = [], {}, [], []
    for event in events:
        if "resourcePreEvent" in event:
            md = event["resourcePreEvent"].get("metadata") or {}
            steps.append({"op": md.get("op"), "urn": md.get("urn"), "oldState": md.get("old"),
                          "newState": md.get("new"), "replaceReasons": md.get("keys"),
                          "detailedDiff": md.get("detailedDiff")})
        elif "policyEvent" in event:
            violations.append(event["policyEvent"])
        elif "diagnosticEvent" in event and event["diagnosticEvent"].get("severity") == "error":
            errors.append(event["diagnosticEvent"])
        elif "summaryEvent" in event:
            summary = event["summaryEvent"]
    return {"steps": steps, "changeSummary": summary.get("resourceChanges") or {},
            "policyViolations": violations, "diagnostics": errors,
            "failed": summary.get("result") == "failed"}


@cache
def provider_for(type_token: str) -> AccountProvider | None:
    """The account provider of a type token (its product, field policy, instance field), or None."""
    product = by_type_token(type_token)
    return product.new_provider() if product else None


def _clean(props: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (props or {}).items() if not k.startswith("__")}


def parse(preview: dict[str, Any]) -> Preview:
    steps = preview.get("steps") or []
    replaced = {s.get("urn") for s in steps if s.get("op") == "replace"}
    changes = []
    for step in steps:
        op = step.get("op", "")
        if op == "same" or (op in REPLACE_PARTS and step.get("urn") in replaced):
            continue
        changes.append(_change(step, "replace" if op in REPLACE_PARTS else op))
    counts = dict(preview.get("changeSummary") or {})
    if not counts:
        for step in steps:
            counts[step.get("op", "")] = counts.get(step.get("op", ""), 0) + 1
    violations = [Violation(v.get("policyName", "?"), v.get("enforcementLevel", "?"),
                            (v.get("resourceUrn") or "").rsplit("::", 1)[-1], _violation(v.get("message", "")))
                  for v in preview.get("policyViolations") or []]
    diagnostics = [d for d in preview.get("diagnostics") or [] if d.get("severity") == "error"]
    errors = [" ".join(_lines(d.get("message", ""))) for d in diagnostics
              if d.get("urn") or "preview failed" not in d.get("message", "")]
    failed = bool(preview.get("failed")) or bool(diagnostics)
    return Preview(changes, counts, violations, errors, failed)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.strip().splitlines() if line.strip()]


def _violation(text: str) -> str:
    # A policy event is "<policy description>\n<violation...>": the violation says what is wrong.
    lines = _lines(text)
    return " ".join(lines[1:] or lines)


def _change(step: dict[str, Any], op: str) -> Change:
    old_state, new_state = step.get("oldState") or {}, step.get("newState") or {}
    type_token = new_state.get("type") or old_state.get("type") or ""
    urn = step.get("urn", "")
    resource = urn.rsplit("::", 1)[-1]
    provider = provider_for(type_token)
    if provider is None:
        return Change("other", resource, resource, type_token, op, type_token=type_token,
                      replace_reasons=list(step.get("replaceReasons") or []))
    olds = _clean(old_state.get("outputs") or old_state.get("inputs"))
    news = _clean(new_state.get("inputs"))
    current = news or olds
    change = Change(provider.product, resource, _account(provider, current),
                    _instance(provider, olds, news), op, type_token=type_token)
    if op in ("update", "replace") and olds and news:
        password_changed = _password_changed(provider, olds, news)
        plan = plan_diff(provider.policy, olds, news, password_changed=password_changed)
        fields = list(plan.changed)
        if op == "update" and not fields:
            fields = ["password"]   # the only field the masked JSON cannot show
        change.fields = fields
        change.replace_reasons = plan.replaces or list(step.get("replaceReasons") or [])
        change.delete_first = op == "replace" and (plan.delete_before_replace or bool(old_state.get("pendingReplacement")))
        change.values = [(f, olds.get(f), news.get(f)) for f in fields if f != "password"]
    elif op == "create":
        change.values = [(f, None, v) for f, v in sorted(news.items()) if _shown_on_create(provider, f, v)]
    return change


def _password_changed(provider, olds: dict[str, Any], news: dict[str, Any]) -> bool:
    if provider._password_changed(olds, news):
        return True
    # A given password replacing a generated one: both sides are masked but they differ.
    return news.get("password") == MASKED and bool(olds.get("password_generated"))


def _account(provider, props: dict[str, Any]) -> str:
    if props.get("host"):   # only products with a host have one (LibraDB): name@host
        return provider.account_label(props)
    return str(props.get("name", "?"))


def _instance(provider, olds: dict[str, Any], news: dict[str, Any]) -> str:
    key = provider.instance_field
    old, new = olds.get(key), news.get(key)
    if old and new and old != new:
        return f"{old} → {new}"
    return str(new or old or "?")


def _shown_on_create(provider, name: str, value: Any) -> bool:
    if name in ("password", "password_version", "adopt", "name", "region", provider.instance_field):
        return name == "adopt" and value is True
    if name in ("engine", "engine_version", "host"):
        return False
    if name == "account_type":
        return value != "Normal"
    return value not in (None, "", {}, [], {"global": [], "databases": {}, "tables": {}})
