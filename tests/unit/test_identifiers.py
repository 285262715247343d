"""Identifiers checked where they enter: settings PATCH (seller) and the identifier rules themselves.

Valid and invalid numbers are taken from their registries' published examples or computed by hand from the
scheme's check-digit rule (e.g. BE 0477472701: 97 - 04774727 mod 97 = 01).
"""

from __future__ import annotations

import pytest

from invoicing import identifiers
from invoicing.errors import ValidationFailed
from invoicing.settings import validate_patch


@pytest.mark.parametrize("participant", [
    "0208:0477472701", "0088:4035811991021", "9930:DE136695976", "0204:04011000-1234512345-06",
    "0204:991-33333TEST-33", "0192:974760673", "0007:5566778899", "9925:BE0477472701", "9957:FR40303265045",
    "0009:73282932000074", "0060:123456789", "0211:12345670017", "9906:IT12345670017", "9915:b",
])
def test_valid_peppol_participant_ids_pass(participant: str) -> None:
    assert identifiers.participant_error(participant) is None


@pytest.mark.parametrize(("participant", "needs"), [
    ("0208:0987654321", "a Belgian enterprise number"),
    ("0088:4035811991022", "a GLN"),
    ("9930:DE123456789", "a German VAT number"),
    ("0204:04011000-1234512345-07", "a German Leitweg-ID"),
    ("0192:974760672", "a Norwegian organisation number"),
    ("0007:5566778898", "a Swedish organisation number"),
    ("0009:73282932000075", "a French SIRET number"),
    ("0060:12345678", "a DUNS number"),
    ("0211:12345678903", "an Italian partita IVA"),
])
def test_peppol_participant_ids_with_wrong_check_digits_are_refused(participant: str, needs: str) -> None:
    scheme, identifier = participant.split(":")
    assert identifiers.participant_error(participant) == (
        f"Scheme {scheme} needs {needs}" + identifiers.PEPPOL_SCHEMES[scheme][1].removeprefix(needs)
        + f"; {identifier} is not one (wrong length, format or check digit).")


def test_settings_patch_refuses_a_seller_peppol_id_with_a_wrong_check_digit() -> None:
    with pytest.raises(ValidationFailed, match="invoice_seller_peppol_id") as refused:
        validate_patch({"invoice_seller_peppol_id": "0208:0987654321"})
    assert refused.value.errors == {"invoice_seller_peppol_id": [
        "Scheme 0208 needs a Belgian enterprise number (10 digits); 0987654321 is not one "
        "(wrong length, format or check digit)."]}


@pytest.mark.parametrize(("key", "value", "message"), [
    ("invoice_seller_iban", "DE02 1203 0000 0000 2020 52", "the mod-97 check failed"),
    ("invoice_seller_bic", "BELADE", "Enter a valid BIC"),
    ("invoice_seller_codice_fiscale", "RSSMRA80A01H501X", "Enter a valid codice fiscale"),
    ("invoice_seller_peppol_id", "9930 DE136695976", "Use the form <scheme>:<id>"),
])
def test_settings_patch_refuses_wrong_seller_identifiers(key: str, value: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        validate_patch({key: value})
    [error] = refused.value.errors[key]
    assert message in error


def test_settings_patch_keeps_valid_seller_identifiers_normalized() -> None:
    stored = validate_patch({"invoice_seller_iban": "de02 1203 0000 0000 2020 51", "invoice_seller_bic": "beladebexxx",
                             "invoice_seller_codice_fiscale": "rssmra80a01h501u",
                             "invoice_seller_peppol_id": "9930:DE136695976", "invoice_seller_iban_unknown": "x"})
    assert stored == {"invoice_seller_iban": "DE02120300000000202051", "invoice_seller_bic": "BELADEBEXXX",
                      "invoice_seller_codice_fiscale": "RSSMRA80A01H501U", "invoice_seller_peppol_id": "9930:DE136695976"}


@pytest.mark.parametrize(("vat_id", "country", "error"), [
    ("DE136695976", "DE", None),
    ("EL094259216", "GR", None),
    ("CHE-116.281.710 MWST", "CH", None),
    ("US-123", "US", None),  # no rules for the country: left alone
    ("DE136695977", "DE", "This VAT ID is not valid for its country (wrong length, format or check digit)."),
    ("0477472701", "BE", "An EU VAT ID starts with its country code, for example BE0477472701."),
])
def test_vat_ids_by_country_format_and_check_digits(vat_id: str, country: str, error: str | None) -> None:
    assert identifiers.vat_id_error(vat_id, country) == error
