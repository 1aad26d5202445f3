"""The main menu: every entry resolves and opens for every role that is shown it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from famplan.accounts.navigation import NAV_ITEMS
from famplan.accounts.roles import Role
from tests.conftest import client_for, make_user

# A unit for each role, as the personas place them.
ROLE_UNITS = {
    Role.COUNTY_ADMIN: "620422",
    Role.TOWNSHIP_CLERK: "620422100",
    Role.VILLAGE_WORKER: "620422100001",
    Role.FACILITY: "620422",
    Role.AUDITOR: "620422",
}


def test_it_has_a_unit_for_every_role():
    assert set(ROLE_UNITS) == set(Role)


@pytest.mark.parametrize("role", list(Role))
def test_it_resolves_every_menu_entry_for_every_role(units, role):
    user = make_user(f"nav_{role}", ROLE_UNITS[role], role)
    client = client_for(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    shown = [item["label"] for item in response.context["nav_items"]]
    expected = [item for item in NAV_ITEMS if user.can(item.capability)]
    assert shown == [item.label for item in expected]
    for item in expected:
        # reverse() raises for a broken name; the page must open for whoever sees the entry.
        url = reverse(item.url_name)
        # Some entries redirect to the user's own unit (行政区划): the page it lands on opens.
        opened = client.get(url, follow=True)
        assert opened.status_code == 200, f"{role}: {item.label} ({url})"
        assert f'href="{url}"' in response.content.decode()
