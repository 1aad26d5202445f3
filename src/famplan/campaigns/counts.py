"""What a person types as a count, made a number: digits (full-width too, as a Chinese
input method gives them), spaces and thousands separators around them. Anything else
is refused in Chinese naming the field."""

from __future__ import annotations

import unicodedata

from famplan.common.errors import DomainError

MAX_COUNT = 1_000_000


def parse_count(raw: str | int | None, *, label: str) -> int:
    if isinstance(raw, int):
        text = str(raw)
    else:
        # NFKC turns full-width digits, minus and comma into ASCII ones.
        text = unicodedata.normalize("NFKC", raw or "").strip().replace(",", "")
    if not text:
        raise DomainError(f"请填写{label}")
    if text.startswith("-") and text[1:].strip().isdigit():
        raise DomainError(f"{label}不能为负数")
    if not (text.isascii() and text.isdigit()):
        raise DomainError(f"{label}应为整数")
    value = int(text)
    if value > MAX_COUNT:
        raise DomainError(f"{label}不能超过 {MAX_COUNT}")
    return value
