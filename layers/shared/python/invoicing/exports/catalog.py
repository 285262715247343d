"""The exporters on offer and their input parameters, validated where the request enters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from invoicing.errors import NotFound, ValidationFailed


@dataclass(frozen=True)
class Exporter:
    identifier: str
    verbose_name: str
    formats: tuple[str, ...]

    def input_parameters(self, organizer_level: bool) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = [{"name": "events", "required": False}] if organizer_level else []
        parameters.append({"name": "_format", "required": len(self.formats) > 1, "choices": list(self.formats)})
        parameters += [{"name": "date_from", "required": False}, {"name": "date_to", "required": False}]
        return parameters

    def public(self, organizer_level: bool) -> dict[str, Any]:
        return {"identifier": self.identifier, "verbose_name": self.verbose_name,
                "input_parameters": self.input_parameters(organizer_level)}


EXPORTERS = {exporter.identifier: exporter for exporter in (
    Exporter("invoicedata", "Invoice data", ("csv", "json")),
    Exporter("invoices", "All invoices (ZIP of PDF files)", ("zip",)),
)}


def exporter(identifier: str) -> Exporter:
    found = EXPORTERS.get(identifier)
    if found is None:
        raise NotFound("Not found.")
    return found


def validate(found: Exporter, body: Any, organizer_level: bool, known_events: set[str]) -> dict[str, Any]:
    """The job's parameters, or pretix's 400 with field errors."""
    if not isinstance(body, dict):
        raise ValidationFailed({"non_field_errors": ["Invalid data. Expected a dictionary."]})
    errors: dict[str, list[str]] = {}
    fmt = body.get("_format", found.formats[0] if len(found.formats) == 1 else None)
    if fmt is None:
        errors["_format"] = ["This field is required."]
    elif fmt not in found.formats:
        errors["_format"] = [f'"{fmt}" is not a valid choice.']
    dates: dict[str, str | None] = {}
    for name in ("date_from", "date_to"):
        value = body.get(name)
        if value in (None, ""):
            dates[name] = None
            continue
        try:
            dates[name] = date.fromisoformat(str(value)).isoformat()
        except ValueError:
            errors[name] = ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]
    if dates.get("date_from") and dates.get("date_to") and dates["date_from"] > dates["date_to"]:
        errors["date_to"] = ["The end date must not be before the start date."]
    events = None
    if organizer_level and body.get("events") not in (None, []):
        events = body["events"]
        if not isinstance(events, list) or not all(isinstance(slug, str) for slug in events):
            errors["events"] = ["Expected a list of event slugs."]
        elif set(events) - known_events:
            errors["events"] = [f'Object with slug={slug} does not exist.' for slug in sorted(set(events) - known_events)]
    if errors:
        raise ValidationFailed(errors)
    return {"_format": fmt, "date_from": dates["date_from"], "date_to": dates["date_to"], "events": events}
