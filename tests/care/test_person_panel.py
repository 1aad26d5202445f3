"""The person page shows the special family a person belongs to, to users who see care,
within their jurisdiction, as an audited read; nothing for anyone else."""

from __future__ import annotations

from datetime import timedelta

from famplan.audit.models import AuditEntry
from famplan.common.dates import today
from tests.care.conftest import contact, visit


def _page(client, person):
    response = client.get(f"/registry/people/{person.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_the_family_with_its_contacts_and_last_visit(township_clerk, clerk_client, family):
    contact(township_clerk, family, name="王村医")
    visit(township_clerk, family, on=today() - timedelta(days=3))
    page = _page(clerk_client, family.mother)
    assert 'data-testid="panel-care"' in page
    assert f"/care/families/{family.pk}/" in page
    assert "王村医" in page and (today() - timedelta(days=3)).isoformat() in page
    row = AuditEntry.objects.get(action="care.person.viewed")
    assert row.detail == {"families": [family.pk]} and row.org_unit_id == family.mother.unit_id


def test_it_shows_nothing_for_a_person_of_no_special_family(clerk_client, family):
    from tests.registry.factories import person

    stranger = person(family.entered_by, name="路人", sex="M", unit=family.unit_id)
    assert 'data-testid="panel-care"' not in _page(clerk_client, stranger)
    assert not AuditEntry.objects.filter(action="care.person.viewed").exists()
