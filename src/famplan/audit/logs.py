"""Logging filters for the server log (settings.LOGGING)."""

from __future__ import annotations

import logging


class NoTracebackForRefusals(logging.Filter):
    """Django logs a PermissionDenied (403) with its traceback. A refusal is not a bug,
    and it is in the audit log already (audit.access.denied): keep the one warning line
    ("Forbidden (Permission denied): /path"), drop the traceback. Errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
