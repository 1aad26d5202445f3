"""Reading the text files county staff upload."""

from __future__ import annotations


def decode_upload(raw: bytes) -> str | None:
    """The text of an uploaded CSV, or None if its encoding is neither of the two in use:
    UTF-8 (with or without BOM; the NBS tables) or GB18030, which covers the GBK that
    Excel on a Chinese Windows saves CSV in."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None
