"""Identifiers checked where they enter (settings, invoice addresses): format and check digits, by python-stdnum.

Each check returns None when the value is fine, else one sentence saying what is wrong, for a field error.
Only what a channel needs is checked (see `transmission/types/`): an email invoice takes what pretix takes.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

from invoicing.countries import is_eu

Check = Callable[[str], object]  # raises stdnum's ValidationError when the value is wrong

# python-stdnum is imported by the first check that needs it: a cold start that checks no identifier never loads it.


def _lib(name: str) -> Any:
    """A python-stdnum module (`iban`, `it.iva`, ...)."""
    return importlib.import_module(f"stdnum.{name}")


def _invalid() -> Exception:
    return _lib("exceptions").ValidationError()


def _cc_module(country: str, kind: str) -> Any:
    return _lib("util").get_cc_module(country, kind)


def _stdnum(country: str, kind: str) -> Check:
    def validate(value: str) -> object:
        module = _cc_module(country, kind)
        assert module is not None, (country, kind)
        return module.validate(value)
    return validate


def _vat(country: str) -> Check:
    """A national VAT number, written with or without its country prefix."""
    return _stdnum(country, "vat")


def _digits(length: int, *, check: Check | None = None) -> Check:
    def validate(value: str) -> None:
        if not re.fullmatch(rf"[0-9]{{{length}}}", value):
            raise _invalid()
        if check:
            check(value)
    return validate


def _leitweg(value: str) -> None:
    """German Leitweg-ID: coarse[-fine]-check, check digits by ISO 7064 mod 97-10 over the rest."""
    match = re.fullmatch(r"([0-9]{2,12})(?:-([A-Za-z0-9]{1,30}))?-([0-9]{2})", value)
    if not match or not _lib("iso7064.mod_97_10").is_valid((match.group(1) + (match.group(2) or "")
                                                            + match.group(3)).upper()):
        raise _invalid()


def _italian_vat(value: str) -> None:
    _lib("it.iva").validate(value.upper().removeprefix("IT"))


# ICD / EAS schemes of Peppol participant ids: how the identifier after the colon is checked, and what it is.
PEPPOL_SCHEMES: dict[str, tuple[Check, str]] = {
    "0002": (_stdnum("fr", "siren"), "a French SIREN number (9 digits)"),
    "0007": (_stdnum("se", "orgnr"), "a Swedish organisation number (10 digits)"),
    "0009": (_stdnum("fr", "siret"), "a French SIRET number (14 digits)"),
    "0037": (_stdnum("fi", "ytunnus"), "a Finnish business ID (Y-tunnus)"),
    "0060": (_digits(9), "a DUNS number (9 digits)"),
    "0088": (_digits(13, check=lambda value: _lib("ean").validate(value)), "a GLN (13 digits)"),
    "0096": (_stdnum("dk", "cvr"), "a Danish CVR number (8 digits)"),
    "0106": (_digits(8), "a Dutch KvK number (8 digits)"),
    "0151": (_stdnum("au", "abn"), "an Australian ABN (11 digits)"),
    "0184": (_stdnum("dk", "cvr"), "a Danish CVR number (8 digits)"),
    "0190": (_digits(20), "a Dutch OIN (20 digits)"),
    "0192": (_stdnum("no", "orgnr"), "a Norwegian organisation number (9 digits)"),
    "0204": (_leitweg, "a German Leitweg-ID such as 04011000-1234512345-06"),
    "0208": (_stdnum("be", "vat"), "a Belgian enterprise number (10 digits)"),
    "0211": (_italian_vat, "an Italian partita IVA (11 digits)"),
    "9906": (_italian_vat, "an Italian partita IVA (11 digits)"),
    "9914": (_vat("at"), "an Austrian VAT number such as ATU13585627"),
    "9915": (lambda value: None, "an Austrian government office code"),
    "9920": (_vat("es"), "a Spanish VAT number"),
    "9925": (_vat("be"), "a Belgian VAT number such as BE0477472701"),
    "9930": (_vat("de"), "a German VAT number such as DE136695976"),
    "9938": (_vat("lu"), "a Luxembourg VAT number"),
    "9944": (_vat("nl"), "a Dutch VAT number"),
    "9945": (_vat("pl"), "a Polish VAT number"),
    "9946": (_vat("pt"), "a Portuguese VAT number"),
    "9957": (_vat("fr"), "a French VAT number such as FR40303265045"),
}
_PARTICIPANT = re.compile(r"([0-9]{4}):([^\s:]{1,60})")


def _run(check: Check, value: str) -> bool:
    try:
        check(value)
    except _lib("exceptions").ValidationError:
        return False
    return True


def participant_error(value: str) -> str | None:
    """A Peppol participant id `<ICD scheme>:<identifier>`, its identifier checked by the scheme's rules."""
    match = _PARTICIPANT.fullmatch(value.strip())
    if not match:
        return "Use the form <scheme>:<id>, for example 0088:4035811991021."
    scheme, identifier = match.groups()
    known = PEPPOL_SCHEMES.get(scheme)
    if known is None:  # a scheme we cannot check: its shape is all we know
        return None
    check, meaning = known
    if not _run(check, identifier):
        return f"Scheme {scheme} needs {meaning}; {identifier} is not one (wrong length, format or check digit)."
    return None


def vat_id_error(value: str, country: str | None) -> str | None:
    """A VAT id in the format of its country (from its prefix, else the address country), check digits included.

    EU VAT ids must carry their prefix (EN 16931 BR-CO-09); countries python-stdnum has no rules for pass.
    """
    text = value.strip().upper()
    prefix = text[:2] if text[:2].isalpha() else ""
    code = {"EL": "GR", "XI": "GB"}.get(prefix, prefix)
    if not code or _cc_module(code.lower(), "vat") is None:
        code = (country or "").upper()
    module = _cc_module(code.lower(), "vat") if len(code) == 2 and code.isalpha() else None
    if module is None:
        return None
    if is_eu(code) and not prefix:
        return f"An EU VAT ID starts with its country code, for example {'EL' if code == 'GR' else code}{text}."
    if not _run(module.validate, text):
        return "This VAT ID is not valid for its country (wrong length, format or check digit)."
    return None


def partita_iva_error(value: str) -> str | None:
    if not _run(_italian_vat, value.strip()):
        return "Enter a valid partita IVA: 11 digits (optionally after IT) with a correct check digit."
    return None


def codice_fiscale_error(value: str) -> str | None:
    """A person's codice fiscale (16 characters) or a company's (its 11-digit partita IVA)."""
    text = value.strip().upper()
    if len(text) == 11 and text.isdigit():
        return None if _lib("luhn").is_valid(text) else "This 11-digit codice fiscale has a wrong check digit."
    if not _run(_lib("it.codicefiscale").validate, text):
        return "Enter a valid codice fiscale: 16 characters with a correct check character, or a company's 11 digits."
    return None


def iban_error(value: str) -> str | None:
    if not _run(_lib("iban").validate, value):
        return "Enter a valid IBAN (country code, check digits and account number; the mod-97 check failed)."
    return None


def bic_error(value: str) -> str | None:
    if not _run(_lib("bic").validate, value):
        return "Enter a valid BIC: 8 or 11 characters, such as BELADEBEXXX."
    return None


def cap_error(value: str | None) -> str | None:
    """An Italian postal code (CAP), as FatturaPA requires for addresses in Italy."""
    if not re.fullmatch(r"[0-9]{5}", (value or "").strip()):
        return "An Italian postal code (CAP) has exactly 5 digits."
    return None
