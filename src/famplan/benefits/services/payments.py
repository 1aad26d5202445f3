"""Bank accounts, the payment file for the bank and the bank's confirmations."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from famplan.audit.services import audit_log, audit_log_rows
from famplan.benefits.models import (
    Application,
    BankAccount,
    BankLayout,
    Cycle,
    CycleStatus,
    PaymentStatus,
    RosterRow,
)
from famplan.benefits.programs import CATEGORY_LABELS, ym
from famplan.common import dates
from famplan.common.errors import DomainError
from famplan.common.xlsx import write_xlsx
from famplan.orgunits.jurisdiction import unit_in_scope
from famplan.registry.models import Person
from famplan.transfer.imports.reading import read_table

__all__ = [
    "ACCOUNT_DIGITS",
    "LAYOUT_FIELDS",
    "AccountError",
    "ConfirmationReport",
    "application_account_kept",
    "bank_account_set",
    "bank_layout_save",
    "check_account",
    "confirmations_import",
    "payment_file",
    "payment_rows",
]

# 银行卡号 16-19 digits; passbook (存折) accounts of rural credit cooperatives from 12.
ACCOUNT_DIGITS = (12, 19)
_SPACES = re.compile(r"[\s\u3000-]+")


class AccountError(DomainError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def check_account(*, holder_name: str, payee_name: str, account_number: str, bank_name: str) -> str:
    """The account number as digits, or AccountError naming the field. One rule for the
    form, the import and the service."""
    if not bank_name.strip():
        raise AccountError("bank_name", "请填写开户银行")
    if payee_name.strip() != holder_name.strip():
        raise AccountError("payee_name", f"户名“{payee_name.strip()}”与领取人“{holder_name}”不一致")
    digits = _SPACES.sub("", account_number.translate(_FULL_WIDTH))
    if not digits.isdigit() or not digits.isascii():
        raise AccountError("account_number", "账号只能由数字组成")
    low, high = ACCOUNT_DIGITS
    if not low <= len(digits) <= high:
        raise AccountError("account_number", f"账号应为{low}至{high}位数字，现为{len(digits)}位")
    return digits


_FULL_WIDTH = {ord("０") + i: ord("0") + i for i in range(10)}


@transaction.atomic
def bank_account_set(
    *, actor: Any, person: Person, payee_name: str, bank_name: str, account_number: str
) -> BankAccount:
    """A person's new account. The old one is kept (retired, with when) and the audit
    row holds both, masked."""
    if not unit_in_scope(actor, person.unit_id):
        raise DomainError("该记录不在您的管辖范围内")
    digits = check_account(
        holder_name=person.name,
        payee_name=payee_name,
        account_number=account_number,
        bank_name=bank_name,
    )
    old = BankAccount.objects.select_for_update().filter(person=person, active=True).first()
    if old and old.account_number == digits and old.bank_name == bank_name.strip():
        raise DomainError("与当前账户相同，无需变更")
    if old:
        old.active = False
        old.replaced_at = timezone.now()
        old.save(update_fields=["active", "replaced_at"])
    account = BankAccount.objects.create(
        person=person,
        unit_id=person.unit_id,
        payee_name=payee_name.strip(),
        bank_name=bank_name.strip()[:100],
        account_number=digits,
        created_by=actor,
    )
    # An account set by a user settles the online applications that typed another one.
    checked = list(
        Application.objects.filter(applicant=person)
        .exclude(account_to_check="")
        .values_list("pk", flat=True)
    )
    Application.objects.filter(pk__in=checked).update(account_to_check="")
    audit_log(
        actor=actor,
        action="benefits.account.changed" if old else "benefits.account.created",
        target=person,
        org_unit_id=person.unit_id,
        detail={
            "old": {"bank": old.bank_name, "account": old.masked, "id": old.pk} if old else None,
            "new": {"bank": account.bank_name, "account": account.masked, "id": account.pk},
            "applications_checked": checked,
        },
    )
    return account


@transaction.atomic
def application_account_kept(*, actor: Any, application: Application, note: str) -> Application:
    """The township has checked with the parent and keeps the account on file, not the
    one typed online."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not unit_in_scope(actor, application.unit_id):
        raise DomainError("该记录不在您的管辖范围内")
    if not application.account_to_check:
        raise DomainError("该申请没有待核实的账户")
    if not note.strip():
        raise DomainError("请填写核实情况")
    typed = application.account_to_check
    application.account_to_check = ""
    application.save(update_fields=["account_to_check"])
    audit_log(
        actor=actor,
        action="benefits.application.account_kept",
        target=application,
        org_unit_id=application.unit_id,
        detail={"typed": typed, "note": note.strip()[:200]},
    )
    return application


