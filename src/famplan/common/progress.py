"""The one type of a progress callback: long work reports how far it is, a job shows it."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """`progress(42, "正在校验第 4,200 行")`: percent 0-100 and a Chinese message.
    Callers may be rate-limited (jobs write a few times a second); `force=True` writes
    now, for the milestones a user should not miss."""

    def __call__(self, percent: float, message: str = "", force: bool = False) -> None: ...


def no_progress(percent: float, message: str = "", force: bool = False) -> None:
    """For work run outside a job (a command, a test): reports nothing."""
