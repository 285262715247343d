"""The legal VAT notes an invoice PDF prints, decided from the categories `amounts` gives the XML formats.

Reverse charge (AE), intra-community supply (K), export (G), exemption (E) and "not subject to VAT" (O)
each need a sentence on the invoice (Art. 226 (11), (11a) of Directive 2006/112/EC). The category comes from
`amounts.categories`, the same mapping the UBL and FatturaPA files are written from, so the printed note
and the code in the XML cannot disagree. English and German built in; other languages get English.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from invoicing.countries import is_eu
from invoicing.einvoice.amounts import DEFAULT_REASON, TaxCategory, categories

_DIRECTIVE = {"en": "of Council Directive 2006/112/EC", "de": "der Richtlinie 2006/112/EG des Rates"}
_TEXTS = {
    "en": {
        # pretix's own wording (pretix/base/models/tax.py), so invoices read as they do there.
        "AE": "Reverse Charge: According to Article 194, 196 of Council Directive 2006/112/EEC, VAT liability rests "
              "with the service recipient.",
        "AE_outside": "VAT liability rests with the service recipient.",
        "K": "Tax-free intra-Community supply (Article 138 of Council Directive 2006/112/EC).",
        "G": "Tax-free export outside the EU (Article 146 of Council Directive 2006/112/EC).",
        "O": "Not subject to VAT.",
        "E": "Exempt from VAT.",
        "E_reason": "Exempt from VAT: {reason}",
        "article": "Exempt based on article {article}{part} {directive}",
        "section": ", section {number} ({letter})",
        "point": ", point {letter}",
    },
    "de": {
        "AE": "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge): Gemäß Artikel 194, 196 der Richtlinie "
              "2006/112/EG des Rates schuldet der Leistungsempfänger die Mehrwertsteuer.",
        "AE_outside": "Steuerschuldnerschaft des Leistungsempfängers.",
        "K": "Steuerfreie innergemeinschaftliche Lieferung (Artikel 138 der Richtlinie 2006/112/EG des Rates).",
        "G": "Steuerfreie Ausfuhrlieferung (Artikel 146 der Richtlinie 2006/112/EG des Rates).",
        "O": "Nicht steuerbar.",
        "E": "Steuerbefreit.",
        "E_reason": "Steuerbefreit: {reason}",
        "article": "Steuerbefreit gemäß Artikel {article}{part} {directive}",
        "section": " Absatz {number} Buchstabe {letter}",
        "point": " Buchstabe {letter}",
    },
}
# VATEX codes that name no article (CEF VATEX code list).
_NAMED = {
    "en": {
        "VATEX-EU-D": "Intra-Community acquisition from second hand means of transport",
        "VATEX-EU-F": "Intra-Community acquisition of second hand goods",
        "VATEX-EU-I": "Intra-Community acquisition of works of art",
        "VATEX-EU-J": "Intra-Community acquisition of collectors items and antiques",
        "VATEX-FR-FRANCHISE": "France domestic VAT franchise in base",
        "VATEX-FR-CNWVAT": "France domestic Credit Notes without VAT, due to supplier forfeit of VAT for discount",
    },
    "de": {
        "VATEX-EU-D": "Innergemeinschaftlicher Erwerb gebrauchter Fahrzeuge",
        "VATEX-EU-F": "Innergemeinschaftlicher Erwerb von Gebrauchtgegenständen",
        "VATEX-EU-I": "Innergemeinschaftlicher Erwerb von Kunstgegenständen",
        "VATEX-EU-J": "Innergemeinschaftlicher Erwerb von Sammlungsstücken und Antiquitäten",
    },
}
_ARTICLE = re.compile(r"^VATEX-EU-(\d+)(?:-(\d*)([A-Z]))?$")
NOTED = frozenset({"AE", "K", "G", "E", "O"})


def _language(locale: str) -> str:
    language = locale.replace("-", "_").split("_")[0].lower()
    return language if language in _TEXTS else "en"


def exemption_text(code: str | None, locale: str = "en") -> str | None:
    """The words of a VATEX code (`VATEX-EU-132-1I`: "Exempt based on article 132, section 1(i) of ..."), or None."""
    if not code:
        return None
    language = _language(locale)
    texts = _TEXTS[language]
    match = _ARTICLE.match(code.upper())
    if match:
        article, number, letter = match.groups()
        part = ""
        if letter:  # 132-1I: "section 1(i)"; 148-A: "section (a)"; 79-C: "point c"
            kind = "point" if article == "79" else "section"
            part = texts[kind].format(number=number, letter=letter.lower()).replace("  ", " ")
        return texts["article"].format(article=article, part=part, directive=_DIRECTIVE[language])
    return _NAMED[language].get(code.upper()) or _NAMED["en"].get(code.upper())


def _note(category: TaxCategory, buyer_country: str | None, locale: str) -> str | None:
    texts = _TEXTS[_language(locale)]
    if category.code == "AE":
        return texts["AE"] if not buyer_country or is_eu(buyer_country) else texts["AE_outside"]
    if category.code in {"K", "G", "O"}:
        return texts[category.code]
    if category.code == "E":
        named = exemption_text(category.exemption_code, locale)
        if named:
            return named
        reason = category.exemption_reason
        return texts["E_reason"].format(reason=reason) if reason and reason != DEFAULT_REASON["E"] else texts["E"]
    return None


def _explicit(lines: Iterable[Mapping[str, Any]]) -> set[str]:
    """Categories a line's tax code names outright: a rate-0 line without any code gets no printed note."""
    return {(line.get("tax_code") or "").partition("/")[0].strip().upper() for line in lines} & NOTED


def legal_notes(doc: Mapping[str, Any], locale: str | None = None) -> list[str]:
    """The VAT notes of an invoice document (public fields), in its language; empty for plain taxed invoices."""
    lines = doc.get("lines") or []
    if not _explicit(lines):
        return []
    locale = locale or doc.get("locale") or "en"
    notes = [_note(category, doc.get("invoice_to_country"), locale) for category in categories(lines)
             if category.code in NOTED]
    return list(dict.fromkeys(note for note in notes if note))
