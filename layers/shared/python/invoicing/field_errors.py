"""pydantic's validation errors in Django REST framework's words, as pretix's field-error body.

The one wording of every input error: the HTTP layer uses it for request bodies, the domain for the
settings, parties and platform models it validates itself. `{"field": ["message"]}`, nested objects as
objects and list items as lists of per-item objects (`{"positions": [{}, {"price": ["..."]}]}`).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

# DRF's DateTimeField/DateField messages with the ISO 8601 formats the API reads (the offset is required).
DATETIME_FORMAT = "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]](+HH:MM|-HH:MM|Z)."
_DECIMAL_REPR = re.compile(r"Decimal\('([-+0-9.Ee]+)'\)")
DATE_FORMAT = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."

_FIXED = {
    "missing": "This field is required.",
    "string_type": "Not a valid string.",
    "string_pattern_mismatch": "This value does not match the required pattern.",
    "bool_type": "Must be a valid boolean.",
    "bool_parsing": "Must be a valid boolean.",
    "int_type": "A valid integer is required.",
    "int_parsing": "A valid integer is required.",
    "int_parsing_size": "A valid integer is required.",
    "int_from_float": "A valid integer is required.",
    "decimal_type": "A valid number is required.",
    "decimal_parsing": "A valid number is required.",
    "float_type": "A valid number is required.",
    "float_parsing": "A valid number is required.",
    "finite_number": "A valid number is required.",
    "extra_forbidden": "Unknown field.",
}
# DRF's min_value/max_value and DecimalField messages; pydantic's context key holds the limit.
_LIMITS = {
    "greater_than_equal": ("ge", "Ensure this value is greater than or equal to {}."),
    "greater_than": ("gt", "Ensure this value is greater than {}."),
    "less_than_equal": ("le", "Ensure this value is less than or equal to {}."),
    "less_than": ("lt", "Ensure this value is less than {}."),
    "decimal_max_places": ("decimal_places", "Ensure that there are no more than {} decimal places."),
    "decimal_max_digits": ("max_digits", "Ensure that there are no more than {} digits in total."),
    "decimal_whole_digits": ("whole_digits", "Ensure that there are no more than {} digits before the decimal point."),
}


def field_errors(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """pydantic's error list (`ValidationError.errors()`) as the field-error body."""
    result: dict[str, Any] = {}
    for error in errors:
        location = [part for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
        # pydantic names union branches and wrappers in the location; keep only real fields and indices.
        location = [part for part in location if isinstance(part, int) or not _is_type_tag(str(part))]
        text = message(error)
        if not location:
            result.setdefault("non_field_errors", []).append(text)
            continue
        _insert(result, location, text)
    return result


def message(error: dict[str, Any]) -> str:
    """One pydantic error as the sentence DRF (or pretix) answers for it."""
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    value = error.get("input")
    if kind in _FIXED:
        return _FIXED[kind]
    if kind in _LIMITS:
        key, sentence = _LIMITS[kind]
        return sentence.format(_number(context.get(key)))
    if kind in ("literal_error", "enum"):
        return f'"{value}" is not a valid choice.'
    if kind == "list_type":
        return f'Expected a list of items but got type "{type(value).__name__}".'
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"Invalid data. Expected a dictionary, but got {type(value).__name__}."
    if kind in ("string_too_short", "too_short"):
        if kind == "too_short" and not isinstance(value, str):
            return ("This list may not be empty." if context.get("min_length") == 1
                    else f"Ensure this field has at least {context.get('min_length')} elements.")
        return ("This field may not be blank." if context.get("min_length") == 1
                else f"Ensure this field has at least {context.get('min_length')} characters.")
    if kind in ("string_too_long", "too_long"):
        unit = "characters" if kind == "string_too_long" or isinstance(value, str) else "elements"
        return f"Ensure this field has no more than {context.get('max_length')} {unit}."
    if kind.startswith(("datetime_", "timezone_")):
        return DATETIME_FORMAT
    if kind.startswith("date_"):
        return DATE_FORMAT
    if kind in ("value_error", "assertion_error"):  # the models' own sentences
        return str(error.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return "Invalid value."


def _number(limit: Any) -> str:
    """A limit as DRF prints it: `100000000000`, not pydantic's `Decimal('1E+11')` (its context holds the repr)."""
    if isinstance(limit, str) and (decimal := _DECIMAL_REPR.fullmatch(limit)):
        limit = Decimal(decimal.group(1))
    return format(limit, "f") if isinstance(limit, Decimal) else str(limit)


def _is_type_tag(part: str) -> bool:
    return part in {"str", "int", "float", "bool", "dict", "list", "none", "decimal", "constrained-str"} or \
        part.startswith(("function-", "dict[", "list[", "json-or-python", "lax-or-strict", "tagged-union"))


def _insert(tree: dict[str, Any], location: list[Any], text: str) -> None:
    node: Any = tree
    for index, part in enumerate(location):
        last = index == len(location) - 1
        following = location[index + 1] if not last else None
        if isinstance(node, list):
            while len(node) <= part:
                node.append({})
            if last:
                node[part] = [text]
                return
            if not isinstance(node[part], dict):
                node[part] = {}
            node = node[part]
            continue
        key = str(part)
        if last:
            existing = node.get(key)
            if isinstance(existing, list) and all(isinstance(m, str) for m in existing):
                existing.append(text)
            else:
                node[key] = [text]
            return
        container = [] if isinstance(following, int) else {}
        if not isinstance(node.get(key), type(container)):
            node[key] = container
        node = node[key]
