"""The person page's benefits panel: the person's places on the yearly lists with the
roster's payment, their applications, the account masked; audited, in scope only."""

from __future__ import annotations

from datetime import timedelta

from famplan.audit.models import AuditEntry
from famplan.benefits import services
from famplan.benefits.models import Entry, RosterRow
from famplan.common.dates import today
from tests.benefits.conftest import family
from tests.conftest import client_for


def _page(client, person):
    response = client.get(f"/registry/people/{person.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_the_entries_applications_and_masked_account(frozen, clerk_client, auditor):
    cycle, mine, _ = frozen
    row = RosterRow.objects.get(cycle=cycle, person=mine.father)
    page = _page(clerk_client, mine.father)
    assert 'data-testid="panel-benefits"' in page
    entry = Entry.objects.get(cycle=cycle, person=mine.father)
    assert f"/benefits/entries/{entry.pk}/" in page and str(row.amount_due) in page
    assert "6229 **** 2222" in page and "6229000011112222" not in page
    assert "登记或变更" in page  # the clerk may change the account
    assert "登记或变更" not in _page(client_for(auditor), mine.father)
    rows = AuditEntry.objects.filter(action="benefits.person.viewed")
    assert rows.count() == 2 and rows.first().detail["entries"] == 1


def test_it_lists_an_application_made_for_a_child_on_the_parents_page(
    programs, county_admin, township_clerk, clerk_client, other_client
):
    f = family(county_admin, father_born=today().replace(year=today().year - 30),
               children=(("F", today() - timedelta(days=100)),))  # fmt: skip
    services.application_submit(
        actor=township_clerk, program=programs["childcare_subsidy"], person=f.children[0],
        applicant=f.mother, applied_on=today(),
    )  # fmt: skip
    page = _page(clerk_client, f.mother)
    assert 'data-testid="person-benefit-applications"' in page
    assert f"{f.mother.name}为{f.children[0].name}申请" in page
    # another township's clerk does not reach the person's page at all
    assert other_client.get(f"/registry/people/{f.mother.pk}/").status_code == 404


def test_it_shows_nothing_for_a_person_with_no_benefit(programs, county_admin, clerk_client):
    f = family(county_admin)
    assert 'data-testid="panel-benefits"' not in _page(clerk_client, f.mother)
    assert not AuditEntry.objects.filter(action="benefits.person.viewed").exists()