# --- the payment file ------------------------------------------------------------------

LAYOUT_FIELDS = {
    "seq": "序号",
    "name": "姓名",
    "id_number": "身份证号",
    "payee_name": "户名",
    "account_number": "账号",
    "bank_name": "开户银行",
    "amount": "金额",
    "unit_code": "村(居)代码",
    "months": "发放月份",
    "category": "类别",
    "note": "备注",
}

_PAYABLE = (PaymentStatus.PENDING, PaymentStatus.FAILED)


def payment_rows(cycle: Cycle):
    """The roster rows to pay: something due, not paid, with an account."""
    return (
        RosterRow.objects.filter(cycle=cycle, payment_status__in=_PAYABLE, amount_due__gt=0)
        .exclude(account_number="")
        .order_by("unit_id", "pk")
    )


@transaction.atomic
def payment_file(*, actor: Any, cycle: Cycle, layout: BankLayout) -> tuple[bytes, int, Decimal]:
    """The bank's file (full ID and account numbers: the bank needs them; the file's
    download is audited). The rows in it are marked sent."""
    if len(actor.org_unit_id or "") != 6:
        raise DomainError("发放文件须由县级生成")
    cycle = Cycle.objects.select_for_update().select_related("program").get(pk=cycle.pk)
    if cycle.status != CycleStatus.FROZEN:
        raise DomainError(
            f"本周期当前为“{cycle.get_status_display()}”，花名册冻结后才能生成发放文件"
        )
    for header, key in layout.columns:
        if key not in LAYOUT_FIELDS:
            raise DomainError(f"代发格式“{layout.name}”的列“{header}”字段{key}无效")
    note = f"{cycle.year}年{cycle.program.name}"
    values = payment_rows(cycle).values_list(
        "pk", "name", "id_number", "payee_name", "account_number", "bank_name",
        "amount_due", "unit_id", "from_month", "to_month", "category",
    )  # fmt: skip
    pks: list[int] = []
    total = Decimal("0")

    def rows():
        nonlocal total
        for seq, (pk, name, idn, payee, acct, bank, amount, unit, first, last, cat) in enumerate(
            values.iterator(chunk_size=5000), start=1
        ):
            pks.append(pk)
            total += amount
            record = {
                "seq": seq, "name": name, "id_number": idn, "payee_name": payee,
                "account_number": acct, "bank_name": bank, "amount": amount,
                "unit_code": unit, "months": f"{ym(first)}至{ym(last)}",
                "category": CATEGORY_LABELS.get(cat, cat), "note": note,
            }  # fmt: skip
            yield [record[key] for _h, key in layout.columns]

    content = write_xlsx(
        [
            (header, 22 if key in ("id_number", "account_number") else 12)
            for header, key in layout.columns
        ],
        rows(),
        sheet_name=layout.sheet_name,
    )
    if not pks:
        raise DomainError("没有待发放且已登记账户的对象")
    # The same rows as the file: payable rows of this cycle, read in the same transaction.
    payment_rows(cycle).order_by().update(payment_status=PaymentStatus.SENT)
    audit_log(
        actor=actor,
        action="benefits.payment_file.exported",
        target=cycle,
        detail={"rows": len(pks), "total": str(total), "layout": layout.name},
    )
    return content, len(pks), total


# --- the bank's confirmations ----------------------------------------------------------

CONFIRM_HEADERS = {
    "身份证号": "id_number",
    "金额": "amount",
    "结果": "result",
    "失败原因": "reason",
}
RESULT_WORDS = {"成功": PaymentStatus.PAID, "失败": PaymentStatus.FAILED}


