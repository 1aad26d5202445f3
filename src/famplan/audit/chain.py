"""The audit log's tamper-evidence chain: each row holds its place in the chain (`seq`),
the hash of the row before it (`prev_hash`) and a sha256 over its own content and that
hash (`row_hash`). Editing, deleting or slipping in a row with direct SQL or direct file
access breaks the chain at that row; `famplan audit-verify` walks it and says where.

Appends are serialised: on PostgreSQL the head is read through `audit_chain_head()`
(migration 0004), which first takes a transaction-scoped advisory lock, so two
transactions never chain onto the same row; on SQLite every write transaction holds the
database's one write lock anyway (BEGIN IMMEDIATE). The lock is held until commit.

NEVER change the canonical form below: the stored rows were hashed with it, and a
change would make every one of them look tampered with.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import ipaddress
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

GENESIS = "0" * 64
TABLE = "audit_auditentry"

# One encoder, built once: json.dumps with keyword arguments builds a new one per call.
_encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def _plain_json(value: Any) -> Any:
    """Detail as the database gives it back: keys as strings, and integral floats as
    integers (PostgreSQL's jsonb stores 1e20 as 100000000000000000000)."""
    if isinstance(value, dict):
        return {str(k): _plain_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_json(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _ip(value: str | None) -> str | None:
    # The databases spell addresses their own way (PostgreSQL's inet); hash the address.
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return str(value)


def _at(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def fixed_part(
    *,
    at: dt.datetime,
    user_id: int | None,
    username: str,
    ip: str | None,
    action: str,
    result: str,
    detail: Any,
    target_type: str,
) -> str:
    """The canonical text of the fields that one audit_log_rows call shares."""
    values = (
        _at(at), user_id, str(username), _ip(ip), str(action), str(result),
        _plain_json(detail or {}), str(target_type),
    )  # fmt: skip
    return ",".join(_encode(v) for v in values)


def row_hash(seq: int, prev: str, fixed: str, unit: str | None, target_id: Any, label: Any) -> str:
    unit_text = "null" if unit is None else _encode(str(unit))
    text = f'[{seq},"{prev}",{fixed},{unit_text},{_encode(str(target_id))},{_encode(str(label))}]'
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Head:
    """The last row of the chain, moved along as rows are added."""

    seq: int
    hash: str

    def extend(self, fixed: str, unit: str | None, target_id: Any, label: Any) -> tuple:
        """(seq, prev_hash, row_hash) for the next row, which becomes the head."""
        prev = self.hash
        self.seq += 1
        self.hash = row_hash(self.seq, prev, fixed, unit, target_id, label)
        return self.seq, prev, self.hash


def _read_head(connection: BaseDatabaseWrapper) -> Head:
    if connection.vendor == "postgresql":
        sql = "SELECT head_seq, head_hash FROM audit_chain_head()"
    else:
        sql = (
            f"SELECT seq, row_hash FROM {TABLE} WHERE row_hash IS NOT NULL ORDER BY id DESC LIMIT 1"  # noqa: S608
        )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        found = cursor.fetchone()
    return Head(found[0], found[1]) if found and found[1] else Head(0, GENESIS)


@contextlib.contextmanager
def appending(connection: BaseDatabaseWrapper) -> Iterator[Head]:
    """The chain's head, locked until the surrounding transaction ends. Write the rows
    inside the block. In an open transaction no savepoint is needed: the lock and the
    rows live and die with that transaction."""
    if connection.in_atomic_block:
        yield _read_head(connection)
        return
    with transaction.atomic(using=connection.alias):
        yield _read_head(connection)


# --- verification ----------------------------------------------------------------------

VERIFY_COLUMNS = (
    "id", "seq", "prev_hash", "row_hash", "at", "user_id", "username", "ip", "action",
    "result", "detail", "target_type", "org_unit_id", "target_id", "target_label",
)  # fmt: skip


KINDS = {
    "content changed": "内容被修改",
    "link broken": "链接断开",
    "row missing": "缺少行",
}


@dataclass(frozen=True)
class Problem:
    row_id: int
    kind: str  # a key of KINDS
    detail: str  # in Chinese

    def __str__(self) -> str:
        return f"id={self.row_id}：{KINDS[self.kind]}（{self.kind}）：{self.detail}"


@dataclass(frozen=True)
class Verdict:
    rows: int  # rows read, the broken one included
    last_hash: str  # of the last good row
    problem: Problem | None = None


def _check(row: tuple, head: Head) -> Problem | None:
    (row_id, seq, prev, stored, at, user_id, username, ip, action, result, detail,
     target_type, unit, target_id, label) = row  # fmt: skip
    if stored is None or seq is None or prev is None:
        return Problem(row_id, "link broken", "此行没有链哈希，是绕过系统写入的")
    fixed = fixed_part(
        at=at, user_id=user_id, username=username, ip=ip, action=action,
        result=result, detail=detail, target_type=target_type,
    )  # fmt: skip
    if row_hash(seq, prev, fixed, unit, target_id, label) != stored:
        return Problem(row_id, "content changed", "此行内容与写入时的哈希不符")
    if seq > head.seq + 1:
        gap = f"{head.seq + 1}" if seq == head.seq + 2 else f"{head.seq + 1}–{seq - 1}"
        return Problem(row_id, "row missing", f"此行之前缺少链上第 {gap} 行")
    if seq != head.seq + 1 or prev != head.hash:
        return Problem(row_id, "link broken", "此行记录的上一行哈希与上一行不符")
    return None


def verify(rows: Iterator[tuple]) -> Verdict:
    """Walk rows (VERIFY_COLUMNS, in id order) and stop at the first broken link."""
    head = Head(0, GENESIS)
    count = 0
    for row in rows:
        count += 1
        problem = _check(row, head)
        if problem:
            return Verdict(count, head.hash, problem)
        head = Head(row[1], row[3])
    return Verdict(count, head.hash)
