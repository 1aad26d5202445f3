"""What people put in import cells: ID numbers in full-width or with an Excel
apostrophe, digits of other scripts, 15-digit numbers, very old birth dates, control and
invisible characters. Through the cleaners, the import framework and the import job."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from famplan.common.dates import TOO_EARLY_MESSAGE
from famplan.common.idnumbers import FIRST_GENERATION_REFUSED, make_id_number
from famplan.jobs.models import Job, JobStatus
from famplan.registry.models import Birth, Person
from famplan.transfer.imports.columns import CellInvalid, date, id_number, integer, text
from tests.registry.factories import person
from tests.registry.test_imports_events import BIRTH_HEADER
from tests.transfer.test_import_views import upload
from tests.transfer.test_imports import PERSON_HEADER, errors_of, fail, person_row, run

BORN = dt.date(1990, 5, 17)
NUMBER = make_id_number("620422", BORN, 321, "F")
SUPERSCRIPT = NUMBER[:17] + "²"
OLD_BORN = dt.date(1880, 5, 17)
OLD = make_id_number("620422", OLD_BORN, 4, "F")


def full_width(value: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in value)


def refusal(clean, value) -> str:
    with pytest.raises(CellInvalid) as caught:
        clean(value)
    return str(caught.value)


# --- the cleaners -------------------------------------------------------------------------


@pytest.mark.parametrize("check", [True, False])
def test_the_id_cleaner_normalises_and_refuses_non_standard_digits(check):
    clean = id_number(check=check)
    for typed in (full_width(NUMBER), "'" + NUMBER, f"\u3000{NUMBER}\xa0", NUMBER.lower()):
        assert clean(typed) == NUMBER
    assert refusal(clean, SUPERSCRIPT).startswith("身份证号含有非标准数字“²”（第18位）")
    assert refusal(clean, NUMBER[:5] + "٣" + NUMBER[6:]).startswith("身份证号含有非标准数字“٣”")


def test_the_id_cleaner_converts_a_persons_own_15_digit_number_and_refuses_a_lookup():
    old = NUMBER[:6] + NUMBER[8:17]
    assert id_number(check=False)(old) == NUMBER
    assert refusal(id_number(check=True), old) == FIRST_GENERATION_REFUSED


def test_the_date_cleaner_takes_1880_and_refuses_dates_before_the_earliest():
    clean = date()
    assert clean("1880-05-17") == OLD_BORN
    assert clean(18800517) == OLD_BORN
    assert clean("1850-01-01") == dt.date(1850, 1, 1)
    assert refusal(clean, "1849-12-31") == TOO_EARLY_MESSAGE
    assert refusal(clean, dt.date(1700, 1, 1)) == TOO_EARLY_MESSAGE


def test_the_integer_cleaner_refuses_digits_int_cannot_read():
    clean = integer(300, 7000, "出生体重应在300至7000克之间")
    assert refusal(clean, "3²00") == "应为整数"
    assert refusal(clean, "٣٠٠٠") == "应为整数"
    assert clean("3200") == 3200


def test_the_text_cleaner_refuses_control_and_invisible_characters():
    clean = text(50)
    assert clean(" 张秀英 ") == "张秀英"
    assert refusal(clean, "张\x00秀英") == "含有不可见的控制字符（U+0000），请删除后重新填写"
    assert refusal(clean, "\u200b\u200b") == "不能只由空格或不可见字符组成"


@given(st.one_of(st.text(), st.integers(), st.floats(), st.booleans(), st.dates()))
def test_the_id_cleaner_raises_only_cell_invalid(value):
    for check in (True, False):
        try:
            result = id_number(check=check)(value)
        except CellInvalid:
            continue
        assert isinstance(result, str) and result.isascii()


# --- whole files ----------------------------------------------------------------------------


@pytest.fixture
def clerk(township_clerk):
    return township_clerk


def test_it_refuses_a_full_width_copy_of_a_registered_person(clerk):
    existing = person(clerk, name="李桂兰", sex="F", born=BORN)
    row = person_row("李桂兰", "F", BORN, id_number=full_width(existing.id_number))
    failure = fail(clerk, "persons", [PERSON_HEADER, row])
    assert errors_of(failure) == {(2, "身份证号", f"身份证号{existing.id_number}已登记")}
    assert Person.objects.count() == 1


def test_it_stores_typed_variants_of_id_numbers_in_the_plain_form(clerk):
    variants = ["'{}", "{}\u3000", " {} ", "＇{}"]
    rows = [PERSON_HEADER]
    numbers = []
    for sequence, pattern in enumerate(variants):
        number = make_id_number("620422", BORN, 400 + sequence, "F")
        numbers.append(number)
        rows.append(person_row(f"某{sequence}", "F", BORN, id_number=pattern.format(number)))
    first17 = "62042219800101006"  # ends in X
    rows.append(person_row("某x", "F", dt.date(1980, 1, 1), id_number=first17 + "x"))
    run(clerk, "persons", rows)
    assert set(Person.objects.values_list("id_number", flat=True)) == {*numbers, first17 + "X"}


def test_it_reports_a_non_standard_digit_on_its_row_instead_of_crashing(clerk):
    rows = [PERSON_HEADER, person_row(), person_row(id_number=SUPERSCRIPT)]
    assert errors_of(fail(clerk, "persons", rows)) == {
        (3, "身份证号", "身份证号含有非标准数字“²”（第18位），请用半角数字0-9填写")
    }
    assert not Person.objects.exists()


def test_it_converts_an_agreeing_15_digit_number_and_refuses_a_disagreeing_one(clerk):
    good = person_row("王老", "M", dt.date(1965, 3, 2))
    good[1] = good[1][:6] + good[1][8:17]
    # The 15 digits on a row with another birth date: the number is not trusted.
    wrong_day = person_row("王老", "M", dt.date(1965, 3, 3), id_number=good[1])
    failure = fail(clerk, "persons", [PERSON_HEADER, wrong_day])
    mismatch = "出生日期1965-03-03与身份证号中的1965-03-02不一致"
    assert errors_of(failure) == {(2, "出生日期", mismatch)}

    result = run(clerk, "persons", [PERSON_HEADER, good])
    assert result.rows == 1
    stored = Person.objects.get().id_number
    assert len(stored) == 18 and stored[:6] + stored[8:17] == good[1]


def test_it_imports_a_person_born_in_1880_and_refuses_one_before_the_earliest_date(clerk):
    old = person_row("百岁", "F", OLD_BORN, id_number=OLD)
    old[3] = "1880-05-17"  # Excel has no dates before 1900: such a cell is text
    result = run(clerk, "persons", [PERSON_HEADER, old])
    assert result.rows == 1
    assert Person.objects.get().birth_date == OLD_BORN
    older = person_row("太老", "F", OLD_BORN)
    older[1], older[3] = "", "1849-12-31"
    assert errors_of(fail(clerk, "persons", [PERSON_HEADER, older])) == {
        (2, "出生日期", TOO_EARLY_MESSAGE)
    }


def test_it_refuses_control_characters_and_invisible_names_naming_the_column(clerk):
    nul = person_row("张\x00伟")
    invisible = person_row("\u200b\u3164")
    household = person_row("王五")
    household[7] = "H\x01"
    rows = [PERSON_HEADER, nul, invisible, household]
    assert errors_of(fail(clerk, "persons", rows)) == {
        (2, "姓名", "含有不可见的控制字符（U+0000），请删除后重新填写"),
        (3, "姓名", "不能只由空格或不可见字符组成"),
        (4, "户号", "含有不可见的控制字符（U+0001），请删除后重新填写"),
    }


def test_it_finds_a_mother_by_her_full_width_number_in_a_births_file(clerk):
    mother = person(clerk, name="李桂兰", sex="F", born=BORN)
    row = ["王小宝", "男", dt.date(2024, 1, 2), full_width(mother.id_number), "", "医院", "",
           3300, ""]  # fmt: skip
    assert run(clerk, "births", [BIRTH_HEADER, row]).counts == {"births": 1}
    assert Birth.objects.get().mother == mother
    row[3] = mother.id_number[:17] + "²"
    row[0] = "王二宝"
    assert errors_of(fail(clerk, "births", [BIRTH_HEADER, row])) == {
        (2, "母亲身份证号", "身份证号含有非标准数字“²”（第18位），请用半角数字0-9填写")
    }


# --- the import job ---------------------------------------------------------------------------


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_the_import_job_fails_with_a_report_on_a_superscript_digit(
    clerk_client,
    media,
    django_capture_on_commit_callbacks,
):
    rows = [PERSON_HEADER, person_row("甲"), person_row("乙", id_number=SUPERSCRIPT)]
    upload(clerk_client, "persons", rows, capture=django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("文件有 1 行共 1 处错误，未导入任何数据。"), job.error
    assert clerk_client.get(reverse("jobs:download", args=[job.pk])).status_code == 200
    assert not Person.objects.exists()
