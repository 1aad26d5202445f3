"""The birth rules the form and the import share: the mother's age (15 to 55), probable
duplicates and twins, later births renumbered when an earlier one is entered, and the
birth medical certificate number (出生医学证明编号). Via the service, the form and the import."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from famplan.audit.models import AuditEntry
from famplan.registry.models import Birth, Person
from famplan.registry.services import birth_record, death_record
from famplan.registry.services.births import (
    CERTIFICATE_SHAPE,
    MAX_MOTHER_AGE,
    MIN_MOTHER_AGE,
    normalize_certificate_number,
)
from famplan.registry.services.people import FieldError
from tests.registry.factories import person
from tests.transfer.test_imports import errors_of, fail, run

OTHER_VILLAGE = "620422101201"
HEADER = ["婴儿姓名", "性别", "出生日期", "母亲身份证号", "父亲身份证号", "出生地点",
          "出生医学证明编号", "多胞胎"]  # fmt: skip


def birth(actor, mother, born_on, *, father=None, name="孩子", sex="M", **extra) -> Birth:
    return birth_record(
        actor=actor, mother=mother, father=father, child_name=name, sex=sex, born_on=born_on,
        place_type="hospital", **extra,
    )  # fmt: skip


def refusal(call) -> FieldError:
    with pytest.raises(FieldError) as caught:
        call()
    return caught.value


@pytest.fixture
def couple(township_clerk):
    husband = person(township_clerk, name="王强", sex="M", born=date(1988, 3, 1))
    wife = person(township_clerk, name="李芳", sex="F", born=date(1990, 6, 1))
    return husband, wife


def orders() -> dict[str, int]:
    return dict(Birth.objects.values_list("child__name", "birth_order"))


# --- the mother's age ---------------------------------------------------------------------


class TestMotherAge:
    def test_it_refuses_a_mother_of_five_naming_her_age(self, township_clerk):
        girl = person(township_clerk, name="小女孩", sex="F", born=date(2019, 3, 1))
        error = refusal(lambda: birth(township_clerk, girl, date(2024, 3, 2)))
        assert error.field == "mother"
        assert error.message == (
            "母亲小女孩生育时5岁，不在15至55岁之间，请核对母亲和婴儿的出生日期"
        )
        assert not Birth.objects.exists() and not Person.objects.filter(name="孩子").exists()

    def test_it_takes_the_bounds_themselves(self, township_clerk):
        assert (MIN_MOTHER_AGE, MAX_MOTHER_AGE) == (15, 55)
        young = person(township_clerk, name="年轻", sex="F", born=date(2005, 5, 5))
        refusal(lambda: birth(township_clerk, young, date(2020, 5, 4)))  # 14 the day before
        assert birth(township_clerk, young, date(2020, 5, 5)).birth_order == 1  # 15 that day
        older = person(township_clerk, name="年长", sex="F", born=date(1968, 5, 5))
        assert birth(township_clerk, older, date(2024, 5, 4), name="五十五").birth_order == 1
        error = refusal(lambda: birth(township_clerk, older, date(2024, 5, 5), name="五十六"))
        assert "56岁" in error.message

    def test_the_quality_rule_uses_the_same_bounds(self):
        from famplan.quality import rules

        assert (rules.MOTHER_AGE_MIN, rules.MOTHER_AGE_MAX) == (MIN_MOTHER_AGE, MAX_MOTHER_AGE)
        assert rules.RULES[rules.MOTHER_AGE].title == "生育时母亲年龄不在15-55岁"

    def test_the_form_refuses_her_even_when_its_url_is_opened_directly(
        self, clerk_client, township_clerk
    ):
        girl = person(township_clerk, name="小女孩", sex="F", born=date(2019, 3, 1))
        url = reverse("registry:birth_create") + f"?mother={girl.pk}"
        response = clerk_client.post(
            url, {"child_name": "婴", "sex": "M", "born_on": "2024-03-02", "place_type": "home"}
        )
        assert response.status_code == 200
        assert response.context["form"].non_field_errors() == [
            "母亲小女孩生育时5岁，不在15至55岁之间，请核对母亲和婴儿的出生日期"
        ]
        assert "生育时5岁" in response.content.decode()
        assert not Birth.objects.exists()

    def test_the_import_refuses_her(self, township_clerk):
        girl = person(township_clerk, name="小女孩", sex="F", born=date(2019, 3, 1))
        failure = fail(
            township_clerk,
            "births",
            [HEADER, ["婴", "男", date(2024, 3, 2), girl.id_number, "", "家中", "", ""]],
        )
        assert errors_of(failure) == {
            (2, "母亲身份证号", "母亲小女孩生育时5岁，不在15至55岁之间，请核对母亲和婴儿的出生日期")
        }


# --- probable duplicates and twins -----------------------------------------------------------


class TestDuplicates:
    def test_it_refuses_the_same_child_entered_twice(self, township_clerk, couple):
        husband, wife = couple
        day = date(2023, 4, 4)
        birth(township_clerk, wife, day, father=husband, name="王一", sex="M")
        same_name = refusal(lambda: birth(township_clerk, wife, day, name="王一", sex="F"))
        assert same_name.field == "multiple"
        assert same_name.message == (
            "该母亲已登记同日（2023-04-04）出生的王一（男）疑似重复；如为双胞胎或多胞胎，请注明“多胞胎”"
        )
        same_sex = refusal(lambda: birth(township_clerk, wife, day, name="王二", sex="M"))
        assert same_sex.field == "multiple"
        assert Birth.objects.count() == 1

    def test_it_records_twins_said_so_with_consecutive_orders(self, township_clerk, couple):
        husband, wife = couple
        day = date(2023, 4, 4)
        birth(township_clerk, wife, day, father=husband, name="王一", sex="M")
        birth(township_clerk, wife, day, father=husband, name="王二", sex="M", multiple=True)
        birth(township_clerk, wife, day, father=husband, name="王三", sex="M", multiple=True)
        assert orders() == {"王一": 1, "王二": 2, "王三": 3}

    def test_it_does_not_take_another_day_or_another_child_for_a_duplicate(
        self, township_clerk, couple
    ):
        _, wife = couple
        birth(township_clerk, wife, date(2021, 1, 1), name="王一", sex="M")
        birth(township_clerk, wife, date(2023, 1, 1), name="王一", sex="M")  # another day
        birth(township_clerk, wife, date(2023, 1, 1), name="王妹", sex="F")  # name and sex differ
        assert Birth.objects.count() == 3

    def test_the_form_has_a_twins_checkbox(self, clerk_client, township_clerk, couple):
        _, wife = couple
        birth(township_clerk, wife, date(2024, 1, 2), name="大宝", sex="M")
        values = {
            "mother_id_number": wife.id_number, "child_name": "二宝", "sex": "M",
            "born_on": "2024-01-02", "place_type": "hospital",
        }  # fmt: skip
        url = reverse("registry:birth_create")
        page = clerk_client.get(url).content.decode()
        assert 'type="checkbox" name="multiple"' in page and "多胞胎" in page
        response = clerk_client.post(url, values)
        assert "疑似重复" in response.context["form"].errors["multiple"][0]
        response = clerk_client.post(url, {**values, "multiple": "on"})
        assert response.status_code == 302
        assert orders() == {"大宝": 1, "二宝": 2}

    def test_the_import_finds_duplicates_within_the_file(self, township_clerk, couple):
        _, wife = couple
        day = date(2022, 2, 2)
        rows = [
            HEADER,
            ["甲", "男", day, wife.id_number, "", "医院", "", ""],
            ["乙", "男", day, wife.id_number, "", "医院", "", ""],
        ]
        failure = fail(township_clerk, "births", rows)
        assert errors_of(failure) == {
            (3, "多胞胎",
             "与第 2 行同日（2022-02-02）出生的甲（男）疑似重复；"
             "如为双胞胎或多胞胎，请注明“多胞胎”"),
        }  # fmt: skip
        rows[2][7] = "是"
        assert run(township_clerk, "births", rows).counts == {"births": 2}
        assert orders() == {"甲": 1, "乙": 2}

    def test_the_import_says_what_the_twins_column_takes(self, township_clerk, couple):
        _, wife = couple
        rows = [HEADER, ["甲", "男", date(2022, 2, 2), wife.id_number, "", "医院", "", "也许"]]
        assert errors_of(fail(township_clerk, "births", rows)) == {(2, "多胞胎", "应为“是”或“否”")}


# --- births entered out of date order ------------------------------------------------------


class TestLaterOrders:
    def test_it_moves_the_couples_later_births_on_with_an_audit_row_each(
        self, township_clerk, couple
    ):
        husband, wife = couple
        birth(township_clerk, wife, date(2016, 1, 1), father=husband, name="老大")
        third = birth(township_clerk, wife, date(2022, 1, 1), father=husband, name="老三")
        fourth = birth(township_clerk, wife, date(2024, 1, 1), father=husband, name="老四")
        version = third.version
        second = birth(township_clerk, wife, date(2019, 1, 1), father=husband, name="老二")
        assert second.birth_order == 2
        assert orders() == {"老大": 1, "老二": 2, "老三": 3, "老四": 4}
        third.refresh_from_db()
        assert third.version == version + 1
        moved = AuditEntry.objects.filter(action="registry.birth.updated").order_by("target_id")
        assert [(int(e.target_id), e.detail["birth_order"]) for e in moved] == [
            (third.pk, [2, 3]),
            (fourth.pk, [3, 4]),
        ]
        assert all(e.user_id == township_clerk.pk for e in moved)

    def test_it_leaves_an_order_carried_in_that_is_already_high_enough(
        self, township_clerk, couple
    ):
        # The old systems said 3: the second child is the one now entered.
        husband, wife = couple
        birth(township_clerk, wife, date(2016, 1, 1), father=husband, name="老大")
        later = birth(township_clerk, wife, date(2022, 1, 1), father=husband, name="老三")
        Birth.objects.filter(pk=later.pk).update(birth_order=3)
        birth(township_clerk, wife, date(2019, 1, 1), father=husband, name="老二")
        assert orders() == {"老大": 1, "老二": 2, "老三": 3}
        assert not AuditEntry.objects.filter(action="registry.birth.updated").exists()

    def test_it_counts_for_the_mothers_later_births_without_a_father(self, township_clerk, couple):
        husband, wife = couple
        other = person(township_clerk, name="刘军", sex="M", born=date(1985, 1, 1))
        birth(township_clerk, wife, date(2016, 1, 1), father=husband, name="老大")
        birth(township_clerk, wife, date(2021, 1, 1), name="无父")  # counts all hers: 2
        birth(township_clerk, wife, date(2023, 1, 1), father=other, name="另一对")  # 1
        birth(township_clerk, wife, date(2018, 1, 1), father=husband, name="老二")
        assert orders() == {"老大": 1, "老二": 2, "无父": 3, "另一对": 1}

    def test_the_import_renumbers_later_births_too(self, township_clerk, couple):
        husband, wife = couple
        birth(township_clerk, wife, date(2016, 1, 1), father=husband, name="老大")
        last = birth(township_clerk, wife, date(2023, 1, 1), father=husband, name="老四")
        rows = [
            HEADER,
            ["老三", "女", date(2021, 1, 1), wife.id_number, husband.id_number, "医院", "", ""],
            ["老二", "男", date(2019, 1, 1), wife.id_number, husband.id_number, "医院", "", ""],
        ]
        run(township_clerk, "births", rows)
        assert orders() == {"老大": 1, "老二": 2, "老三": 3, "老四": 4}
        (moved,) = AuditEntry.objects.filter(action="registry.birth.updated")
        assert int(moved.target_id) == last.pk
        assert moved.detail == {
            "birth_order": [2, 4], "cause": "earlier_birth_entered", "via": "import"
        }  # fmt: skip


# --- 出生医学证明编号 ---------------------------------------------------------------------------


class TestCertificateNumber:
    def test_it_stores_the_number_as_printed(self, township_clerk, couple):
        _, wife = couple
        record = birth(
            township_clerk,
            wife,
            date(2024, 1, 1),
            medical_certificate_number=" q６２００１２３４５ ",
        )
        record.refresh_from_db()
        assert record.medical_certificate_number == "Q620012345"

    def test_it_refuses_a_number_of_the_wrong_shape_or_one_taken(self, township_clerk, couple):
        _, wife = couple
        error = refusal(
            lambda: birth(
                township_clerk, wife, date(2024, 1, 1), medical_certificate_number="12-34"
            )
        )
        assert error.field == "medical_certificate_number"
        assert (
            error.message == "出生医学证明编号应为字母加数字，通常为1位字母和9位数字，如Q620012345"
        )
        birth(township_clerk, wife, date(2020, 1, 1), medical_certificate_number="Q620012345")
        error = refusal(
            lambda: birth(
                township_clerk,
                wife,
                date(2024, 1, 1),
                name="二",
                medical_certificate_number="q620012345",
            )
        )
        assert error.message == "出生医学证明编号Q620012345已登记"

    def test_births_without_a_number_do_not_clash(self, township_clerk, couple):
        _, wife = couple
        birth(township_clerk, wife, date(2020, 1, 1), name="一")
        birth(township_clerk, wife, date(2022, 1, 1), name="二")
        assert Birth.objects.filter(medical_certificate_number__isnull=True).count() == 2

    def test_the_import_reads_it_and_finds_repeats_in_the_file(self, township_clerk, couple):
        _, wife = couple
        rows = [
            HEADER,
            ["一", "男", date(2020, 1, 1), wife.id_number, "", "医院", "Q620000001", ""],
            ["二", "女", date(2022, 1, 1), wife.id_number, "", "医院", "q620000001", ""],
            ["三", "女", date(2023, 1, 1), wife.id_number, "", "医院", "第一号", ""],
        ]
        assert errors_of(fail(township_clerk, "births", rows)) == {
            (3, "出生医学证明编号", "出生医学证明编号与第 2 行重复"),
            (4, "出生医学证明编号",
             "出生医学证明编号应为字母加数字，通常为1位字母和9位数字，如Q620012345"),
        }  # fmt: skip
        del rows[2:]
        run(township_clerk, "births", rows)
        assert Birth.objects.get().medical_certificate_number == "Q620000001"

    def test_the_list_and_the_export_show_it(self, clerk_client, township_clerk, couple):
        _, wife = couple
        birth(township_clerk, wife, date(2024, 1, 1), medical_certificate_number="Q620012345")
        page = clerk_client.get(reverse("registry:birth_list")).content.decode()
        assert "出生医学证明编号" in page and "Q620012345" in page
        from tests.registry.test_event_lists import read_xlsx

        rows = read_xlsx(clerk_client.get(reverse("registry:birth_export")))
        column = rows[0].index("出生医学证明编号")
        assert rows[1][column] == "Q620012345"


LETTERS = st.sampled_from("ABCDEFGHJKLMNOPQRSTUVWXYZ")


@given(
    letter=LETTERS,
    digits=st.text("0123456789", min_size=9, max_size=9),
    lower=st.booleans(),
    full_width=st.booleans(),
    pad=st.sampled_from(["", " ", "  ", "\t"]),
    dash=st.booleans(),
)
def test_it_reads_a_typed_certificate_number_however_it_was_typed(
    letter, digits, lower, full_width, pad, dash
):
    canonical = letter + digits
    typed = (letter.lower() if lower else letter) + (
        digits[:3] + "-" + digits[3:] if dash else digits
    )
    if full_width:
        typed = "".join(chr(ord(c) + 0xFEE0) if c != "-" else c for c in typed)
    assert normalize_certificate_number(pad + typed + pad) == canonical
    assert CERTIFICATE_SHAPE.match(canonical)


@given(st.text(max_size=30))
def test_normalising_any_text_is_stable(raw):
    once = normalize_certificate_number(raw)
    assert normalize_certificate_number(once) == once
    if once is not None:
        assert once == once.upper() and not re.search(r"\s", once)


# --- finding the mother by name and village ---------------------------------------------------


class TestMotherSearch:
    URL = "registry:birth_create"

    def search(self, client, **params):
        query = {f"find-{k}": v for k, v in params.items()}
        return client.get(reverse(self.URL), query)

    def test_it_lists_women_on_the_register_with_masked_ids(self, clerk_client, township_clerk):
        found = person(township_clerk, name="李秀英", sex="F", born=date(1992, 2, 2))
        person(township_clerk, name="李秀英", sex="F", born=date(1993, 3, 3), unit="620422100201")
        no_id = person(township_clerk, name="李秀兰", sex="F", born=date(1994, 4, 4), with_id=False)
        person(township_clerk, name="李秀才", sex="M", born=date(1990, 1, 1))
        gone = person(township_clerk, name="李秀梅", sex="F", born=date(1991, 1, 1))
        death_record(actor=township_clerk, person=gone, died_on=date(2023, 1, 1))

        response = self.search(clerk_client, name="李秀")
        mothers = response.context["mothers"]
        assert {m.name for m in mothers} == {"李秀英", "李秀兰"} and len(mothers) == 3
        page = response.content.decode()
        assert found.id_masked in page and found.id_number not in page
        assert "1992-02-02" in page and "无身份证号" in page
        assert f'?mother={no_id.pk}"' in page

        response = self.search(clerk_client, name="李秀英", unit="620422100001")
        assert [m.pk for m in response.context["mothers"]] == [found.pk]
        entry = AuditEntry.objects.filter(action="registry.person.searched").latest("pk")
        assert entry.user_id == township_clerk.pk
        assert entry.detail == {
            "page": "birth_mother", "filter": {"name": "李秀英", "unit": "620422100001"}, "found": 1
        }  # fmt: skip

    def test_the_chosen_mother_needs_no_id_number(self, clerk_client, township_clerk):
        mother = person(township_clerk, name="无证", sex="F", born=date(1994, 4, 4), with_id=False)
        url = reverse(self.URL) + f"?mother={mother.pk}"
        response = clerk_client.post(
            url, {"child_name": "宝", "sex": "F", "born_on": "2024-02-02", "place_type": "home"}
        )
        assert response.status_code == 302 and Birth.objects.get().mother == mother

    def test_it_asks_for_a_name(self, clerk_client):
        response = self.search(clerk_client, name="")
        assert response.context["mother_search"].errors["name"] == ["请填写母亲姓名"]
        assert "mothers" not in response.context
        assert not AuditEntry.objects.filter(action="registry.person.searched").exists()

    @pytest.mark.jurisdiction("registry:birth_create")
    def test_it_finds_no_one_outside_the_jurisdiction(self, other_client, township_clerk):
        person(township_clerk, name="李秀英", sex="F", born=date(1992, 2, 2))
        response = self.search(other_client, name="李秀英")
        assert response.context["mothers"] == []
        assert "未找到符合条件的在册女性" in response.content.decode()
        # A village of another township cannot even be chosen.
        response = self.search(other_client, name="李秀英", unit="620422100001")
        assert "unit" in response.context["mother_search"].errors
        assert "mothers" not in response.context


@given(st.lists(st.dates(date(2000, 1, 1), date(2024, 12, 31)), min_size=1, max_size=8))
def test_births_entered_in_any_order_end_numbered_by_date(days):
    """However a couple's births are entered, one at a time, their orders end up 1..n
    by date (same-day twins in the order they were entered)."""
    from famplan.registry.services.births import RecordedBirth, assign_birth_orders

    recorded: list[RecordedBirth] = []
    for pk, day in enumerate(days, start=1):
        new = RecordedBirth(None, 1, 7, day, 0, f"孩{pk}", "M")
        (order,), changed = assign_birth_orders({1: recorded}, [new])
        recorded = [
            RecordedBirth(b.pk, 1, 7, b.born_on, changed.get(b.pk, (0, b.birth_order))[1],
                          b.child_name, "M")
            for b in recorded
        ] + [RecordedBirth(pk, 1, 7, day, order, f"孩{pk}", "M")]  # fmt: skip
    by_date = sorted(recorded, key=lambda b: (b.born_on, b.birth_order))
    assert [b.birth_order for b in by_date] == list(range(1, len(days) + 1))
    same_day = [b.pk for b in by_date if b.born_on == days[0]]
    assert same_day == sorted(same_day)  # twins keep the order they were entered in


# --- completing a recorded birth (a hospital's delivery matched to it) ----------------------


def test_births_complete_fills_what_a_birth_lacks_and_never_overwrites(township_clerk, couple):
    from famplan.registry.services.births import BirthCompletion, births_complete

    husband, wife = couple
    bare = birth(township_clerk, wife, date(2024, 1, 5), name="甲")
    known = birth(
        township_clerk, wife, date(2026, 1, 5), name="乙", father=husband,
        medical_certificate_number="Q620000009",
    )  # fmt: skip
    other = person(township_clerk, name="赵刚", sex="M", born=date(1985, 1, 1))
    births_complete(
        actor=township_clerk,
        completions=[
            BirthCompletion(bare.pk, "Q620000008", husband.pk),
            BirthCompletion(known.pk, "Q620000007", other.pk),  # has both: left as it is
        ],
        detail={"via": "test"},
    )
    bare.refresh_from_db()
    known.refresh_from_db()
    assert (bare.medical_certificate_number, bare.father_id) == ("Q620000008", husband.pk)
    assert (known.medical_certificate_number, known.father_id) == ("Q620000009", husband.pk)
    rows = AuditEntry.objects.filter(action="registry.birth.updated")
    assert [(r.target_id, r.detail) for r in rows] == [
        (str(bare.pk), {"filled": ["medical_certificate_number", "father"], "via": "test"})
    ]
