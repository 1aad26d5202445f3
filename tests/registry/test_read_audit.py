"""Every page that shows people writes an audit row: who looked, at what, and when."""

from __future__ import annotations

import pytest

from famplan.audit.models import AuditEntry
from tests.registry.factories import person


def _actions(user) -> list[str]:
    return list(AuditEntry.objects.filter(user=user).values_list("action", flat=True))


def test_it_logs_a_search_with_its_filter(clerk_client, township_clerk):
    person(township_clerk, name="王芳", sex="F")
    response = clerk_client.get("/registry/people/", {"name": "王芳"})
    assert response.status_code == 200 and "王芳" in response.content.decode()
    entry = AuditEntry.objects.get(user=township_clerk, action="registry.person.searched")
    assert entry.detail["filter"]["name"] == "王芳"


def test_it_does_not_log_the_empty_list_page_as_a_search(clerk_client, township_clerk):
    clerk_client.get("/registry/people/")
    assert "registry.person.searched" not in _actions(township_clerk)


@pytest.mark.parametrize(
    "url,action",
    [
        ("/registry/households/", "registry.household.listed"),
        ("/registry/month/", "registry.events.listed"),
        ("/quality/worklist/620422100/", "quality.worklist.viewed"),
    ],
)
def test_it_logs_list_pages_that_show_people(clerk_client, township_clerk, url, action):
    assert clerk_client.get(url).status_code == 200
    assert action in _actions(township_clerk)


def test_it_keeps_the_full_id_number_out_of_the_edit_form_and_logs_the_view(
    village_client, village_worker
):
    someone = person(village_worker, name="刘敏", sex="F")
    page = village_client.get(f"/registry/people/{someone.pk}/edit/")
    assert page.status_code == 200
    body = page.content.decode()
    assert someone.id_number not in body and someone.id_masked in body
    entry = AuditEntry.objects.get(user=village_worker, action="registry.person.viewed")
    assert entry.detail == {"page": "edit"}


def test_it_keeps_the_id_number_when_the_edit_leaves_it_blank(village_client, village_worker):
    someone = person(village_worker, name="刘敏", sex="F")
    form = village_client.get(f"/registry/people/{someone.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        name="刘敏敏",
        id_number="",
        birth_date=someone.birth_date.isoformat(),
        registered_on=someone.registered_on.isoformat(),
    )
    response = village_client.post(f"/registry/people/{someone.pk}/edit/", data)
    assert response.status_code == 302
    kept = someone.id_number
    someone.refresh_from_db()
    assert (someone.name, someone.id_number) == ("刘敏敏", kept)
