"""FatturaPA 1.2.3 (FPR12 for businesses and consumers, FPA12 for public administration) for Italy's SdI.

An invoice is TD01, a cancellation TD04 with positive amounts and `DatiFattureCollegate` pointing to the
original. The file name is `<country><transmitter id>_<ProgressivoInvio>.xml`, with ProgressivoInvio the
caller's per-transmitter counter in base 36, 5 characters (SdI check 00001; the XSD allows 10).
Text fields are Latin-1 only in the XSD, so other characters are transliterated or replaced.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from invoicing.einvoice.amounts import Line, compute
from invoicing.einvoice.seller import Seller
from invoicing.einvoice.text import parts, xml_safe

NAMESPACE = "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"
DSIG = "http://www.w3.org/2000/09/xmldsig#"
NO_CODE = "0000000"  # Italian recipient without SdI code: PEC or the fiscal drawer
ABROAD_CODE = "XXXXXXX"
UNKNOWN_ID = "99999999999"  # IdCodice for a foreign buyer without a VAT number
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_RECIPIENT = re.compile(r"^[A-Z0-9]{6,7}$")
_CF = re.compile(r"^[A-Z0-9]{11,16}$")
_CAP = re.compile(r"^[0-9]{5}$")
_PROVINCE = re.compile(r"^(?:IT-)?([A-Z]{2})$")
_BIC = re.compile(r"^[A-Z]{6}[A-Z2-9][A-NP-Z0-9](?:[A-Z0-9]{3})?$")
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
# Common non-Latin-1 characters that NFKD does not fold (dashes, typographic quotes, ellipsis, euro, L with stroke, ...).
_REPLACEMENTS = {
    "\u20ac": "EUR", "\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"',
    "\u201d": '"', "\u201e": '"', "\u2026": "...", "\u2022": "-", "\u2122": "TM", "\u2009": " ", "\u202f": " ",
    "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0152": "OE", "\u0153": "oe", "\u0131": "i",
}  # fmt: skip

# Natura for 0 % lines by pretix tax code category (notes: E → N4, AE → N6.x, K → N3.2, G → N3.1, O → N2.x).
_NATURA = {"E": "N4", "AE": "N6.9", "K": "N3.2", "G": "N3.1", "Z": "N3.6"}
RIFERIMENTO = {
    "N1": "Escluse ex art. 15 DPR 633/72",
    "N2.1": "Non soggette ex artt. da 7 a 7-septies DPR 633/72",
    "N2.2": "Non soggette - altri casi",
    "N3.1": "Non imponibili - esportazioni, art. 8 DPR 633/72",
    "N3.2": "Non imponibili - cessioni intracomunitarie, art. 41 DL 331/93",
    "N3.6": "Non imponibili - altre operazioni",
    "N4": "Esenti ex art. 10 DPR 633/72",
    "N6.9": "Inversione contabile - altri casi",
}


class FatturaError(ValueError):
    """The invoice cannot be expressed as a valid FatturaPA file (e.g. a number longer than 20 characters)."""


@dataclass(frozen=True)
class FatturaFile:
    filename: str
    xml: bytes
    progressivo: str  # ProgressivoInvio, also the part of the file name after "_"


def progressivo(progressive: int) -> str:
    """The transmitter's counter as 5 base-36 characters (`1` → `00001`, `36` → `00010`)."""
    if not 0 < progressive < 36**5:
        raise FatturaError(f"progressive {progressive} out of range 1..{36**5 - 1}")
    digits = ""
    while progressive:
        progressive, rest = divmod(progressive, 36)
        digits = _BASE36[rest] + digits
    return digits.rjust(5, "0")


def fiscal_id(value: str, default_country: str | None) -> tuple[str, str]:
    """`"IT01234567890"` → `("IT", "01234567890")`; a bare number takes the default country (Greece: EL → GR)."""
    text = re.sub(r"[\s.\-]", "", value).upper()
    if len(text) > 2 and text[:2].isalpha() and text[2:].isalnum() and (text[2].isdigit() or len(text) < 16):
        country, code = text[:2], text[2:]
    else:
        country, code = (default_country or "IT").upper(), text
    return ("GR" if country == "EL" else country), code[:28]


def fattura_filename(transmitter_id: str, progressive: int) -> str:
    country, code = fiscal_id(transmitter_id, "IT")
    return f"{country}{code}_{progressivo(progressive)}.xml"


def latin(text: str | None, limit: int) -> str:
    """Text limited to Basic Latin + Latin-1 Supplement (the XSD's `…LatinType`), one line, at most `limit`."""
    out = []
    for char in xml_safe(" ".join((text or "").split())):
        if ord(char) < 256:
            out.append(char)
        elif char in _REPLACEMENTS:
            out.append(_REPLACEMENTS[char])
        else:
            folded = "".join(c for c in unicodedata.normalize("NFKD", char) if ord(c) < 256 and not unicodedata.combining(c))
            out.append(folded or "?")
    return "".join(out)[:limit].strip()


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):.2f}".replace("-0.00", "0.00")


