"""Walks the URL configuration so that no view escapes the jurisdiction rules.

1. Every named famplan URL must have a jurisdiction test: a test marked
   `@pytest.mark.jurisdiction("app:name")` that shows another unit's records are a 404
   (or absent from a list). A new view without one fails here.
2. Every famplan URL refuses anonymous users.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

TESTS_DIR = Path(__file__).parent

# Views that show no unit-bound record, so there is nothing to cut by jurisdiction.
NO_JURISDICTION = {
    "home": "shows only the user's own menu",
    "accounts:login": "anonymous by nature",
    "accounts:logout": "ends the user's own session",
    "accounts:password_change": "the user's own password",
    "accounts:password_changed": "a confirmation page",
    "accounts:otp_setup": "the user's own second factor (TOTP enrolment)",
    "accounts:otp_verify": "the user's own second factor (TOTP code at login)",
}
ANONYMOUS_ALLOWED = {
    "accounts:login",
    "accounts:logout",
    # The citizen pages of birth registration: public by design, rate-limited, status only.
    "registration:public_apply",
    "registration:public_status",
    # The citizen pages of 育儿补贴: the same.
    "benefits:public_apply",
    "benefits:public_status",
}


def famplan_patterns(resolver: URLResolver | None = None, namespace: str = "", prefix: str = ""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            module = getattr(pattern.urlconf_module, "__name__", "")
            if not module.startswith("famplan"):
                continue  # admin and other third-party URLs have their own rules
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from famplan_patterns(pattern, ns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", prefix + str(pattern.pattern)


def marked_url_names() -> set[str]:
    """URL names named in @pytest.mark.jurisdiction(...) anywhere under tests/."""
    names: set[str] = set()
    for path in TESTS_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "jurisdiction"
            ):
                names.update(
                    arg.value
                    for arg in node.args
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                )
    return names


def test_it_has_a_jurisdiction_test_for_every_view():
    all_names = {name for name, _ in famplan_patterns()}
    missing = sorted(all_names - marked_url_names() - set(NO_JURISDICTION))
    assert not missing, f"views without a @pytest.mark.jurisdiction test: {missing}"


def test_it_names_only_views_that_exist():
    all_names = {name for name, _ in famplan_patterns()}
    stale = sorted(marked_url_names() - all_names)
    assert not stale, f"jurisdiction marks naming no URL: {stale}"


def _example_path(route: str) -> str:
    # Fill every converter with a plausible value; the view must still demand a login.
    def fill(match: re.Match) -> str:
        converter = match.group(1) or "str"
        return {"int": "1", "uuid": "00000000-0000-0000-0000-000000000000"}.get(converter, "620422")

    return "/" + re.sub(r"<(?:(\w+):)?\w+>", fill, route)


@pytest.mark.parametrize("name,route", sorted(famplan_patterns()))
def test_it_refuses_anonymous_users(client, db, name, route):
    if name in ANONYMOUS_ALLOWED:
        return
    response = client.get(_example_path(route))
    assert response.status_code in (302, 405), f"{name} answered {response.status_code}"
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")
