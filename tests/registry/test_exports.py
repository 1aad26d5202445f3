"""The registry's exports, declared once (registry/exports.py), written through the one
export path (common/exports.py): every declaration reads real rows, IDs masked unless
asked, one audit row with the count, a dated file name."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from famplan.audit.models import AuditEntry
from famplan.registry import exports
from famplan.registry.models import Birth, Death, Household, Marriage, Migration, Person
from famplan.registry.services import (
    birth_record,
    death_record,
    household_create,
    marriage_record,
    migration_out_record,
)
from tests.registry.factories import person

ALL = {
    exports.PEOPLE: Person,
    exports.HOUSEHOLDS: Household,
    exports.BIRTHS: Birth,
    exports.DEATHS: Death,
    exports.MARRIAGES: Marriage,
    exports.MIGRATIONS: Migration,
}


@pytest.fixture
def one_of_each(county_admin):
    husband = person(county_admin, name="王强", born=date(1980, 3, 1))
    wife = person(county_admin, name="李芳", sex="F", born=date(1982, 6, 1))
    household_create(actor=county_admin, unit_id="620422100001", head=husband)
    marriage_record(actor=county_admin, husband=husband, wife=wife, married_on=date(2005, 5, 1))
    birth_record(
        actor=county_admin,
        mother=wife,
        father=husband,
        child_name="王宝",
        sex="M",
        born_on=date(2010, 1, 2),
        place_type="hospital",
    )
    elder = person(county_admin, name="王老", born=date(1930, 8, 1))
    death_record(actor=county_admin, person=elder, died_on=date(2020, 7, 31))
    migration_out_record(
        actor=county_admin, person=husband, moved_on=date(2021, 3, 1), place="兰州市"
    )
    return {"husband": husband, "wife": wife}


def test_it_declares_every_column_of_every_export_once():
    assert {e.kind for e in ALL} == {
        "person", "household", "birth", "death", "marriage", "migration"
    }  # fmt: skip
    for export in ALL:
        headers = [h for h, _ in export.headers]
        assert len(headers) == len(set(headers)), export.kind
        assert export.action == f"registry.{export.kind}.exported"


@pytest.mark.parametrize("export", list(ALL), ids=lambda e: e.kind)
def test_it_reads_a_real_row_for_every_declaration(one_of_each, export):
    rows = list(export.rows(ALL[export].objects.all(), full_ids=False))
    assert rows, export.kind
    assert all(len(row) == len(export.columns) for row in rows)
    for col in export.columns:
        if col.id_number:
            at = export.columns.index(col)
            assert all(row[at] == "" or "*" in row[at] for row in rows), col.header
    full = list(export.rows(ALL[export].objects.all(), full_ids=True))
    assert len(full) == len(rows)


def test_it_shows_labels_ages_and_full_ids_only_when_asked(one_of_each):
    (death,) = exports.DEATHS.rows(Death.objects.all(), full_ids=False)
    by_header = dict(zip([h for h, _ in exports.DEATHS.headers], death, strict=True))
    assert (by_header["姓名"], by_header["死亡年龄"], by_header["性别"]) == ("王老", 89, "男")
    (marriage,) = exports.MARRIAGES.rows(Marriage.objects.all(), full_ids=True)
    assert marriage[1] == one_of_each["husband"].id_number
    assert marriage[5] == "初婚"
    (migration,) = exports.MIGRATIONS.rows(Migration.objects.all(), full_ids=False)
    assert migration[3] == "流出" and migration[1] == one_of_each["husband"].id_masked


def test_it_writes_counts_audits_and_names_the_file_in_one_path(one_of_each, county_client):
    response = county_client.get(reverse("registry:marriage_export"))
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert "%E5%A9%9A%E5%A7%BB%E7%99%BB%E8%AE%B0_" in response["Content-Disposition"]  # 婚姻登记_
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    table = sheet.to_python()
    assert table[0] == [h for h, _ in exports.MARRIAGES.headers]
    assert len(table) == 2
    entry = AuditEntry.objects.get(action="registry.marriage.exported")
    assert (entry.detail["rows"], entry.detail["full_ids"]) == (1, False)
