"""The settings bodies as the OpenAPI document shows them: every key of `invoicing.settings.InvoiceSettings`
with its type, its values and what it does. Built only when the document is generated."""

from __future__ import annotations

from typing import Any

MEANINGS = {
    "invoice_address_from_name": "Seller name printed as the invoice's sender",
    "invoice_address_from": "Seller street address (may span lines)",
    "invoice_address_from_zipcode": "Seller postal code",
    "invoice_address_from_city": "Seller city",
    "invoice_address_from_state": "Seller state or province",
    "invoice_address_from_country": "Seller country, ISO 3166-1 alpha-2 (e.g. DE)",
    "invoice_address_from_tax_id": "Seller's domestic tax ID",
    "invoice_address_from_vat_id": "Seller's VAT ID",
    "invoice_introductory_text": "Text above the invoice lines",
    "invoice_additional_text": "Text below the invoice lines",
    "invoice_footer_text": "Footer on every page (e.g. bank details, registration)",
    "invoice_numbers_prefix": "Prefix of invoice numbers (empty: the event slug in capitals and a dash); numbers are "
                              "gap-free per prefix",
    "invoice_numbers_prefix_cancellations": "Prefix of cancellation numbers (empty: the invoice prefix)",
    "invoice_numbers_counter_length": "Digits of the running number, zero-padded",
    "invoice_numbers_consecutive": "One sequence for all events of the organizer sharing a prefix",
    "invoice_generate": "When invoices are issued: `True` on order creation, `paid` on payment, `admin` on request "
                        "(`create_invoice`), `False` never (booleans are accepted too)",
    "invoice_language": "Invoice locale, or `__user__` for the order's locale",
    "invoice_include_free": "Issue invoices for free orders too",
    "invoice_regenerate_allowed": "Whether `regenerate` may rebuild issued invoices in place",
    "invoice_attendee_name": "Print attendee names under the lines",
    "invoice_event_location": "Print the event location",
    "invoice_foreign_currency_display": "A second currency (ISO 4217) to show totals in",
    "invoice_foreign_currency_rate": "Rate from the event currency to the second currency (decimal string, > 0)",
    "invoice_foreign_currency_rate_date": "Date of that rate (YYYY-MM-DD)",
    "invoice_email_attachment": "Also email email-type invoices (the PDF attached) as soon as they are issued",
    "invoice_email_sender": "Sender address of invoice emails (an SES identity); empty: the platform's",
    "invoice_seller_contact_name": "Seller contact person (Peppol, FatturaPA)",
    "invoice_seller_contact_email": "Seller contact email (Peppol, FatturaPA)",
    "invoice_seller_contact_phone": "Seller contact phone (Peppol, FatturaPA)",
    "invoice_seller_iban": "Seller IBAN for payment instructions in e-invoices",
    "invoice_seller_bic": "Seller BIC",
    "invoice_seller_peppol_id": "Seller's Peppol participant ID `<scheme>:<id>`, needed to send Peppol invoices",
    "invoice_seller_codice_fiscale": "Seller's Italian codice fiscale (SdI)",
    "invoice_sdi_transmitter_id": "Transmitter ID of the SdI intermediary (FatturaPA)",
}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    schema = {key: value for key, value in schema.items() if key != "title"}
    if "anyOf" in schema:
        options = schema["anyOf"]
        if not any(option.get("type") == "null" for option in options):
            schema["anyOf"] = [*options, {"type": "null"}]
        return schema
    return {"anyOf": [schema, {"type": "null"}], **{k: schema.pop(k) for k in ("default", "description") if k in schema}}


def properties(*, patch: bool) -> dict[str, Any]:
    """Every settings key; in a PATCH body each may also be null (unset: the inherited value applies again)."""
    from invoicing.settings import InvoiceSettings

    generated = InvoiceSettings.model_json_schema()["properties"]
    result = {}
    for key, schema in generated.items():
        schema = dict(schema)
        schema.pop("title", None)
        if key == "invoice_generate":  # booleans are accepted and stored as "True"/"False"
            schema = {"anyOf": [schema, {"type": "boolean"}], "default": schema.get("default")}
        schema["description"] = MEANINGS.get(key, key.replace("_", " ").capitalize())
        result[key] = _nullable(schema) if patch else schema
    return result


def patch_body(schema: dict[str, Any]) -> None:
    """json_schema_extra of the settings PATCH body: the known keys, typed; unknown keys are ignored."""
    schema.clear()
    schema.update({"type": "object", "title": "SettingsPatch", "properties": properties(patch=True),
                   "description": "Only the keys sent change; `null` removes a value so the inherited one (organizer, "
                                  "then default) applies again. Unknown keys are ignored.",
                   "example": {"invoice_address_from_name": "Big Events LLC", "invoice_generate": "paid",
                               "invoice_footer_text": None}})


def settings_response(schema: dict[str, Any]) -> None:
    """The settings as answered: every key with its effective value."""
    schema.clear()
    schema.update({"type": "object", "title": "Settings", "properties": properties(patch=False)})