@dataclass
class ConfirmationReport:
    errors: list[str] = field(default_factory=list)
    paid: int = 0
    failed: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def confirmations_import(
    *, actor: Any, cycle: Cycle, content: bytes, filename: str
) -> ConfirmationReport:
    """The bank's returned file: one row per person sent, 身份证号, 金额, 结果 (成功/失败)
    and 失败原因. Every row is checked first; any problem (a person not sent in this
    cycle's file, a wrong amount, a bad or repeated row) gives a report and writes nothing."""
    report = ConfirmationReport()
    if len(actor.org_unit_id or "") != 6:
        raise DomainError("发放结果须由县级导入")
    if cycle.status != CycleStatus.FROZEN:
        raise DomainError(f"本周期当前为“{cycle.get_status_display()}”，不能导入发放结果")
    table = read_table(content, filename)
    if not table:
        report.errors.append("文件为空")
        return report
    header = [_cell(h) for h in table[0]]
    columns: dict[str, int] = {}
    for need, key in CONFIRM_HEADERS.items():
        if need in header:
            columns[key] = header.index(need)
        elif key != "reason":
            report.errors.append(f"第1行：缺少“{need}”列")
    if report.errors:
        return report
    sent = {
        r.id_number: r
        for r in RosterRow.objects.filter(cycle=cycle, payment_status=PaymentStatus.SENT)
    }
    seen: set[str] = set()
    decided: list[tuple[RosterRow, str, str]] = []
    for number, row in enumerate(table[1:], start=2):
        cells = {key: _cell(row[i]) if i < len(row) else "" for key, i in columns.items()}
        if not any(cells.values()):
            continue
        idn = cells["id_number"].upper()
        target = sent.get(idn)
        if not idn:
            report.errors.append(f"第{number}行：身份证号为空")
            continue
        if target is None:
            report.errors.append(f"第{number}行：身份证号{idn[:6]}…不在本周期已发送的发放名单中")
            continue
        if idn in seen:
            report.errors.append(f"第{number}行：身份证号重复出现")
            continue
        seen.add(idn)
        try:
            amount = Decimal(cells["amount"]).quantize(Decimal("0.01"))
        except InvalidOperation:
            report.errors.append(f"第{number}行：金额“{cells['amount']}”不是数字")
            continue
        if amount != target.amount_due:
            report.errors.append(f"第{number}行：金额{amount}与应发金额{target.amount_due}不一致")
            continue
        status = RESULT_WORDS.get(cells["result"])
        if status is None:
            report.errors.append(f"第{number}行：结果应为“成功”或“失败”，现为“{cells['result']}”")
            continue
        reason = cells.get("reason", "")
        if status == PaymentStatus.FAILED and not reason:
            report.errors.append(f"第{number}行：发放失败须填写失败原因")
            continue
        decided.append((target, status, reason))
    if report.errors:
        return report
    if not decided:
        report.errors.append("文件中没有数据行")
        return report
    _write_confirmations(actor, cycle, decided, report)
    return report


@transaction.atomic
def _write_confirmations(actor, cycle, decided, report) -> None:
    day = dates.today()
    for row, status, reason in decided:
        row.payment_status = status
        if status == PaymentStatus.PAID:
            row.paid_amount, row.paid_on, row.failure_reason = row.amount_due, day, ""
            report.paid += 1
        else:
            row.paid_amount, row.paid_on, row.failure_reason = None, None, reason[:200]
            report.failed += 1
    RosterRow.objects.bulk_update(
        [r for r, _s, _r in decided],
        ["payment_status", "paid_amount", "paid_on", "failure_reason"],
        batch_size=1000,
    )
    audit_log_rows(
        actor=actor,
        action="benefits.payment.confirmed",
        target_type=RosterRow._meta.label_lower,
        rows=((r.unit_id, r.pk, r.name) for r, _s, _r in decided),
        detail={"cycle": cycle.pk},
    )
    audit_log(
        actor=actor,
        action="benefits.confirmations.imported",
        target=cycle,
        detail={"paid": report.paid, "failed": report.failed},
    )


@transaction.atomic
def bank_layout_save(*, actor: Any, name: str, sheet_name: str, lines: str) -> BankLayout:
    """A bank's layout from lines of "表头=字段" (字段 from LAYOUT_FIELDS), in order."""
    if len(actor.org_unit_id or "") != 6:
        raise DomainError("代发格式须由县级设定")
    name = name.strip()
    if not name:
        raise DomainError("请填写格式名称")
    columns = []
    for number, line in enumerate(lines.splitlines(), start=1):
        if not line.strip():
            continue
        header, sep, key = line.partition("=")
        if not sep or not header.strip() or key.strip() not in LAYOUT_FIELDS:
            raise DomainError(
                f"第{number}行“{line.strip()}”应为“表头=字段”，字段可选："
                + "、".join(LAYOUT_FIELDS)
            )
        columns.append([header.strip(), key.strip()])
    if not any(key == "account_number" for _h, key in columns):
        raise DomainError("代发格式须包含账号列（account_number）")
    layout, created = BankLayout.objects.update_or_create(
        name=name[:50],
        defaults={"columns": columns, "sheet_name": (sheet_name.strip() or "代发明细")[:31]},
    )
    audit_log(
        actor=actor,
        action="benefits.layout.saved",
        target=layout,
        detail={"columns": columns, "new": created},
    )
    return layout
