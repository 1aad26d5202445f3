"""Many audit rows at once (imports, batch writes): the same rows audit_log writes, one
per target, through the one fast insert in audit/services.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from famplan.audit import context
from famplan.audit.models import AppendOnlyError, AuditEntry, Result
from famplan.audit.services import audit_log, audit_log_many, audit_log_rows
from famplan.orgunits.models import OrgUnit
from famplan.registry.models import Person
from tests.registry.factories import person


@pytest.fixture
def from_address():
    token = context.set_current(context.RequestContext(ip="10.1.2.3"))
    yield "10.1.2.3"
    context.reset(token)


def test_it_writes_the_same_row_as_audit_log_for_each_target(
    township_clerk, village_worker, from_address
):
    people = [
        person(village_worker, name="甲", unit="620422100001"),
        person(township_clerk, name="乙", unit="620422100201"),
    ]
    single = audit_log(
        actor=township_clerk,
        action="test.person.done",
        target=people[0],
        org_unit_id="620422100001",
        detail={"via": "import"},
    )

    written = audit_log_many(
        actor=township_clerk,
        action="test.person.done",
        targets=people,
        detail={"via": "import"},
        org_unit_attr="unit_id",
    )

    assert written == 2
    rows = AuditEntry.objects.filter(action="test.person.done").exclude(pk=single.pk)
    columns = ("user_id", "username", "ip", "action", "org_unit_id", "target_type",
               "target_id", "target_label", "detail", "result")  # fmt: skip
    got = sorted(rows.values_list(*columns), key=lambda r: r[4])
    assert got[0] == AuditEntry.objects.values_list(*columns).get(pk=single.pk)
    assert got[1] == (
        township_clerk.pk, "township_clerk", "10.1.2.3", "test.person.done", "620422100201",
        "registry.person", str(people[1].pk), "乙", {"via": "import"}, Result.OK,
    )  # fmt: skip
    for entry in rows:
        assert abs(entry.at - timezone.now()) < dt.timedelta(minutes=1)
        # Written fast, but still append-only like every other row.
        with pytest.raises(AppendOnlyError):
            entry.delete()


def test_it_takes_the_actors_unit_and_keeps_each_targets_type(township_clerk, units):
    village = OrgUnit.objects.get(code="620422100001")
    someone = person(township_clerk, name="丙")
    audit_log_many(actor=township_clerk, action="test.mixed", targets=[someone, village])
    rows = AuditEntry.objects.filter(action="test.mixed")
    assert set(rows.values_list("target_type", "target_id", "org_unit_id")) == {
        ("registry.person", str(someone.pk), "620422100"),
        ("orgunits.orgunit", "620422100001", "620422100"),
    }
    assert audit_log_many(actor=township_clerk, action="test.none", targets=[]) == 0


def test_it_writes_rows_given_as_values_in_batches(township_clerk, from_address):
    # More rows than one executemany batch, from a generator (as an import passes them).
    rows = (("620422100001", n, f"人{n}") for n in range(4500))
    written = audit_log_rows(
        actor=township_clerk,
        action="test.values.done",
        target_type=Person._meta.label_lower,
        rows=rows,
        detail={"via": "import", "n": 1},
    )
    assert written == 4500
    entries = AuditEntry.objects.filter(action="test.values.done")
    assert entries.count() == 4500
    assert set(entries.values_list("org_unit_id", "ip", "username")) == {
        ("620422100001", "10.1.2.3", "township_clerk")
    }
    assert all(d == {"via": "import", "n": 1} for d in entries.values_list("detail", flat=True))
    assert entries.filter(target_id="4499", target_label="人4499").exists()


def test_it_cuts_long_labels_and_writes_without_an_actor(units):
    audit_log_rows(
        actor=None, action="test.system", target_type="registry.person",
        rows=[(None, 1, "长" * 300)],
    )  # fmt: skip
    entry = AuditEntry.objects.get(action="test.system")
    assert entry.user_id is None and entry.username == "" and entry.detail == {}
    assert entry.target_label == "长" * 200
