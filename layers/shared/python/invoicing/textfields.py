"""Text fields that end up in PDFs, XML and email headers: one-line fields refuse every control character,
multi-line fields keep only their line breaks and tabs, and both refuse characters the invoice cannot print.

A name with CR/LF becomes a header injection in an email, NUL and ESC break XML and terminals, and the
Unicode line separators start new lines in a PDF. They are refused where data enters (400), and
`one_line()` flattens what older data may still hold before it reaches a header. Characters no invoice font
draws (emoji, scripts without a font) are refused too (`invoicing.printable`, the renderer's own coverage), so
that whatever the API accepts can be rendered.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, ValidationInfo

from invoicing import printable

# Also for settings and transmission addresses: no spaces and no control characters anywhere.
EMAIL = re.compile(r"[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+\.[^@\s\x00-\x1f\x7f-\x9f]+")

ONE_LINE_MESSAGE = "Control characters (such as line breaks) are not allowed in this field."
MULTI_LINE_MESSAGE = "Control characters other than line breaks and tabs are not allowed in this field."
_LINE_BREAKS = frozenset("\n\r\t")
_SEPARATORS = frozenset("\u2028\u2029")  # Unicode line and paragraph separators (category Zl/Zp)


def _is_control(character: str) -> bool:
    return unicodedata.category(character) == "Cc" or character in _SEPARATORS


def has_controls(value: str, multiline: bool = False) -> bool:
    allowed = _LINE_BREAKS if multiline else frozenset()
    return any(_is_control(character) and character not in allowed for character in value)


# Validation context of data read back from storage: rules that came after the data was written do not apply
# (a record stored before them must stay readable); they apply to everything that enters.
STORED = {"stored": True}


def is_stored(info: ValidationInfo | None) -> bool:
    return bool(info is not None and isinstance(info.context, dict) and info.context.get("stored"))


def check_printable(value: str) -> str:
    """ValueError naming the characters of `value` no invoice font draws (its kind and code points)."""
    if not value.isascii() and (problem := printable.problem([value])):
        raise ValueError(problem)
    return value


def check_one_line(value: str, info: ValidationInfo | None = None) -> str:
    if not is_stored(info):
        if has_controls(value):
            raise ValueError(ONE_LINE_MESSAGE)
        check_printable(value)
    return value


def check_multi_line(value: str, info: ValidationInfo | None = None) -> str:
    if not is_stored(info):
        if has_controls(value, multiline=True):
            raise ValueError(MULTI_LINE_MESSAGE)
        check_printable(value)
    return value


_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(value: str) -> str:
    """The value with every run of control characters replaced by one space (for headers and file names)."""
    return _CONTROLS.sub(" ", value).strip()


def check_text(value: Any, multiline: bool = False, info: ValidationInfo | None = None) -> Any:
    """A plain string or every text of a `{locale: text}` map (i18n settings), checked as one- or multi-line."""
    if is_stored(info):
        return value
    texts = value.values() if isinstance(value, dict) else [value]
    for text in texts:
        if isinstance(text, str) and has_controls(text, multiline):
            raise ValueError(MULTI_LINE_MESSAGE if multiline else ONE_LINE_MESSAGE)
    for text in texts:
        if isinstance(text, str):
            check_printable(text)
    return value


OneLine = Annotated[str, AfterValidator(check_one_line)]
MultiLine = Annotated[str, AfterValidator(check_multi_line)]
