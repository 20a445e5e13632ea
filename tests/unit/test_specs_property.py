"""Property test: specs generated from the documented rules; none invalid accepted, none valid refused.

The oracle below is a second, independent reading of the rules (plain Python, no regular
expressions, no call into provisioner.core.rules except its data lists), so a slip in either shows
as a disagreement. Sources are the ones rules.py cites: the seeds, the SDK models, the Alibaba
API reference, MySQL's identifier rules. The counts are printed with the test output.
"""

from __future__ import annotations

import string
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provisioner.core import rules
from provisioner.core.spec import SpecError, validate_spec
from provisioner.products.libradb import rules as libradb_rules
from provisioner.products.libradb.spec import LibraDBAccountSpec
from provisioner.products.polardb import rules as polardb_rules
from provisioner.products.polardb.spec import PolarDBAccountSpec
from provisioner.products.rds import rules as rds_rules
from provisioner.products.rds.spec import RdsAccountSpec

EXAMPLES = 200
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])

ASCII_LETTERS, DIGITS = set(string.ascii_letters), set(string.digits)
LOWER = set(string.ascii_lowercase)
# Characters that sit on the edges of the rules: separators, whitespace, a newline, non-ASCII
# letters and digits, the specials of both password rules, a lone NUL.
EDGY = "aZ09_-., \n\t%:/~é٣²中\x00!@#$^&*()+=|"


# --- the oracle ---------------------------------------------------------------------------

def ident_ok(name: str, lo: int, hi: int, letters: set[str]) -> bool:
    """Letters (of the given set), digits, '_'; starts with a letter, ends with letter/digit."""
    return (lo <= len(name) <= hi and all(c in letters or c in DIGITS or c == "_" for c in name)
            and name[0] in letters and (name[-1] in letters or name[-1] in DIGITS))


def password_ok(pw: str, lo: int, hi: int, specials: str) -> bool:
    if not lo <= len(pw) <= hi or any(c not in ASCII_LETTERS | DIGITS | set(specials) for c in pw):
        return False
    classes = [any(c.isupper() for c in pw), any(c.islower() for c in pw),
               any(c in DIGITS for c in pw), any(c in specials for c in pw)]
    return sum(classes) >= 3


def libradb_password_ok(pw: str) -> bool:
    """cynosdb NewAccount.AccountPassword documents only "8 to 64 characters" (rules.py)."""
    return 8 <= len(pw) <= 64 and all(c.isprintable() for c in pw)


def id_ok(value: str) -> bool:
    return bool(value) and not any(c.isspace() or c == "," for c in value)


def db_ok(name: str, comma_list: bool) -> bool:
    return (1 <= len(name) <= 64 and name == name.strip() and "\x00" not in name
            and all(ord(c) <= 0xFFFF for c in name) and not (comma_list and "," in name))


def ipv4_ok(host: str) -> bool:
    parts = host.split(".")
    return len(parts) == 4 and all(
        p and len(p) <= 3 and all(c in DIGITS for c in p) and (p == "0" or p[0] != "0") and int(p) <= 255
        for p in parts)


def libradb_ok(spec: dict) -> bool:
    p = spec.get("privileges", {})
    privs = lambda values, scope: all(  # noqa: E731
        v.strip().upper() in libradb_rules.LIBRADB_PRIVILEGES
        and (scope == "global" or v.strip().upper() not in libradb_rules.LIBRADB_GLOBAL_ONLY_PRIVILEGES) for v in values)
    tables_ok = all("." in k and db_ok(k.split(".", 1)[0], False) and db_ok(k.split(".", 1)[1], False)
                    for k in p.get("tables", {}))
    return (id_ok(spec["cluster_id"])
            and ident_ok(spec["name"], 1, 30, ASCII_LETTERS) and spec["name"].lower() not in libradb_rules.LIBRADB_RESERVED_NAMES
            and (spec.get("host") in (None, "%") or ipv4_ok(spec["host"]))
            and (spec.get("password") is None or libradb_password_ok(spec["password"]))
            and (spec.get("description") is None or len(spec["description"]) <= 255)
            and (spec.get("max_user_connections") is None or 1 <= spec["max_user_connections"] <= 10240)
            and privs(p.get("global", []), "global")
            and all(db_ok(db, False) and privs(v, "database") for db, v in p.get("databases", {}).items())
            and tables_ok and all(privs(v, "table") for v in p.get("tables", {}).values()))


RDS_NAME_MAX = {("MySQL", "5.6"): 16, ("MySQL", None): 32, ("MySQL", "8.0"): 32, ("MariaDB", None): 16,
                ("PostgreSQL", None): 63, ("SQLServer", None): 64, (None, None): 64}
