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

import dataclasses
import re
import unicodedata
from typing import Any, TypeVar, cast

T = TypeVar("T")

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
    cleaned = "".join(c for c in _LINE_BREAKS.sub("\n", text) if not _dropped(c))
    return text if cleaned == text else cleaned


def needs_cleaning(text: str) -> bool:
    return clean_text(text) != text


def clean_deep(value: T) -> T:
    """``value`` with :func:`clean_text` applied to every string inside it — dicts, lists, tuples,
    dataclasses and pydantic models alike — returning the same object when nothing needed cleaning.

    Writers call it on what they are given, so text that reached a model without passing an entry
    point (built in code, copied with ``model_copy``) still cannot break a document."""
    return cast(T, _clean(value))


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        items = {_clean(k): _clean(v) for k, v in value.items()}
        return value if _same_dict(value, items) else type(value)(items)
    if isinstance(value, list | tuple) and not hasattr(value, "_fields"):
        cleaned = [_clean(v) for v in value]
        return value if all(a is b for a, b in zip(value, cleaned, strict=True)) else type(value)(cleaned)
    fields = getattr(type(value), "model_fields", None)
    if isinstance(fields, dict):  # a pydantic model
        update = {name: new for name in fields if (new := _clean(getattr(value, name))) is not getattr(value, name)}
        return value.model_copy(update=update) if update else value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: new for f in dataclasses.fields(value)
                   if f.init and (new := _clean(getattr(value, f.name))) is not getattr(value, f.name)}
        return dataclasses.replace(value, **changes) if changes else value
    return value


def _same_dict(old: dict[Any, Any], new: dict[Any, Any]) -> bool:
    return len(old) == len(new) and all(k in old and old[k] is v for k, v in new.items())
