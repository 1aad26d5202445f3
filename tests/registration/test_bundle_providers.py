"""The bundle's lines other apps provide: registration knows them only through the
provider registry (it never imports benefits)."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

from famplan.common.dates import today
from famplan.registration import selectors
from famplan.registration.selectors import SUBSIDY_LABEL, BundleLine, bundle_lines, missing_labels
from tests.registration.conftest import add_child

REGISTRATION = Path(selectors.__file__).parent


def test_without_a_provider_the_subsidy_line_waits(monkeypatch, township_clerk, couple):
    monkeypatch.setattr(selectors, "BUNDLE_PROVIDERS", {})
    monkeypatch.setattr(selectors, "BUNDLE_MISSING", {})
    birth = add_child(township_clerk, couple, today() - timedelta(days=3))
    line = bundle_lines(birth)[-1]
    assert (line.label, line.done) == (SUBSIDY_LABEL, False)
    assert line.note.startswith("待") and SUBSIDY_LABEL not in missing_labels(birth)


def test_a_provider_answers_for_a_whole_page_in_one_call(monkeypatch, township_clerk, couple):
    calls: list[int] = []

    def provider(births):
        calls.append(len(births))
        return {b.pk: BundleLine(SUBSIDY_LABEL, True, "R-1", note="已受理") for b in births}

    monkeypatch.setattr(selectors, "BUNDLE_PROVIDERS", {SUBSIDY_LABEL: provider})
    births = [add_child(township_clerk, couple, today() - timedelta(days=d)) for d in (3, 5)]
    provided = selectors.provided_lines(births)
    assert calls == [2]
    assert [bundle_lines(b, provided[b.pk])[-1].number for b in births] == ["R-1", "R-1"]
    assert selectors.provided_lines([]) == {} and calls == [2]


def test_registration_never_imports_benefits():
    for path in REGISTRATION.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.startswith("famplan.benefits") for n in names), path
