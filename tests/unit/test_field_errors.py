"""pydantic's errors in Django REST framework's words. The expected sentences are DRF's
(rest_framework/fields.py: CharField, RegexField, IntegerField, DecimalField, ListField, DateTimeField,
DateField, ChoiceField), with the limits printed as plain numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

import pytest
from pydantic import AwareDatetime, BaseModel, Field, ValidationError, field_validator

from invoicing.field_errors import field_errors


class Sample(BaseModel):
    amount: Annotated[Decimal, Field(ge=Decimal("-1e11"), le=Decimal("1e11"), max_digits=14, decimal_places=2)] = Decimal(0)
    small: Annotated[Decimal, Field(max_digits=3)] = Decimal(0)
    rate: Annotated[Decimal, Field(gt=0, lt=Decimal("2.5"))] = Decimal(1)
    count: Annotated[int, Field(ge=1, le=12)] = 1
    code: Annotated[str, Field(min_length=3, max_length=5, pattern=r"^[A-Z]+$")] = "ABC"
    name: Annotated[str, Field(min_length=1)] = "x"
    tags: Annotated[list[str], Field(min_length=2, max_length=3)] = ["a", "b"]
    kind: Literal["a", "b"] = "a"
    starts: AwareDatetime | None = None
    day: date | None = None
    ref: UUID | None = None
    flag: bool = False
    note: str = ""

    @field_validator("note")
    @classmethod
    def _note(cls, value: str) -> str:
        if value == "bad":
            raise ValueError("Notes may not be bad.")
        return value


def errors_of(**fields) -> dict:
    with pytest.raises(ValidationError, match="validation error") as raised:
        Sample.model_validate(fields)
    return field_errors(raised.value.errors())


@pytest.mark.parametrize(("fields", "expected"), [
    ({"amount": "100000000000.01"}, {"amount": ["Ensure this value is less than or equal to 100000000000."]}),
    ({"amount": "-100000000000.01"}, {"amount": ["Ensure this value is greater than or equal to -100000000000."]}),
    ({"amount": "1.001"}, {"amount": ["Ensure that there are no more than 2 decimal places."]}),
    ({"amount": "1234567890123.4"}, {"amount": ["Ensure that there are no more than 12 digits before the decimal point."]}),
    ({"small": "1234"}, {"small": ["Ensure that there are no more than 3 digits in total."]}),
    ({"amount": "abc"}, {"amount": ["A valid number is required."]}),
    ({"rate": "0"}, {"rate": ["Ensure this value is greater than 0."]}),
    ({"rate": "2.5"}, {"rate": ["Ensure this value is less than 2.5."]}),
    ({"count": 0}, {"count": ["Ensure this value is greater than or equal to 1."]}),
    ({"count": 13}, {"count": ["Ensure this value is less than or equal to 12."]}),
    ({"count": "twelve"}, {"count": ["A valid integer is required."]}),
    ({"count": 1.5}, {"count": ["A valid integer is required."]}),
    ({"code": "AB"}, {"code": ["Ensure this field has at least 3 characters."]}),
    ({"code": "ABCDEF"}, {"code": ["Ensure this field has no more than 5 characters."]}),
    ({"code": "abc"}, {"code": ["This value does not match the required pattern."]}),
    ({"code": 5}, {"code": ["Not a valid string."]}),
    ({"name": ""}, {"name": ["This field may not be blank."]}),
    ({"tags": ["a"]}, {"tags": ["Ensure this field has at least 2 elements."]}),
    ({"tags": ["a", "b", "c", "d"]}, {"tags": ["Ensure this field has no more than 3 elements."]}),
    ({"tags": "a"}, {"tags": ['Expected a list of items but got type "str".']}),
    ({"kind": "c"}, {"kind": ['"c" is not a valid choice.']}),
    ({"kind": 3}, {"kind": ['"3" is not a valid choice.']}),
    ({"starts": "2024-05-01T10:00:00"}, {"starts": [
        "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]](+HH:MM|-HH:MM|Z)."]}),
    ({"starts": "soon"}, {"starts": [
        "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]](+HH:MM|-HH:MM|Z)."]}),
    ({"day": "not-a-date"}, {"day": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]}),
    ({"flag": "maybe"}, {"flag": ["Must be a valid boolean."]}),
    ({"note": "bad"}, {"note": ["Notes may not be bad."]}),
    ({"ref": "not-a-uuid"}, {"ref": ["Invalid value."]}),  # no DRF sentence of its own: DRF's generic one
])
def test_each_pydantic_error_reads_as_drf_says_it(fields, expected):
    assert errors_of(**fields) == expected


def test_several_errors_of_one_field_are_all_listed():
    class Either(BaseModel):
        name: str | dict[str, str]

    with pytest.raises(ValidationError, match="2 validation errors") as raised:
        Either.model_validate({"name": 5})

    assert field_errors(raised.value.errors()) == {
        "name": ["Not a valid string.", "Invalid data. Expected a dictionary, but got int."]}
