"""Opening the unfiltered people list is an audited read, like the household list."""

from __future__ import annotations

from famplan.audit.models import AuditEntry
from tests.registry.factories import person

LIST = "/registry/people/"


def test_it_audits_opening_the_unfiltered_list(clerk_client, township_clerk):
    person(township_clerk, name="张三", unit="620422100001")
    assert clerk_client.get(LIST).status_code == 200
    [row] = AuditEntry.objects.filter(action="registry.person.listed")
    assert row.user == township_clerk and row.org_unit_id == "620422100"
    assert row.detail == {"page": 1}


def test_a_search_is_one_row_of_its_own_kind(clerk_client):
    assert clerk_client.get(LIST, {"name": "张"}).status_code == 200
    assert AuditEntry.objects.filter(action="registry.person.searched").count() == 1
    assert not AuditEntry.objects.filter(action="registry.person.listed").exists()
