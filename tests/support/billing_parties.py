"""A platform and an organizer with the complete billing addresses a release needs (in-process, through the domain)."""

from __future__ import annotations


def make_billable(organizer: str) -> None:
    from invoicing import platform
    from invoicing.billing import parties

    platform.update_settings({"name": "Invoicing Platform", "address": "Hauptstr. 1", "zipcode": "10115",
                              "city": "Berlin", "country": "DE"})
    parties.update_organizer(organizer, {
        "billing_email": f"accounts@{organizer}.example", "billing_company": "Billed Events GmbH",
        "billing_street": "Marktplatz 3", "billing_zipcode": "69117", "billing_city": "Heidelberg",
        "billing_country": "DE"})