RDS_PRIVS = {"MySQL": {"ReadWrite", "ReadOnly", "DDLOnly", "DMLOnly"},
             "MariaDB": {"ReadWrite", "ReadOnly", "DDLOnly", "DMLOnly"},
             "PostgreSQL": {"DBOwner"}, "SQLServer": {"ReadWrite", "ReadOnly", "DBOwner"},
             None: {"ReadWrite", "ReadOnly", "DDLOnly", "DMLOnly", "DBOwner"}}


def cjk(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


def rds_description_ok(d: str) -> bool:
    return (2 <= len(d) <= 256 and (d[0] in ASCII_LETTERS or cjk(d[0]))
            and all(c in ASCII_LETTERS or c in DIGITS or cjk(c) or c in "_-" for c in d))


def rds_ok(spec: dict) -> bool:
    engine, version = spec.get("engine"), spec.get("engine_version")
    high = RDS_NAME_MAX.get((engine, version), RDS_NAME_MAX.get((engine, None)))
    letters = ASCII_LETTERS if engine in (None, "MySQL") else LOWER
    kind, privs = spec.get("account_type", "Normal"), spec.get("privileges", {})
    privileged_ok = (kind == "Normal" or not privs or (
        kind == "Super" and engine in (None, "PostgreSQL") and set(privs.values()) <= {"DBOwner"}))
    return (id_ok(spec["instance_id"])
            and ident_ok(spec["name"], 2, high, letters) and spec["name"].lower() not in rds_rules.RDS_RESERVED_NAMES
            and (spec.get("password") is None or password_ok(spec["password"], 8, 32, rules.ALIBABA_PASSWORD_SPECIALS))
            and (spec.get("description") is None or rds_description_ok(spec["description"]))
            and all(db_ok(db, True) and v in RDS_PRIVS[engine] for db, v in privs.items())
            and not (kind == "Sysadmin" and engine not in (None, "SQLServer"))
            and privileged_ok)


def polardb_ok(spec: dict) -> bool:
    d, privs = spec.get("description"), spec.get("privileges", {})
    return (id_ok(spec["cluster_id"])
            and ident_ok(spec["name"], 2, 16, LOWER) and spec["name"] not in polardb_rules.POLARDB_RESERVED_NAMES
            and (spec.get("password") is None or password_ok(spec["password"], 8, 32, rules.ALIBABA_PASSWORD_SPECIALS))
            and (d is None or (2 <= len(d) <= 256 and not d.startswith(("http://", "https://"))))
            and all(db_ok(db, True) and v in polardb_rules.POLARDB_PRIVILEGES for db, v in privs.items())
            and not (privs and spec.get("account_type", "Normal") == "Super"))


# --- generators: a spec valid by construction, then (mostly) one field bent at an edge --------

def bend(value: str, how: str, extra: str = "x", at: int = 0) -> str:
    return {"newline": value + "\n", "lead": " " + value, "trail": value + " ", "tab": "\t" + value,
            "comma": value[:1] + "," + value[1:], "upper": value.upper(), "long": value + "x" * 60,
            "char": value[:at] + extra + value[at:], "empty": "", "drop": value[:-1]}[how]


@st.composite
def bent(draw, valid) -> str:
    value = draw(valid)
    how = draw(st.sampled_from(["newline", "lead", "trail", "tab", "comma", "upper", "long", "char", "empty", "drop"]))
    return bend(value, how, draw(st.sampled_from(EDGY)), draw(st.integers(0, len(value))))


@st.composite
def identifier(draw, letters: str, lo: int, hi: int) -> str:
    n = draw(st.integers(lo, hi))
    first = draw(st.sampled_from(letters))
    middle = draw(st.text(alphabet=letters + string.digits + "_", min_size=max(0, n - 2), max_size=max(0, n - 2)))
    last = draw(st.sampled_from(letters + string.digits)) if n > 1 else ""
    return first + middle + last


@st.composite
def password(draw, specials: str, hi: int) -> str:
    body = draw(st.text(alphabet=string.ascii_letters + string.digits + specials, min_size=5, max_size=hi - 3))
    return "Aa1" + body


def wild(valid, *extra):
    """Edge values around a valid strategy: bent, arbitrary edgy text, or listed cases."""
    options = [bent(valid), st.text(alphabet=EDGY, max_size=70)]
    return st.one_of(*options, *extra)


@st.composite
def spec_of(draw, fields: dict) -> dict:
    """fields: name -> (valid strategy, wild strategy). One field (or none) goes wild."""
    wild_field = draw(st.sampled_from([None] + list(fields)))
    spec = {}
    for name, (valid, edge) in fields.items():
        value = draw(edge if name == wild_field else valid)
        if value is not None:
            spec[name] = value
    return spec


def optional(strategy):
    return st.one_of(st.none(), strategy)


DB = identifier(string.ascii_lowercase + "_", 1, 64)
DB_EDGES = st.sampled_from(["a,b", " db", "db ", "db\n", "x" * 64, "x" * 65, "", "数据库", "a\x00", "a.b",
                            "a\U0001F600", "\uffff", "d" * 63 + " "])
DB_WILD = st.one_of(DB_EDGES, DB_EDGES, wild(DB))   # the listed edges twice as often
LIBRADB_PRIV = st.sampled_from(sorted(libradb_rules.LIBRADB_PRIVILEGES - libradb_rules.LIBRADB_GLOBAL_ONLY_PRIVILEGES))
LIBRADB_PRIV_WILD = st.one_of(st.sampled_from(sorted(libradb_rules.LIBRADB_PRIVILEGES)),
                              st.sampled_from(["select", " insert ", "FLY", "ALL", "SELECT\n"]))


@st.composite
def libradb_privileges(draw, edge: bool) -> dict:
    """Valid privileges; with edge, exactly one part bent: a global or database privilege, a
    database key, or the database or the table half of a table key."""
    part = draw(st.sampled_from(["global", "db-privilege", "db-key", "table-db", "table-name"])) if edge else None
    out = {"global": draw(st.lists(st.sampled_from(sorted(libradb_rules.LIBRADB_PRIVILEGES)), max_size=3)),
           "databases": draw(st.dictionaries(DB, st.lists(LIBRADB_PRIV, max_size=3), max_size=2)),
           "tables": draw(st.dictionaries(st.builds(lambda d, t: f"{d}.{t}", DB, DB), st.lists(LIBRADB_PRIV, max_size=2),
                                          max_size=2))}
    if part == "global":
        out["global"] = draw(st.lists(LIBRADB_PRIV_WILD, min_size=1, max_size=3))
    elif part == "db-privilege":
        out["databases"][draw(DB)] = draw(st.lists(LIBRADB_PRIV_WILD, min_size=1, max_size=3))
    elif part == "db-key":
        out["databases"][draw(DB_WILD)] = ["SELECT"]
    elif part == "table-db":
        out["tables"][f"{draw(DB_WILD)}.{draw(DB)}"] = ["SELECT"]
    elif part == "table-name":
        out["tables"][f"{draw(DB)}.{draw(DB_WILD)}"] = ["SELECT"]
    return out


def libradb_spec():
    name = identifier(string.ascii_letters, 1, 30).filter(lambda n: n.lower() not in libradb_rules.LIBRADB_RESERVED_NAMES)
    host = st.one_of(st.just("%"), st.ip_addresses(v=4).map(str))
    return spec_of({
        "cluster_id": (st.just("libradb-i794jfvg"), wild(st.just("libradb-i794jfvg"))),
        "name": (name, wild(name, st.sampled_from(sorted(libradb_rules.LIBRADB_RESERVED_NAMES)), identifier(string.ascii_letters, 28, 34))),
        "host": (optional(host), wild(host, st.text(alphabet="0123456789.%\n", max_size=16), st.sampled_from(["1.2.3.04", "256.1.1.1"]))),
        "password": (optional(password(libradb_rules.LIBRADB_PASSWORD_SPECIALS, 64)),
                     wild(password(libradb_rules.LIBRADB_PASSWORD_SPECIALS, 64), password(libradb_rules.LIBRADB_PASSWORD_SPECIALS, 70))),
        "description": (optional(st.text(max_size=255)), st.text(min_size=250, max_size=260)),
        "max_user_connections": (optional(st.integers(1, 10240)), st.integers(-2, 10242).filter(lambda n: not 1 < n < 10239)),
        "privileges": (libradb_privileges(False), libradb_privileges(True)),
    })


def rds_spec():
    engine = st.sampled_from([None, "MySQL", "MariaDB", "PostgreSQL", "SQLServer"])

    @st.composite
    def engine_and_version(draw):
        e = draw(engine)
        return e, (draw(st.sampled_from([None, "5.6", "8.0"])) if e == "MySQL" else None)

    @st.composite
    def spec(draw):
        e, version = draw(engine_and_version())
        high = RDS_NAME_MAX.get((e, version), RDS_NAME_MAX.get((e, None)))
        letters = string.ascii_letters if e in (None, "MySQL") else string.ascii_lowercase
        name = identifier(letters, 2, high).filter(lambda n: n.lower() not in rds_rules.RDS_RESERVED_NAMES)
        description = identifier(string.ascii_letters + "中文", 2, 256).map(lambda d: d.replace("_", "-", 1))
        privilege = st.sampled_from(sorted(RDS_PRIVS[e]))
        base = spec_of({
            "instance_id": (st.just("rm-uf6wjk5xxxxxxx"), wild(st.just("rm-uf6wjk5xxxxxxx"))),
            "name": (name, wild(name, st.sampled_from(sorted(rds_rules.RDS_RESERVED_NAMES)),
                                identifier(string.ascii_letters, high - 2, high + 2))),
            "password": (optional(password(rules.ALIBABA_PASSWORD_SPECIALS, 32)),
                         wild(password(rules.ALIBABA_PASSWORD_SPECIALS, 32), password(libradb_rules.LIBRADB_PASSWORD_SPECIALS, 34))),
            "account_type": (st.sampled_from(["Normal", "Super"] + (["Sysadmin"] if e in (None, "SQLServer") else [])),
                             st.sampled_from(["Normal", "Super", "Sysadmin"])),
            "description": (optional(description), wild(description, st.sampled_from(["http://x", "订单服务", "orders service"]))),
            "privileges": (st.dictionaries(DB, privilege, max_size=2),
                           st.dictionaries(DB_WILD, st.sampled_from(sorted(rds_rules.RDS_PRIVILEGES)), min_size=1, max_size=2)),
        })
        out = draw(base)
        if out.get("account_type", "Normal") != "Normal":
            # Privileged accounts: mostly without privileges (the valid form), or all DBOwner (the
            # one form PostgreSQL takes), or as drawn.
            how = draw(st.sampled_from(["drop", "dbowner", "keep"]))
            if how == "drop":
                out.pop("privileges", None)
            elif how == "dbowner":
                out["privileges"] = {db: "DBOwner" for db in out.get("privileges", {})} or {"orders": "DBOwner"}
        return {**out, **({"engine": e} if e else {}), **({"engine_version": version} if version else {})}

    return spec()


def polardb_spec():
    name = identifier(string.ascii_lowercase, 2, 16).filter(lambda n: n not in polardb_rules.POLARDB_RESERVED_NAMES)
    description = st.text(min_size=2, max_size=256).filter(lambda d: not d.startswith(("http://", "https://")))
    return spec_of({
        "cluster_id": (st.just("pc-bp1xxxxxxxx"), wild(st.just("pc-bp1xxxxxxxx"))),
        "name": (name, wild(name, st.sampled_from(sorted(polardb_rules.POLARDB_RESERVED_NAMES)), identifier(string.ascii_letters, 14, 18))),
        "password": (optional(password(rules.ALIBABA_PASSWORD_SPECIALS, 32)),
                     wild(password(rules.ALIBABA_PASSWORD_SPECIALS, 32), password(libradb_rules.LIBRADB_PASSWORD_SPECIALS, 34))),
        "account_type": (st.just("Normal"), st.sampled_from(["Normal", "Super"])),
        "description": (optional(description), wild(description, st.sampled_from(["https://x", "http://", "ok", "x"]))),
        "privileges": (st.dictionaries(DB, st.sampled_from(polardb_rules.POLARDB_PRIVILEGES), max_size=2),
                       st.dictionaries(DB_WILD, st.sampled_from(polardb_rules.POLARDB_PRIVILEGES), min_size=1, max_size=2)),
    })


# --- the property -------------------------------------------------------------------------

def agree(model, oracle, strategy, label: str, capsys) -> None:
    counts: Counter[str] = Counter()

    @SETTINGS
    @given(strategy)
    def run(spec: dict) -> None:
        expected = oracle(spec)
        try:
            validate_spec(model, spec)
            accepted = True
        except SpecError:
            accepted = False
        assert accepted == expected, f"{'accepted an invalid' if accepted else 'refused a valid'} spec: {spec!r}"
        counts["valid accepted" if accepted else "invalid refused"] += 1

    run()
    with capsys.disabled():
        print(f"\n[property] {label}: {counts['valid accepted']} valid accepted, "
              f"{counts['invalid refused']} invalid refused, 0 disagreements")
    # Both sides of the rule must really be exercised, or the property proves little.
    assert counts["valid accepted"] >= EXAMPLES // 20 and counts["invalid refused"] >= EXAMPLES // 20, counts


def test_libradb_specs_agree_with_the_documented_rules(capsys):
    agree(LibraDBAccountSpec, libradb_ok, libradb_spec(), "LibraDBAccount", capsys)


def test_rds_specs_agree_with_the_documented_rules(capsys):
    agree(RdsAccountSpec, rds_ok, rds_spec(), "RdsAccount", capsys)


def test_polardb_specs_agree_with_the_documented_rules(capsys):
    agree(PolarDBAccountSpec, polardb_ok, polardb_spec(), "PolarDBAccount", capsys)
