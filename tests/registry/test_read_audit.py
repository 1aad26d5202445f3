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
