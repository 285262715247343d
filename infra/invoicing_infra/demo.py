"""Demo data for the local stack: one organizer, one event, a token with every permission, a few invoiced orders.

`seed()` runs in-process through the domain functions, against whatever the environment points at (the
local stack sets AWS_ENDPOINT_URL and TABLE_NAME for its process). Call it on an empty table.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

ORGANIZER = "bigevents"
ORGANIZER_NAME = "Big Events LLC"
EVENT = "sampleconf"
TOKEN_NAME = "Demo token (invoicing local --demo)"

ORGANIZER_SETTINGS: dict[str, Any] = {
    "invoice_address_from_name": "Big Events LLC",
    "invoice_address_from": "Demo street 12",
    "invoice_address_from_zipcode": "69117",
    "invoice_address_from_city": "Heidelberg",
    "invoice_address_from_country": "DE",
    "invoice_address_from_vat_id": "DE123456788",
    # pretix's i18n form: the German order's invoice prints the German texts.
    "invoice_introductory_text": {"en": "Thank you for your order. We hereby invoice the following items:",
                                  "de": "Vielen Dank für Ihre Bestellung. Wir berechnen Ihnen folgende Leistungen:"},
    "invoice_additional_text": {"en": "The amount has been or will be charged to the payment method you chose.",
                                "de": "Der Betrag wurde oder wird über die von Ihnen gewählte Zahlungsart eingezogen."},
    "invoice_footer_text": {"en": "Big Events LLC · Demo street 12 · 69117 Heidelberg · demo@bigevents.example · "
                                  "IBAN DE02 1203 0000 0000 2020 51",
                            "de": "Big Events LLC · Demostraße 12 · 69117 Heidelberg · demo@bigevents.example · "
                                  "IBAN DE02 1203 0000 0000 2020 51"},
    "invoice_generate": "True",
    # Transmission: email-type invoices are sent on issue too; what Peppol and SdI need of the seller.
    "invoice_email_attachment": True,
    "invoice_email_sender": "invoices@example.com",
    "invoice_seller_contact_name": "Dana Demo",
    "invoice_seller_contact_email": "billing@bigevents.example",
    "invoice_seller_iban": "DE02120300000000202051",
    "invoice_seller_peppol_id": "9930:DE123456788",
    "invoice_sdi_transmitter_id": "01234567890",
}

EVENT_DATA: dict[str, Any] = {
    "slug": EVENT,
    "name": {"en": "Sample Conference", "de": "Beispielkonferenz"},
    "currency": "EUR",
    "date_from": datetime(2026, 9, 14, 9, 0, tzinfo=UTC),
    "date_to": datetime(2026, 9, 16, 17, 0, tzinfo=UTC),
    "location": {"en": "Heidelberg", "de": "Heidelberg"},
    "locale": "en",
    "timezone": "Europe/Berlin",
}

_TICKET = {"description": "Conference ticket", "price": "399.00", "tax_rate": "19.00", "tax_name": "VAT"}
_WORKSHOP = {"description": "Workshop day", "price": "149.00", "tax_rate": "19.00", "tax_name": "VAT"}

# Each order shows something different on its invoice.
ORDERS: list[dict[str, Any]] = [
    {   # A business in Germany with a VAT ID, paid by card with a payment fee.
        "status": "p", "email": "accounts@acme.example", "locale": "en", "payment_provider": "stripe",
        "invoice_address": {"is_business": True, "company": "Acme Analytics GmbH", "name": "Jana Schulz",
                            "street": "Hauptstraße 5", "zipcode": "10115", "city": "Berlin", "country": "DE",
                            "vat_id": "DE987654321", "internal_reference": "PO-2026-0042"},
        "positions": [{**_TICKET, "attendee_name": "Jana Schulz"}, {**_TICKET, "attendee_name": "Tom Becker"},
                      {**_WORKSHOP, "attendee_name": "Jana Schulz"}],
        "fees": [{"fee_type": "payment", "description": "Credit card fee", "value": "5.00",
                  "tax_rate": "19.00", "tax_name": "VAT"}],
    },
    {   # A private person; the printed proceedings carry the reduced rate.
        "status": "n", "email": "alex.morgan@example.com", "locale": "en", "payment_provider": "banktransfer",
        "invoice_address": {"is_business": False, "name": "Alex Morgan", "street": "12 High Street",
                            "zipcode": "OX1 2JD", "city": "Oxford", "country": "GB"},
        "positions": [{**_TICKET, "attendee_name": "Alex Morgan"},
                      {"description": "Printed proceedings", "price": "35.00", "tax_rate": "7.00", "tax_name": "VAT"}],
    },
    {   # German locale: the invoice is in German.
        "status": "p", "email": "m.weber@example.de", "locale": "de", "payment_provider": "banktransfer",
        "invoice_address": {"is_business": False, "name": "Maria Weber", "street": "Marktplatz 3",
                            "zipcode": "69117", "city": "Heidelberg", "country": "DE"},
        "positions": [{"description": "Konferenzticket", "price": "399.00", "tax_rate": "19.00", "tax_name": "MwSt.",
                       "attendee_name": "Maria Weber"},
                      {"description": "Tagungsband (gedruckt)", "price": "35.00", "tax_rate": "7.00",
                       "tax_name": "MwSt."}],
    },
    {   # A business in another EU country: reverse charge at 0 %, with a service fee.
        "status": "p", "email": "finance@nordlicht.example", "locale": "en", "payment_provider": "banktransfer",
        "invoice_address": {"is_business": True, "company": "Nordlicht Events AB", "name": "Erik Lund",
                            "street": "Storgatan 1", "zipcode": "111 22", "city": "Stockholm", "country": "SE",
                            "vat_id": "SE556677889901"},
        "positions": [{"description": "Conference ticket", "price": "335.29", "tax_rate": "0.00",
                       "tax_name": "Reverse charge", "tax_code": "AE", "attendee_name": "Erik Lund"}],
        "fees": [{"fee_type": "service", "description": "Group registration", "value": "10.00", "tax_rate": "0.00",
                  "tax_name": "Reverse charge", "tax_code": "AE"}],
    },
    {   # A Belgian business that receives its invoices through Peppol (UBL to the local fake access point).
        "status": "p", "email": "ap@acme-belgium.example", "locale": "en", "payment_provider": "banktransfer",
        "invoice_address": {"is_business": True, "company": "Acme Belgium NV", "name": "Jan Peeters",
                            "street": "Rue de la Loi 1", "zipcode": "1000", "city": "Brussels", "country": "BE",
                            "vat_id": "BE0123456749", "transmission_type": "peppol",
                            "transmission_info": {"transmission_peppol_participant_id": "0208:0123456749"}},
        "positions": [{"description": "Conference ticket", "price": "335.29", "tax_rate": "0.00",
                       "tax_name": "Reverse charge", "tax_code": "AE", "attendee_name": "Jan Peeters"}],
    },
    {   # An Italian business: FatturaPA through the Sistema di Interscambio (local fake intermediary).
        "status": "p", "email": "amministrazione@rossi.example", "locale": "en", "payment_provider": "banktransfer",
        "invoice_address": {"is_business": True, "company": "Rossi S.r.l.", "name": "Mario Rossi",
                            "street": "Via Roma 1", "zipcode": "00184", "city": "Roma", "country": "IT",
                            "vat_id": "IT12345670017", "transmission_type": "it_sdi",
                            "transmission_info": {"transmission_it_sdi_pec": "rossi@pec.example.it",
                                                  "transmission_it_sdi_recipient_code": "ABC1234"}},
        "positions": [{**_TICKET, "attendee_name": "Mario Rossi"}],
    },
    {   # Canceled after its invoice was issued, so a cancellation exists.
        "status": "n", "email": "sam.lee@example.com", "locale": "en", "payment_provider": "banktransfer",
        "invoice_address": {"is_business": False, "name": "Sam Lee", "street": "Rue de la Paix 8",
                            "zipcode": "75002", "city": "Paris", "country": "FR"},
        "positions": [{**_TICKET, "attendee_name": "Sam Lee"}],
        "cancel": True,
    },
]


def seed() -> str:
    """Create the demo organizer, event, orders and invoices; returns the secret of a token with every permission."""
    from invoicing import events
    from invoicing.orders import service
    from invoicing.orders.models import OrderCreate
    from invoicing.storage import organizers

    organizers.create_organizer(ORGANIZER, ORGANIZER_NAME)
    events.patch_organizer_settings(ORGANIZER, ORGANIZER_SETTINGS)
    events.create_event(ORGANIZER, events.EventCreate.model_validate(EVENT_DATA))
    secret = create_token()
    for order in ORDERS:
        data = OrderCreate.model_validate({key: value for key, value in order.items() if key != "cancel"})
        created = service.create_order(ORGANIZER, EVENT, data)
        if order.get("cancel"):
            service.mark_canceled(ORGANIZER, EVENT, created["code"])
    seed_billing()
    return secret


BILLING_EMAIL = "accounts@bigevents.example"
# The platform sits in Austria and bills a German business: reverse charge, both VAT IDs on the PDF.
PLATFORM_SETTINGS: dict[str, Any] = {
    "name": "Ticketplattform GmbH", "address": "Ringstraße 1", "zipcode": "1010", "city": "Wien", "country": "AT",
    "vat_id": "ATU13585627", "tax_id": "FN 123456a", "iban": "AT611904300234573201",
    "footer_text": "Ticketplattform GmbH · Ringstraße 1 · 1010 Wien · FN 123456a · IBAN AT61 1904 3002 3457 3201",
}
ORGANIZER_BILLING: dict[str, Any] = {
    "billing_company": "Big Events LLC", "billing_street": "Demo street 12", "billing_zipcode": "69117",
    "billing_city": "Heidelberg", "billing_country": "DE", "billing_vat_id": "DE123456788",
}
BILLING_INVOICES: list[dict[str, Any]] = [
    {   # Released: rendered and emailed to the billing contact, downloadable.
        "currency": "EUR", "date_issued": "2026-08-01", "description": "Platform fees for July 2026.",
        "lines": [{"description": "Ticketing fees July 2026 (412 tickets)", "net": "412.00", "tax_rate": "0.00"},
                  {"description": "Payment processing", "net": "87.35", "tax_rate": "0.00"}],
        "release": True,
    },
    {   # Still in review with accounting: listed, but its download is 423.
        "currency": "EUR", "date_issued": "2026-09-01", "description": "Platform fees for August 2026.",
        "lines": [{"description": "Ticketing fees August 2026 (1,022 tickets)", "net": "1022.00", "tax_rate": "0.00"}],
    },
]


def seed_billing() -> None:
    """The platform's billing invoices to the demo organizer: one released, one in review."""
    from invoicing import platform
    from invoicing.billing import issue, parties, workflow
    from invoicing.billing.models import BillingCreate

    platform.update_settings(PLATFORM_SETTINGS)
    parties.update_organizer(ORGANIZER, {"billing_email": BILLING_EMAIL, **ORGANIZER_BILLING})
    for data in BILLING_INVOICES:
        created = issue.create(BillingCreate.model_validate(
            {"organizer": ORGANIZER, **{key: value for key, value in data.items() if key != "release"}}))
        if data.get("release"):
            workflow.release(created.number)


def create_token() -> str:
    """A new token of the demo organizer with every permission on all events; returns its secret."""
    from invoicing import access

    secret, _record = access.create_token(ORGANIZER, TOKEN_NAME, list(access.PERMISSIONS), None)
    return secret


def invoices_url(api_url: str) -> str:
    return f"{api_url.rstrip('/')}/api/v1/organizers/{ORGANIZER}/events/{EVENT}/invoices/"
