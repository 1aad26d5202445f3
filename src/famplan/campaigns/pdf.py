"""A progress bulletin (进度通报) as PDF: WeasyPrint with the embedded CJK fonts, as the
benefits' public-notice list is."""

from __future__ import annotations

import logging
from typing import Any

from django.template.loader import render_to_string

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def bulletin_pdf(context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_to_string("campaigns/bulletin_pdf.html", context)).write_pdf()
