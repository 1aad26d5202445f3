"""The county run's SQL narrowing only narrows: on random families (ages around the
cut-offs, children alive, dead or disabled, a father with children by two mothers,
certificates, urban and rural), every program's run finds exactly the people whom the
one-person explanation, which reads each person without any narrowing, finds eligible."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from famplan.benefits import eligibility
from famplan.registry.models import Birth, Person
from tests.benefits.conftest import die, family
from tests.registry.factories import person

CUTOFF = date(2026, 12, 31)


class Rollback(Exception):
    pass


CHILD = st.tuples(
    st.sampled_from("MF"),
    st.dates(date(1975, 1, 1), date(2026, 6, 30)),
    st.one_of(st.none(), st.dates(date(2000, 1, 1), date(2026, 6, 30))),  # died on
    st.sampled_from([None, 3, 4]),  # disability grade: 3 passes 特别扶助, 4 does not
)
FAMILY = st.fixed_dictionaries(
    {
        "father_born": st.dates(date(1930, 6, 1), date(1980, 1, 1)),
        "mother_born": st.dates(date(1932, 1, 1), date(1980, 1, 1)),  # 49 in 2026: 1977
        "children": st.lists(CHILD, max_size=2),
        "hukou": st.sampled_from(["rural", "urban"]),
        "married": st.booleans(),
        "certificate": st.booleans(),
        "second_mother_child": st.one_of(st.none(), CHILD),
    }
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(families=st.lists(FAMILY, min_size=1, max_size=3))
def test_the_run_finds_whom_the_explanations_find(county_admin, programs, families):
    try:
        with transaction.atomic():
            for i, spec in enumerate(families):
                kids = tuple(
                    (sex, born, died if died and died > born else None, grade)
                    for sex, born, died, grade in spec["children"]
                )
                f = family(
                    county_admin, father_born=spec["father_born"],
                    mother_born=spec["mother_born"], children=kids, hukou=spec["hukou"],
                    married=spec["married"], surname="赵钱孙"[i],
                )  # fmt: skip
                if spec["certificate"]:
                    Person.objects.filter(pk__in=[f.father.pk, f.mother.pk]).update(
                        one_child_certificate_on=date(2000, 1, 1)
                    )
                if extra := spec["second_mother_child"]:
                    sex, born, died, grade = extra
                    other = person(county_admin, name=f"{'赵钱孙'[i]}后母", sex="F",
                                   born=date(1970, 1, 1))  # fmt: skip
                    child = person(county_admin, name=f"{'赵钱孙'[i]}后子", sex=sex, born=born)
                    Person.objects.filter(pk=child.pk).update(disability_grade=grade)
                    Birth.objects.create(
                        unit_id=child.unit_id, child=child, mother=other, father=f.father,
                        born_on=born, sex=sex, birth_order=1, place_type="hospital",
                    )  # fmt: skip
                    if died and died > born:
                        die(child, died)
            everyone = list(Person.objects.all())
            for code, program in programs.items():
                run = {r.facts["pk"] for r in eligibility.run(program, CUTOFF, "620422")}
                one_by_one = {
                    p.pk for p in everyone if eligibility.explain(program, p, CUTOFF).eligible
                }
                assert run == one_by_one, code
            raise Rollback
    except Rollback:
        pass
