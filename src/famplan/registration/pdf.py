"""The printable registration card (生育登记服务卡): HTML rendered to PDF by WeasyPrint
with Debian's Noto CJK fonts, embedded (subset) in the file so it prints anywhere."""

from __future__ import annotations

import logging

from django.template.loader import render_to_string

from famplan.registration.models import BirthRegistration

# WeasyPrint logs each rendering step at INFO: seven lines a card in the server's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def card_pdf(registration: BirthRegistration) -> bytes:
    # Imported here: WeasyPrint loads Pango at import, which only the card needs.
    from weasyprint import HTML

    html = render_to_string("registration/card.html", {"r": registration})
    return HTML(string=html).write_pdf()
