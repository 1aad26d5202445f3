"""Every registry export, declared once: the columns of each sheet, with the value each
column shows. One streamed query per export (values_list of the fields the columns
name); ID numbers masked unless the full numbers were asked for (by a user with the
right, which the view checks and the audit row records).

The views hand the rows to famplan.common.exports.export_download, the one path that
writes, counts, audits and names the file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from famplan.common.dates import age_on
from famplan.registry.models import (
    ON_REGISTER,
    BirthPlace,
    Direction,
    MarriageEnd,
    MarriageKind,
    MigrationStatus,
    Person,
    PersonStatus,
    Sex,
)
from famplan.registry.selectors.ids import id_for_export

EXPORT_CHUNK = 5000


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    fields: tuple[str, ...]  # what the column reads from each row, in order
    show: Callable[..., object] | None = None  # those values -> the cell (default: as is)
    id_number: bool = False  # an ID number: masked unless full numbers were asked for


def column(
    header: str,
    width: float,
    *fields: str,
    show: Callable[..., object] | None = None,
    id_number: bool = False,
) -> Column:
    return Column(header, width, fields, show, id_number)


def labels(choices: Any) -> Callable[[object], object]:
    """A choice's Chinese label instead of its stored value."""
    names = dict(choices.choices)
    return lambda value: names.get(value, value)


def _age(born: date | None, day: date | None) -> int | None:
    return None if born is None or day is None else age_on(born, day)


def _unchanged(queryset: QuerySet) -> QuerySet:
    return queryset


@dataclass(frozen=True)
class RegistryExport:
    kind: str  # the audit action is registry.<kind>.exported
    sheet: str  # the sheet's name, and the file's
    columns: tuple[Column, ...]
    # Annotations and order the columns need, applied to the filtered queryset.
    prepare: Callable[[QuerySet], QuerySet] = field(default=_unchanged)

    @property
    def action(self) -> str:
        return f"registry.{self.kind}.exported"

    @property
    def headers(self) -> list[tuple[str, float]]:
        return [(c.header, c.width) for c in self.columns]

    def rows(self, queryset: QuerySet, *, full_ids: bool) -> Iterator[tuple]:
        """The rows of the sheet: one query, streamed in chunks."""
        fields = list(dict.fromkeys(f for c in self.columns for f in c.fields))
        position = {name: i for i, name in enumerate(fields)}
        plan = [(c, [position[f] for f in c.fields]) for c in self.columns]
        values = (
            self.prepare(queryset.prefetch_related(None))
            .values_list(*fields)
            .iterator(chunk_size=EXPORT_CHUNK)
        )
        for row in values:
            cells = []
            for col, at in plan:
                args = [row[i] for i in at]
                if col.id_number:
                    cells.append(id_for_export(args[0], full_ids))
                elif col.show is not None:
                    cells.append(col.show(*args))
                else:
                    cells.append(args[0])
            yield tuple(cells)


def _village() -> tuple[Column, Column]:
    return (column("村(居)代码", 14, "unit_id"), column("村(居)", 14, "unit__name"))


PEOPLE = RegistryExport(
    kind="person",
    sheet="人员名单",
    columns=(
        column("姓名", 12, "name"),
        column("身份证号", 21, "id_number", id_number=True),
        column("性别", 6, "sex", show=labels(Sex)),
        column("出生日期", 12, "birth_date"),
        column("民族", 8, "ethnicity"),
        *_village(),
        column("户号", 18, "household__number"),
        column("状态", 10, "status", show=labels(PersonStatus)),
    ),
    prepare=lambda people: people.order_by("unit_id", "name", "id"),
)


def _with_member_counts(households: QuerySet) -> QuerySet:
    # Living members on the register, as the household page counts them: a correlated
    # count, not a query per row.
    members = (
        Person.objects.filter(household_id=OuterRef("pk"), status__in=ON_REGISTER)
        .order_by()
        .values("household_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return households.annotate(
        member_count=Coalesce(Subquery(members, output_field=IntegerField()), 0)
    )


HOUSEHOLDS = RegistryExport(
    kind="household",
    sheet="户名单",
    columns=(
        column("户号", 18, "number"),
        column("户主", 12, "head__name"),
        column("户主身份证号", 21, "head__id_number", id_number=True),
        column("人数", 6, "member_count"),
        *_village(),
        column("住址", 24, "address"),
        column("状态", 8, "dissolved_on", show=lambda day: "已撤销" if day else "在册"),
        column("撤销日期", 12, "dissolved_on"),
    ),
    prepare=_with_member_counts,
)

BIRTHS = RegistryExport(
    kind="birth",
    sheet="出生登记",
    columns=(
        column("婴儿姓名", 12, "child__name"),
        column("性别", 6, "sex", show=labels(Sex)),
        column("出生日期", 12, "born_on"),
        column("孩次", 6, "birth_order"),
        column("母亲", 12, "mother__name"),
        column("母亲身份证号", 21, "mother__id_number", id_number=True),
        column("父亲", 12, "father__name"),
        column("出生地点", 10, "place_type", show=labels(BirthPlace)),
        column("助产机构", 20, "facility"),
        column("出生体重(克)", 12, "weight_g"),
        column("出生医学证明编号", 16, "medical_certificate_number"),
        *_village(),
    ),
)

DEATHS = RegistryExport(
    kind="death",
    sheet="死亡登记",
    columns=(
        column("姓名", 12, "person__name"),
        column("身份证号", 21, "person__id_number", id_number=True),
        column("性别", 6, "person__sex", show=labels(Sex)),
        column("出生日期", 12, "person__birth_date"),
        column("死亡年龄", 8, "person__birth_date", "died_on", show=_age),
        column("死亡日期", 12, "died_on"),
        column("死亡原因", 20, "cause"),
        column("死亡地点", 16, "place"),
        *_village(),
    ),
)

MARRIAGES = RegistryExport(
    kind="marriage",
    sheet="婚姻登记",
    columns=(
        column("丈夫", 12, "husband__name"),
        column("丈夫身份证号", 21, "husband__id_number", id_number=True),
        column("妻子", 12, "wife__name"),
        column("妻子身份证号", 21, "wife__id_number", id_number=True),
        column("结婚日期", 12, "married_on"),
        column("婚姻类型", 8, "kind", show=labels(MarriageKind)),
        column("终止日期", 12, "ended_on"),
        column("终止原因", 8, "end_cause", show=labels(MarriageEnd)),
        *_village(),
    ),
)

MIGRATIONS = RegistryExport(
    kind="migration",
    sheet="流动人口",
    columns=(
        column("姓名", 12, "person__name"),
        column("身份证号", 21, "person__id_number", id_number=True),
        column("性别", 6, "person__sex", show=labels(Sex)),
        column("方向", 6, "direction", show=labels(Direction)),
        column("流动日期", 12, "moved_on"),
        column("流入地/流出地", 24, "place"),
        column("工作单位", 20, "employer"),
        column("联系电话", 14, "contact_phone"),
        column("状态", 10, "status", show=labels(MigrationStatus)),
        column("返回日期", 12, "returned_on"),
        *_village(),
    ),
)
