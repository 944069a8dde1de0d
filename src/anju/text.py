"""The one sanitiser for text a user supplies (YAML files, workbook cells, web forms).

Word and WPS paste characters no document format can hold: Shift+Enter gives U+000B, page breaks
U+000C, some input methods private-use characters. XML (and so .docx and .xlsx) refuses every C0
control except tab, line feed and carriage return. :func:`clean_text` is applied where text enters
(the YAML loader, the workbook importer, the web's forms and API) and again by writers, so a pasted
character can never make a document or an export fail:

* line-breaking controls (U+000B, U+000C, U+001C–U+001E, U+0085, U+2028, U+2029) and CR/CRLF become
  a line feed;
* every other control (categories Cc except tab and line feed), private-use and surrogate code
  points, non-characters (U+FFFE, U+FFFF, …) and U+FEFF are removed;
* everything else — spaces included — is kept exactly.
"""

from __future__ import annotations

import re
import unicodedata

_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_KEEP_CONTROLS = frozenset("\t\n")
_BOM = 0xFEFF
_NONCHARACTER_TAIL = 0xFFFE  # U+xxFFFE and U+xxFFFF in every plane
_NONCHARACTER_BLOCK = range(0xFDD0, 0xFDF0)


def _dropped(char: str) -> bool:
    if char in _KEEP_CONTROLS:
        return False
    code = ord(char)
    if code == _BOM or (code & _NONCHARACTER_TAIL) == _NONCHARACTER_TAIL or code in _NONCHARACTER_BLOCK:
        return True
    return unicodedata.category(char) in ("Cc", "Co", "Cs")


def clean_text(text: str) -> str:
    """``text`` with line-breaking controls made line feeds and every character XML refuses removed."""
    if text.isprintable():  # the common case: nothing to do
        return text
    text = _LINE_BREAKS.sub("\n", text)
    return "".join(c for c in text if not _dropped(c))


def needs_cleaning(text: str) -> bool:
    return clean_text(text) != text
