"""The public-notice list (公示名单) as PDF: names with masked ID numbers, the notice
period and where to raise an objection; WeasyPrint with the embedded CJK fonts."""

from __future__ import annotations

import logging
from typing import Any

from django.template.loader import render_to_string

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def notice_pdf(context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_to_string("benefits/notice_pdf.html", context)).write_pdf()
