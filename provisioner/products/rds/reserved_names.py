"""Account names the clouds refuse, per product and engine, as data with their sources.

RDS answers a reserved name with InvalidAccountName.Forbid ("Specified account name is a
keyword in RDS", seed 003); the list per engine is what DescribeInstanceKeywords (Key=account)
returns — Alibaba documents it on its "forbidden keywords" page. What we hold here:
- MySQL / MariaDB: the RDS for MySQL keyword list (the product's own names — root, admin,
  aurora, replicator, xtrabak, eagleye, test, guest, ... — and MySQL's reserved words), as
  mirrored verbatim by a MySQL-compatible cloud's DRDS documentation ("the reserved keywords
  ... are the same as those in MySQL" [RDS]).
- PostgreSQL: PostgreSQL's reserved key words (PostgreSQL docs, Appendix C "SQL Key Words",
  column "PostgreSQL: reserved") and role names starting with pg_ (reserved by PostgreSQL,
  "CREATE ROLE": "role names beginning with pg_ are reserved"), plus the service accounts.
- SQL Server: the fixed server roles and system principals (sa, public, sysadmin, ...) and
  Transact-SQL's reserved keywords (Microsoft docs "Reserved Keywords (Transact-SQL)").
At `preview`, when the engine is not known, only the names every engine refuses are checked;
the engine's full list is checked against the live instance before the first write.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(w.strip().lower() for w in text.replace("\n", " ").split(",") if w.strip())


_RDS_SERVICE = _words("root, admin, administrator, aliyun_root, replicator, aurora, xtrabak, eagleye, test, guest")

RDS_MYSQL = _RDS_SERVICE | _words("""
mysql, information_schema, performance_schema, sys, percona, add, analyze, asc, between, blob, call, change,
check, condition, continue, cross, current_timestamp, database, day_microsecond, dec, default, desc, distinct,
double, each, enclosed, exit, fetch, float8, foreign, goto, having, hour_minute, ignore, infile, insensitive,
int1, int4, interval, iterate, keys, leading, like, lines, localtimestamp, longblob, low_priority, mediumint,
minute_microsecond, modifies, no_write_to_binlog, on, optionally, out, precision, purge, read, references,
rename, require, revoke, schema, select, set, spatial, sqlexception, sql_big_result, ssl, table, tinyblob, to,
true, unique, update, using, utc_timestamp, varchar, when, with, xor, all, and, asensitive, bigint, both,
cascade, char, collate, connection, convert, current_date, current_user, databases, day_minute, decimal,
delayed, describe, distinctrow, drop, else, escaped, explain, float, for, from, grant, high_priority,
hour_second, in, inner, insert, int2, int8, into, join, kill, leave, limit, load, lock, longtext, match,
mediumtext, minute_second, natural, null, optimize, or, outer, primary, raid0, reads, regexp, repeat, restrict,
right, schemas, sensitive, show, specific, sqlstate, sql_calc_found_rows, starting, terminated, tinyint,
trailing, undo, unlock, usage, utc_date, values, varcharacter, where, write, year_month, alter, as, before,
binary, by, case, character, column, constraint, create, current_time, cursor, day_hour, day_second, declare,
delete, deterministic, div, dual, elseif, exists, false, float4, force, fulltext, group, hour_microsecond, if,
index, inout, int, int3, integer, is, key, label, left, linear, localtime, long, loop, mediumblob, middleint,
mod, not, numeric, option, order, outfile, procedure, range, real, release, replace, return, rlike,
second_microsecond, separator, smallint, sql, sqlwarning, sql_small_result, straight_join, then, tinytext,
trigger, union, unsigned, use, utc_time, varbinary, varying, while, x509, zerofill""")

RDS_POSTGRESQL = _RDS_SERVICE | _words("""
postgres, pg_monitor, public, all, analyse, analyze, and, any, array, as, asc, asymmetric, both, case, cast,
check, collate, column, constraint, create, current_catalog, current_date, current_role, current_time,
current_timestamp, current_user, default, deferrable, desc, distinct, do, else, end, except, false, fetch, for,
foreign, from, grant, group, having, in, initially, intersect, into, lateral, leading, limit, localtime,
localtimestamp, not, null, offset, on, only, or, order, placing, primary, references, returning, select,
session_user, some, symmetric, table, then, to, trailing, true, union, unique, user, using, variadic, when,
where, window, with""")
POSTGRESQL_RESERVED_PREFIXES = ("pg_",)

RDS_SQLSERVER = _RDS_SERVICE | _words("""
sa, public, sysadmin, securityadmin, serveradmin, setupadmin, processadmin, diskadmin, dbcreator, bulkadmin,
dbo, sys, information_schema, master, model, msdb, tempdb, distribution, mssqlsystemresource,
add, all, alter, and, any, as, asc, authorization, backup, begin, between, break, browse, bulk, by, cascade,
case, check, checkpoint, close, clustered, coalesce, collate, column, commit, compute, constraint, contains,
containstable, continue, convert, create, cross, current, current_date, current_time, current_timestamp,
current_user, cursor, database, dbcc, deallocate, declare, default, delete, deny, desc, disk, distinct,
distributed, double, drop, dump, else, end, errlvl, escape, except, exec, execute, exists, exit, external,
fetch, file, fillfactor, for, foreign, freetext, freetexttable, from, full, function, goto, grant, group,
having, holdlock, identity, identity_insert, identitycol, if, in, index, inner, insert, intersect, into, is,
join, key, kill, left, like, lineno, load, merge, national, nocheck, nonclustered, not, null, nullif, of, off,
offsets, on, open, opendatasource, openquery, openrowset, openxml, option, or, order, outer, over, percent,
pivot, plan, precision, primary, print, proc, procedure, raiserror, read, readtext, reconfigure, references,
replication, restore, restrict, return, revert, revoke, right, rollback, rowcount, rowguidcol, rule, save,
schema, securityaudit, select, semantickeyphrasetable, semanticsimilaritydetailstable,
semanticsimilaritytable, session_user, set, setuser, shutdown, some, statistics, system_user, table,
tablesample, textsize, then, to, top, tran, transaction, trigger, truncate, try_convert, tsequal, union,
unique, unpivot, update, updatetext, use, user, values, varying, view, waitfor, when, where, while, with,
within group, writetext""")

RDS_BY_ENGINE = {"MySQL": RDS_MYSQL, "MariaDB": RDS_MYSQL, "PostgreSQL": RDS_POSTGRESQL, "SQLServer": RDS_SQLSERVER}
# With the engine unknown (preview without the engine hint): what every engine refuses.
RDS_ANY_ENGINE = RDS_MYSQL & RDS_POSTGRESQL & RDS_SQLSERVER


def rds_reserved(name: str, engine: str | None) -> bool:
    low = name.lower()
    if engine is None:
        return low in RDS_ANY_ENGINE
    if engine == "PostgreSQL" and low.startswith(POSTGRESQL_RESERVED_PREFIXES):
        return True
    return low in RDS_BY_ENGINE.get(engine, RDS_ANY_ENGINE)
