"""Every action famplan writes has a Chinese name on the audit page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from famplan.audit.labels import action_label

SRC = Path(__file__).resolve().parents[2] / "src" / "famplan"
# Every app under src/famplan, so a new app's actions are checked from its first commit.
APPS = "|".join(
    sorted(d.name for d in SRC.iterdir() if d.is_dir() and (d / "__init__.py").exists())
)
# Three-part action codes as written in the source: "registry.birth.recorded".
LITERAL = re.compile(rf'"((?:{APPS})\.[a-z_]+\.[a-z_]+)"')


def _codes_in_source() -> set[str]:
    codes = {"accounts.logout"}
    for path in SRC.rglob("*.py"):
        codes.update(LITERAL.findall(path.read_text(encoding="utf-8")))
    return codes


def test_it_finds_the_actions_in_the_source():
    assert {"registry.birth.recorded", "accounts.login.failed"} <= _codes_in_source()


@pytest.mark.parametrize("code", sorted(_codes_in_source()))
def test_it_names_every_action_written_in_the_source(code):
    assert action_label(code), f"no Chinese name for {code}: add it to audit/labels.py"


@pytest.mark.parametrize(
    "code",
    # Codes built at run time: jobs.job.<status>, registry.<kind>.listed / .exported
    ["jobs.job.succeeded", "jobs.job.failed"]
    + [
        f"registry.{kind}.{verb}"
        for kind in ("person", "birth", "death", "marriage", "migration", "household")
        for verb in ("listed", "exported")
    ],
)
def test_it_names_the_actions_built_at_run_time(code):
    assert action_label(code)


def test_it_reads_naturally():
    assert action_label("registry.birth.recorded") == "登记出生"
    assert action_label("registry.person.exported") == "导出人员"
    assert action_label("no.such.thing") == ""
