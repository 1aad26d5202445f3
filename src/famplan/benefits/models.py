"""Benefit programs (奖励扶助、特别扶助、独生子女父母奖励、育儿补贴), their yearly cycles,
the entries reviewed by villages and townships, frozen rosters, bank accounts, payments.

Money is Decimal yuan with two places. Months are the first day of the month (a date).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from famplan.common.idnumbers import mask_id_number


def mask_account(number: str | None) -> str:
    """An account number shown as its first 4 and last 4 digits: 6228 **** 1234."""
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return f"{number[:4]} **** {number[-4:]}"


class Program(models.Model):
    """A benefit program. `rule` names its eligibility rule in programs.py (code); what a
    county changes (amounts, ages, dates, a top-up) is in its ProgramParameters rows."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("项目名称", max_length=100)
    rule = models.CharField("资格规则", max_length=40)
    description = models.TextField("说明", blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "扶助项目"
        verbose_name_plural = "扶助项目"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class ProgramParameters(models.Model):
    """The program's parameters from `effective_from` on, until a later row. Never edited
    in place: a change is a new row, so every past cycle can still say what applied."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="parameters")
    effective_from = models.DateField("生效日期")
    values = models.JSONField("参数")
    note = models.CharField("依据/说明", max_length=200, blank=True)
    set_at = models.DateTimeField("设定时间", auto_now_add=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "项目参数"
        verbose_name_plural = "项目参数"
        constraints = [
            models.UniqueConstraint(
                fields=["program", "effective_from"], name="benefit_param_effective"
            )
        ]
        ordering = ["program", "-effective_from"]

    def __str__(self) -> str:
        return f"{self.program} {self.effective_from}"


class CycleStatus(models.TextChoices):
    OPEN = "open", "已开启"
    REVIEW = "review", "审核中"
    APPROVED = "approved", "县级已审批"
    FROZEN = "frozen", "花名册已冻结"
    CLOSED = "closed", "已结束"


class Cycle(models.Model):
    """One program's yearly round, for one county."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="cycles")
    county = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="县", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    # Ages and children are counted on this date (default 31 December of the year).
    cutoff_on = models.DateField("资格认定截止日期")
    notice_days = models.PositiveSmallIntegerField("公示天数", default=7)
    status = models.CharField(
        "状态", max_length=10, choices=CycleStatus.choices, default=CycleStatus.OPEN
    )
    opened_at = models.DateTimeField("开启时间", auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    frozen_at = models.DateTimeField("冻结时间", null=True, blank=True)

    class Meta:
        verbose_name = "年度发放周期"
        verbose_name_plural = "年度发放周期"
        constraints = [
            models.UniqueConstraint(fields=["program", "county", "year"], name="benefit_cycle_year")
        ]
        ordering = ["-year", "program"]

    def __str__(self) -> str:
        return f"{self.year}年 {self.program.name}"


class EntryStatus(models.TextChoices):
    CANDIDATE = "candidate", "待村级审核"
    DUPLICATE = "duplicate", "疑似重复待核查"
    VILLAGE_APPROVED = "village_ok", "村级已审核"
    VILLAGE_REJECTED = "village_no", "村级未通过"
    TOWNSHIP_APPROVED = "township_ok", "乡镇已审核"
    TOWNSHIP_REJECTED = "township_no", "乡镇未通过"
    APPROVED = "approved", "县级已审批"


class EntrySource(models.TextChoices):
    REGISTRY = "registry", "人口信息库筛查"
    APPLICATION = "application", "群众申请"


class Entry(models.Model):
    """A person on one cycle's list, from the registry or an application. One per person
    and cycle (a database constraint); the village and the township decide on it."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="entries")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    # The person's village when listed: the jurisdiction key (a village reviews its own).
    unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="所属村(居)", on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField("来源", max_length=12, choices=EntrySource.choices)
    application = models.ForeignKey(
        "benefits.Application", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField("状态", max_length=12, choices=EntryStatus.choices)
    # Why: the criteria as evaluated when listed ([{key, label, passed, reason}, ...]).
    checks = models.JSONField("资格条件", default=list)
    eligible = models.BooleanField("符合条件", default=True)
    category = models.CharField("类别", max_length=20, blank=True)
    monthly_amount = models.DecimalField("月标准(元)", max_digits=10, decimal_places=2)
    from_month = models.DateField("起始月份")
    to_month = models.DateField("截止月份")
    amount_due = models.DecimalField("应发金额(元)", max_digits=12, decimal_places=2)
    duplicate_key = models.CharField("疑似重复", max_length=120, blank=True)
    attested = models.BooleanField("政策符合性已核实", default=False)
    village_note = models.CharField("村级意见", max_length=200, blank=True)
    village_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    village_at = models.DateTimeField(null=True, blank=True)
    township_note = models.CharField("乡镇意见", max_length=200, blank=True)
    township_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    township_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "审核名单"
        verbose_name_plural = "审核名单"
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person"], name="benefit_entry_person")
        ]
        indexes = [
            models.Index(fields=["cycle", "unit", "status"], name="benefit_entry_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.person.name}"


class Notice(models.Model):
    """The public notice (公示) of one village's list in one cycle."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="notices")
    unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="村(居)", on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField("公示开始")
    ends_on = models.DateField("公示结束")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "公示"
        verbose_name_plural = "公示"
        constraints = [
            models.UniqueConstraint(fields=["cycle", "unit"], name="benefit_notice_unit")
        ]

    def __str__(self) -> str:
        return f"公示 {self.starts_on}—{self.ends_on}"


class Objection(models.Model):
    """An objection raised during the notice period, and how it was settled."""

    class Outcome(models.TextChoices):
        OPEN = "open", "待处理"
        UPHELD = "upheld", "异议成立"
        DISMISSED = "dismissed", "异议不成立"

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="objections")
    received_on = models.DateField("收到日期")
    raised_by = models.CharField("反映人", max_length=50, blank=True)
    content = models.CharField("异议内容", max_length=500)
    outcome = models.CharField(
        "处理结果", max_length=10, choices=Outcome.choices, default=Outcome.OPEN
    )
    resolution = models.CharField("处理说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"

    def __str__(self) -> str:
        return f"异议 {self.received_on}"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "已受理"
    LISTED = "listed", "已纳入审核"
    WITHDRAWN = "withdrawn", "已撤回"


class Application(models.Model):
    """A family's application: for 育儿补贴 a parent (`applicant`) for a child
    (`person`); for other programs the person for themself."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="applications")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    applicant = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="所属村(居)", on_delete=models.PROTECT, related_name="+"
    )
    applied_on = models.DateField("申请日期")
    status = models.CharField(
        "状态",
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # An online application whose account differs from the applicant's account on file:
    # the account typed (bank and masked number), for the township to check with the
    # parent. Cleared when the township sets the account or keeps the one on file.
    account_to_check = models.CharField("网上填报账户（待核实）", max_length=150, blank=True)

    class Meta:
        verbose_name = "申请"
        verbose_name_plural = "申请"
        constraints = [
            models.UniqueConstraint(
                fields=["program", "person"],
                condition=~models.Q(status="withdrawn"),
                name="benefit_application_person",
            )
        ]

    def __str__(self) -> str:
        return f"申请 {self.applied_on}"


class BankAccount(models.Model):
    """Where a person's money goes. A change makes a new row and retires the old one
    (kept, with when and by whom), so every past payment file can be explained."""

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="所属村(居)", on_delete=models.PROTECT, related_name="+"
    )
    payee_name = models.CharField("户名", max_length=50)
    bank_name = models.CharField("开户银行", max_length=100)
    account_number = models.CharField("账号", max_length=30)
    active = models.BooleanField("当前使用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "银行账户"
        verbose_name_plural = "银行账户"
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(active=True), name="benefit_account_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.masked}"

    @property
    def masked(self) -> str:
        return mask_account(self.account_number)


class ExitReason(models.TextChoices):
    DEATH = "death", "本人死亡"
    CHILD_DIED = "child_died", "子女死亡"
    NEW_BIRTH = "new_birth", "再生育或收养"
    HUKOU = "hukou", "户口迁出或性质变更"
    RECOVERED = "recovered", "子女康复（残疾等级变化）"
    OVER_AGE = "over_age", "超过年龄"
    OTHER = "other", "其他"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "待发放"
    SENT = "sent", "已生成发放文件"
    PAID = "paid", "已发放"
    FAILED = "failed", "发放失败"


class RosterRow(models.Model):
    """The frozen roster (发放花名册): a copy of who, how much and where to, taken at
    freezing. Later registry edits do not change it; exits and payments are recorded on it."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="roster")
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="roster_row")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="所属村(居)", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    sex = models.CharField("性别", max_length=1)
    birth_date = models.DateField("出生日期")
    hukou_type = models.CharField("户口性质", max_length=10, blank=True)
    category = models.CharField("类别", max_length=20, blank=True)
    monthly_amount = models.DecimalField("月标准(元)", max_digits=10, decimal_places=2)
    from_month = models.DateField("起始月份")
    to_month = models.DateField("截止月份")
    amount_due = models.DecimalField("应发金额(元)", max_digits=12, decimal_places=2)
    payee_name = models.CharField("户名", max_length=50, blank=True)
    bank_name = models.CharField("开户银行", max_length=100, blank=True)
    account_number = models.CharField("账号", max_length=30, blank=True)
    entrant = models.BooleanField("新增对象", default=False)
    exit_month = models.DateField("退出月份", null=True, blank=True)
    exit_reason = models.CharField(
        "退出原因", max_length=12, choices=ExitReason.choices, blank=True
    )
    payment_status = models.CharField(
        "发放状态", max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    paid_amount = models.DecimalField(
        "实发金额(元)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    paid_on = models.DateField("发放日期", null=True, blank=True)
    failure_reason = models.CharField("失败原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "发放花名册"
        verbose_name_plural = "发放花名册"
        indexes = [
            models.Index(fields=["cycle", "unit"], name="benefit_roster_unit"),
            models.Index(fields=["person"], name="benefit_roster_person"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def account_masked(self) -> str:
        return mask_account(self.account_number)


class BankLayout(models.Model):
    """A bank's payment-file layout: the columns it wants, in order, as
    [[header, field], ...] with the fields of payments.LAYOUT_FIELDS."""

    name = models.CharField("格式名称", max_length=50, unique=True)
    columns = models.JSONField("列")
    sheet_name = models.CharField("工作表名", max_length=31, default="代发明细")

    class Meta:
        verbose_name = "银行代发格式"
        verbose_name_plural = "银行代发格式"

    def __str__(self) -> str:
        return self.name
