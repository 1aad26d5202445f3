"""The registry of job kinds: each kind names the function that does its work."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from famplan.common.progress import Progress
    from famplan.jobs.models import Job

JobHandler = Callable[["Job", "Progress"], str]
_HANDLERS: dict[str, JobHandler] = {}


def job_handler(kind: str) -> Callable[[JobHandler], JobHandler]:
    """Register `func(job, progress) -> closing message` as the worker for `kind`."""

    def register(func: JobHandler) -> JobHandler:
        if kind in _HANDLERS and _HANDLERS[kind] is not func:
            raise RuntimeError(f"job kind {kind!r} registered twice")
        _HANDLERS[kind] = func
        return func

    return register


def handler_for(kind: str) -> JobHandler:
    return _HANDLERS[kind]


class JobFailed(Exception):
    """A handler's expected failure: the message is shown to the user (in Chinese).

    `report` is an optional (filename, bytes) error report the user can download;
    `result` optional JSON the job page shows (e.g. an import's first errors).
    """

    def __init__(
        self,
        message: str,
        report: tuple[str, bytes] | None = None,
        result: dict | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.report = report
        self.result = result or {}