def _add(parent: ET.Element, tag: str, value: str | None) -> None:
    """A text element, left out when the value is empty (the XSD has no empty optional elements)."""
    value = xml_safe(value).strip() if value else ""
    if value:
        ET.SubElement(parent, tag).text = value


def natura(line: Line, buyer_country: str | None) -> str | None:
    """SdI's Natura for a 0 % line (mandatory there, forbidden with a rate: errors 00400/00401)."""
    if line.category.rate > 0:
        return None
    code = (line.tax_code or "").partition("/")[0].strip().upper()
    if code == "O":
        return "N2.1" if buyer_country and buyer_country != "IT" else "N2.2"
    if code == "E" and line.category.exemption_code == "VATEX-EU-79-C":
        return "N1"
    return _NATURA.get(code, "N2.2")


def _sede(parent: ET.Element, *, street: str | None, zipcode: str | None, city: str | None, state: str | None,
          country: str) -> None:
    sede = ET.SubElement(parent, "Sede")
    _add(sede, "Indirizzo", latin(", ".join(parts(street)), 60) or "-")
    italian = country == "IT"
    _add(sede, "CAP", zipcode if italian and zipcode and _CAP.match(zipcode) else "00000")
    _add(sede, "Comune", latin(city, 60) or "-")
    province = _PROVINCE.match((state or "").upper()) if italian else None
    if province:
        _add(sede, "Provincia", province.group(1))
    _add(sede, "Nazione", country)


def _id_fiscale(parent: ET.Element, country: str, code: str) -> None:
    element = ET.SubElement(parent, "IdFiscaleIVA")
    _add(element, "IdPaese", country)
    _add(element, "IdCodice", code)


def _header(root: ET.Element, doc: Mapping[str, Any], seller: Seller, progressive: str) -> None:
    info = doc.get("invoice_to_transmission_info") or {}
    buyer_country = (doc.get("invoice_to_country") or "IT").upper()
    header = ET.SubElement(root, "FatturaElettronicaHeader")

    transmission = ET.SubElement(header, "DatiTrasmissione")
    sender = ET.SubElement(transmission, "IdTrasmittente")
    sender_country, sender_code = fiscal_id(seller.sdi_transmitter_id or "", "IT")
    _add(sender, "IdPaese", sender_country)
    _add(sender, "IdCodice", sender_code)
    _add(transmission, "ProgressivoInvio", progressive)
    recipient = (info.get("transmission_it_sdi_recipient_code") or "").strip().upper()
    if not _RECIPIENT.match(recipient):
        recipient = NO_CODE if buyer_country == "IT" else ABROAD_CODE
    _add(transmission, "FormatoTrasmissione", root.get("versione"))
    _add(transmission, "CodiceDestinatario", recipient)
    phone = latin(seller.contact_phone, 12)
    email = latin(seller.contact_email, 256)
    if len(phone) >= 5 or len(email) >= 7:  # the XSD's minimum lengths
        contacts = ET.SubElement(transmission, "ContattiTrasmittente")
        _add(contacts, "Telefono", phone if len(phone) >= 5 else None)
        _add(contacts, "Email", email if len(email) >= 7 else None)
    pec = (info.get("transmission_it_sdi_pec") or "").strip()
    if recipient == NO_CODE and 7 <= len(pec) <= 256:
        _add(transmission, "PECDestinatario", latin(pec, 256))

    supplier = ET.SubElement(header, "CedentePrestatore")
    data = ET.SubElement(supplier, "DatiAnagrafici")
    _id_fiscale(data, *fiscal_id(seller.vat_id or "", seller.country))
    if seller.codice_fiscale:
        _add(data, "CodiceFiscale", seller.codice_fiscale.upper())
    _add(ET.SubElement(data, "Anagrafica"), "Denominazione", latin(seller.name, 80))
    _add(data, "RegimeFiscale", "RF01")  # ordinary regime
    _sede(supplier, street=seller.street, zipcode=seller.zipcode, city=seller.city, state=seller.state,
          country=(seller.country or "IT").upper())

    customer = ET.SubElement(header, "CessionarioCommittente")
    data = ET.SubElement(customer, "DatiAnagrafici")
    vat_id = (doc.get("invoice_to_vat_id") or "").strip()
    codice_fiscale = (info.get("transmission_it_sdi_codice_fiscale") or "").strip().upper()
    if vat_id:
        _id_fiscale(data, *fiscal_id(vat_id, buyer_country))
    elif buyer_country != "IT" and not codice_fiscale:
        _id_fiscale(data, buyer_country, UNKNOWN_ID)
    if _CF.match(codice_fiscale):
        _add(data, "CodiceFiscale", codice_fiscale)
    registry = ET.SubElement(data, "Anagrafica")
    company, name = latin(doc.get("invoice_to_company"), 80), latin(doc.get("invoice_to_name"), 120)
    first, _, last = name.rpartition(" ")
    if company or not (first and last):
        _add(registry, "Denominazione", company or name[:80] or "-")
    else:
        _add(registry, "Nome", first[:60].strip())
        _add(registry, "Cognome", last[:60])
    _sede(customer, street=doc.get("invoice_to_street"), zipcode=doc.get("invoice_to_zipcode"),
          city=doc.get("invoice_to_city"), state=doc.get("invoice_to_state"), country=buyer_country)


