"""What the official SDKs' response models define, read from their generated code: the fields
(with their declared type) of a response model, recursively. Used to check that the local
cloud's responses are complete (every field present, with a value of the declared type)."""

from __future__ import annotations

import inspect
import re
from typing import Any

Shape = dict[str, tuple[str, "Shape | None", bool]]   # key -> (type, nested shape, is list)

_ALI_GET = re.compile(r"m\.get\('([^']+)'\) is not None")
_ALI_NESTED = re.compile(r"main_models\.(\w+)\(\)")
_ALI_TO_MAP = re.compile(r"result\['([^']+)'\] = self\.(\w+)")
_TC_GET = re.compile(r'params\.get\("([^"]+)"\)')
_TC_NESTED = re.compile(r"(?:obj|self\._\w+) = (\w+)\(\)")


def alibaba_shape(models: Any, name: str) -> Shape:
    cls = getattr(models, name)
    annotations = {p.name: str(p.annotation) for p in inspect.signature(cls.__init__).parameters.values()}
    attrs = dict(_ALI_TO_MAP.findall(inspect.getsource(cls.to_map)))
    src = inspect.getsource(cls.from_map)
    out: Shape = {}
    blocks = re.split(r"\n\s*if m\.get\(", src)
    for block in blocks[1:]:
        key = _ALI_GET.match("m.get(" + block).group(1)
        nested = _ALI_NESTED.search(block)
        typ = annotations.get(attrs.get(key, ""), "")
        is_list = "for k" in block or typ.startswith("List")
        out[key] = (typ, alibaba_shape(models, nested.group(1)) if nested else None, is_list)
    return out


def tencent_shape(models: Any, name: str) -> Shape:
    cls = getattr(models, name)
    doc = inspect.getsource(cls.__init__)
    types = dict(re.findall(r":type (\w+): ([^\n]+)", doc))
    src = inspect.getsource(cls._deserialize)
    out: Shape = {}
    for block in re.split(r"\n\s*(?=self\._\w+ = params\.get|if params\.get)", src)[1:]:
        m = _TC_GET.search(block)
        if not m:
            continue
        key = m.group(1)
        nested = _TC_NESTED.search(block)
        typ = types.get(key, "").strip()
        out[key] = (typ, tencent_shape(models, nested.group(1)) if nested else None, typ.startswith("list"))
    return out


_PY = {"str": str, "int": int, "bool": bool, "float": (int, float), "dict": dict}


def _leaf_type(typ: str) -> Any:
    typ = typ.strip()
    m = re.match(r"(?:List\[|list of )(\w+)", typ)
    return _PY.get(m.group(1) if m else typ)


def missing(shape: Shape, value: Any, path: str = "") -> list[str]:
    """Paths of model fields absent from `value` or of the wrong type (lists: every element)."""
    problems: list[str] = []
    if not isinstance(value, dict):
        return [f"{path or '<root>'}: expected an object, got {type(value).__name__}"]
    for key, (typ, nested, is_list) in shape.items():
        where = f"{path}.{key}" if path else key
        if key not in value or value[key] is None:
            if key != "RequestId":
                problems.append(f"{where}: missing")
            continue
        v = value[key]
        items = v if is_list else [v]
        if is_list and not isinstance(v, list):
            problems.append(f"{where}: expected a list, got {type(v).__name__}")
            continue
        for i, item in enumerate(items):
            at = f"{where}[{i}]" if is_list else where
            if nested is not None:
                problems += missing(nested, item, at)
            else:
                want = _leaf_type(typ)
                if want is not None and not isinstance(item, want) or (want is int and isinstance(item, bool)):
                    problems.append(f"{at}: expected {typ}, got {type(item).__name__} {item!r}")
    return problems