def _body(root: ET.Element, doc: Mapping[str, Any], internal: Mapping[str, Any], seller: Seller, credit: bool) -> None:
    currency = (internal.get("currency") or "EUR").upper()
    amounts = compute(doc["lines"], currency, negate=credit)
    buyer_country = (doc.get("invoice_to_country") or "IT").upper()
    number = latin(doc["number"], 1000)
    if not number.isascii() or len(number) > 20:
        raise FatturaError(f"invoice number {doc['number']!r}: FatturaPA allows at most 20 ASCII characters")
    body = ET.SubElement(root, "FatturaElettronicaBody")
    general = ET.SubElement(body, "DatiGenerali")
    document = ET.SubElement(general, "DatiGeneraliDocumento")
    _add(document, "TipoDocumento", "TD04" if credit else "TD01")
    _add(document, "Divisa", currency)
    _add(document, "Data", doc["date"])
    _add(document, "Numero", number)
    _add(document, "ImportoTotaleDocumento", _money(amounts.gross_total))
    _add(document, "Causale", latin(f"{internal.get('event_name') or ''} - Order {doc['order']}".strip(" -"), 200))
    if doc.get("refers"):
        linked = ET.SubElement(general, "DatiFattureCollegate")
        _add(linked, "IdDocumento", latin(doc["refers"], 20))
        _add(linked, "Data", internal.get("refers_date"))

    goods = ET.SubElement(body, "DatiBeniServizi")
    summary: dict[tuple[Decimal, str | None], list[Line]] = {}
    for line in amounts.lines:
        kind = natura(line, buyer_country)
        summary.setdefault((line.category.rate, kind), []).append(line)
        detail = ET.SubElement(goods, "DettaglioLinee")
        _add(detail, "NumeroLinea", str(line.position))
        _add(detail, "Descrizione", latin(" - ".join(parts(line.description)), 1000) or f"Posizione {line.position}")
        _add(detail, "Quantita", "1.00")
        _add(detail, "PrezzoUnitario", _money(line.net))
        _add(detail, "PrezzoTotale", _money(line.net))
        _add(detail, "AliquotaIVA", _money(line.category.rate))
        _add(detail, "Natura", kind)
    for (rate, kind), lines in summary.items():
        recap = ET.SubElement(goods, "DatiRiepilogo")
        _add(recap, "AliquotaIVA", _money(rate))
        _add(recap, "Natura", kind)
        _add(recap, "ImponibileImporto", _money(sum((line.net for line in lines), Decimal(0))))
        _add(recap, "Imposta", _money(sum((line.tax for line in lines), Decimal(0))))
        _add(recap, "EsigibilitaIVA", "I")  # immediate; never S (split payment) with N6.x
        _add(recap, "RiferimentoNormativo", RIFERIMENTO.get(kind) if kind else None)

    iban = (seller.iban or "").upper()
    if not credit and _IBAN.match(iban) and amounts.gross_total > 0:
        payment = ET.SubElement(body, "DatiPagamento")
        _add(payment, "CondizioniPagamento", "TP02")  # payment in full
        detail = ET.SubElement(payment, "DettaglioPagamento")
        _add(detail, "ModalitaPagamento", "MP05")  # bank transfer
        _add(detail, "ImportoPagamento", _money(amounts.gross_total))
        _add(detail, "IBAN", iban)
        if seller.bic and _BIC.match(seller.bic.upper()):
            _add(detail, "BIC", seller.bic.upper())


def build_fatturapa(doc: Mapping[str, Any], internal: Mapping[str, Any], seller: Seller, progressive: int) -> FatturaFile:
    """One FatturaPA file; `progressive` is the transmitter's next counter value (unique per transmitter)."""
    if not seller.sdi_transmitter_id:
        raise FatturaError("invoice_sdi_transmitter_id is not set")
    counter = progressivo(progressive)
    info = doc.get("invoice_to_transmission_info") or {}
    public_administration = len((info.get("transmission_it_sdi_recipient_code") or "").strip()) == 6
    root = ET.Element("p:FatturaElettronica", {"versione": "FPA12" if public_administration else "FPR12",
                                                "xmlns:p": NAMESPACE, "xmlns:ds": DSIG})
    credit = bool(doc.get("is_cancellation"))
    _header(root, doc, seller, counter)
    _body(root, doc, internal, seller, credit)
    return FatturaFile(filename=fattura_filename(seller.sdi_transmitter_id, progressive),
                       xml=ET.tostring(root, encoding="utf-8", xml_declaration=True), progressivo=counter)
