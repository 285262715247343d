"""FatturaPA FPR12: B2B, consumer and TD04 samples pass the official XSD v1.2.3; file naming; Natura."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from invoicing.einvoice.amounts import compute
from invoicing.einvoice.fatturapa import FatturaError, build_fatturapa, fattura_filename, fiscal_id, latin, natura, progressivo
from invoicing.einvoice.seller import Seller
from tests.support import einvoice_validation, pdf_samples

SETTINGS = {"invoice_sdi_transmitter_id": "IT01234567890", "invoice_seller_iban": "IT60 X054 2811 1010 0000 0123 456",
            "invoice_seller_bic": "BPMOIT22XXX", "invoice_seller_contact_email": "fatture@example.it",
            "invoice_seller_contact_phone": "+39 055 123456"}
SELLER_FIELDS = {"invoice_from_name": "Eventi Esempio S.r.l.", "invoice_from": "Via Roma 1", "invoice_from_zipcode": "50123",
                 "invoice_from_city": "Firenze", "invoice_from_country": "IT", "invoice_from_vat_id": "IT01234567890",
                 "invoice_from_tax_id": ""}
BUSINESS = {"invoice_to_company": "Acme S.p.A.", "invoice_to_name": "Giulia Bianchi", "invoice_to_is_business": True,
            "invoice_to_street": "Via Verdi 3", "invoice_to_zipcode": "00184", "invoice_to_city": "Roma",
            "invoice_to_state": "RM", "invoice_to_country": "IT", "invoice_to_vat_id": "IT09876543210",
            "invoice_to_transmission_info": {"transmission_it_sdi_recipient_code": "abc1234",
                                             "transmission_it_sdi_pec": "acme@pec.example.it"}}
CONSUMER = {**BUSINESS, "invoice_to_company": "", "invoice_to_name": "Mario Rossi", "invoice_to_is_business": False,
            "invoice_to_vat_id": None,
            "invoice_to_transmission_info": {"transmission_it_sdi_codice_fiscale": "rssmra80a01h501u"}}


@pytest.fixture(scope="session")
def validator():
    einvoice_validation.warm_up()
    return einvoice_validation


def _line(position, description, gross, rate="22.00", code="S/standard", tax_name="IVA"):
    item = pdf_samples.line(position, description, gross, rate, tax_name)
    item["tax_code"] = code
    return item


def _lines():
    return [
        _line(1, "Biglietto conferenza \u2013 \u201cEarly bird\u201d \u20ac<br />Attendee: Mario Rossi", "122.00"),
        _line(2, "Workshop", "61.00"),
        _line(3, "Cena sociale", "44.00", "10.00", "S/reduced"),
        _line(4, "Donazione", "10.00", "0.00", "O", ""),
        _line(5, "Corso di formazione", "50.00", "0.00", "E", "Esente art. 10"),
        _line(6, "Sconto", "-12.20", "22.00"),
    ]


def _doc(recipient, **changes):
    return pdf_samples.invoice(lines=_lines(), **{"number": "PYCON25-00042", **SELLER_FIELDS, **recipient, **changes})


def _build(doc, progressive=1, internal=None, **settings):
    internal = internal or pdf_samples.internal(invoice_from_state="FI")
    return build_fatturapa(doc, internal, Seller.from_invoice(doc, internal, {**SETTINGS, **settings}), progressive)


def _valid(validator, xml):
    assert validator.fatal(validator.validate_fatturapa(xml)) == []
    return ET.fromstring(xml)


def _riepilogo(root):
    return {(r.findtext("AliquotaIVA"), r.findtext("Natura")): (Decimal(r.findtext("ImponibileImporto")),
                                                                 Decimal(r.findtext("Imposta")))
            for r in root.iter("DatiRiepilogo")}


def test_b2b_invoice(validator):
    file = _build(_doc(BUSINESS), progressive=37)
    root = _valid(validator, file.xml)
    assert file.filename == "IT01234567890_00011.xml"
    assert root.get("versione") == "FPR12"
    assert root.findtext("FatturaElettronicaHeader/DatiTrasmissione/ProgressivoInvio") == "00011"
    assert root.findtext("FatturaElettronicaHeader/DatiTrasmissione/CodiceDestinatario") == "ABC1234"
    assert root.find("FatturaElettronicaHeader/DatiTrasmissione/PECDestinatario") is None  # only with 0000000
    buyer = root.find("FatturaElettronicaHeader/CessionarioCommittente/DatiAnagrafici")
    assert (buyer.findtext("IdFiscaleIVA/IdPaese"), buyer.findtext("IdFiscaleIVA/IdCodice")) == ("IT", "09876543210")
    assert buyer.findtext("Anagrafica/Denominazione") == "Acme S.p.A."
    document = root.find("FatturaElettronicaBody/DatiGenerali/DatiGeneraliDocumento")
    assert document.findtext("TipoDocumento") == "TD01"
    assert document.findtext("ImportoTotaleDocumento") == "274.80"
    assert _riepilogo(root) == {
        ("22.00", None): (Decimal("140.00"), Decimal("30.80")),
        ("10.00", None): (Decimal("40.00"), Decimal("4.00")),
        ("0.00", "N2.2"): (Decimal("10.00"), Decimal("0.00")),
        ("0.00", "N4"): (Decimal("50.00"), Decimal("0.00")),
    }
    descriptions = [d.findtext("Descrizione") for d in root.iter("DettaglioLinee")]
    assert descriptions[0] == 'Biglietto conferenza - "Early bird" EUR - Attendee: Mario Rossi'
    assert [d.findtext("Natura") for d in root.iter("DettaglioLinee")] == [None, None, None, "N2.2", "N4", None]
    payment = root.find("FatturaElettronicaBody/DatiPagamento/DettaglioPagamento")
    assert (payment.findtext("ModalitaPagamento"), payment.findtext("IBAN")) == ("MP05", "IT60X0542811101000000123456")
    assert payment.findtext("ImportoPagamento") == "274.80"


def test_b2b_without_recipient_code_goes_by_pec(validator):
    info = {"transmission_it_sdi_recipient_code": "0000000", "transmission_it_sdi_pec": "acme@pec.example.it"}
    root = _valid(validator, _build(_doc(BUSINESS, invoice_to_transmission_info=info)).xml)
    transmission = root.find("FatturaElettronicaHeader/DatiTrasmissione")
    assert transmission.findtext("CodiceDestinatario") == "0000000"
    assert transmission.findtext("PECDestinatario") == "acme@pec.example.it"


def test_consumer_invoice(validator):
    file = _build(_doc(CONSUMER), progressive=36**5 - 1, invoice_seller_iban="")
    root = _valid(validator, file.xml)
    assert file.filename == "IT01234567890_ZZZZZ.xml"
    assert root.findtext("FatturaElettronicaHeader/DatiTrasmissione/CodiceDestinatario") == "0000000"
    buyer = root.find("FatturaElettronicaHeader/CessionarioCommittente/DatiAnagrafici")
    assert buyer.find("IdFiscaleIVA") is None
    assert buyer.findtext("CodiceFiscale") == "RSSMRA80A01H501U"
    assert (buyer.findtext("Anagrafica/Nome"), buyer.findtext("Anagrafica/Cognome")) == ("Mario", "Rossi")
    assert root.find("FatturaElettronicaBody/DatiPagamento") is None  # no IBAN: nothing to say about payment


def test_td04_credit_note_for_a_cancellation(validator):
    original = _doc(BUSINESS)
    cancellation = pdf_samples.cancellation(original)
    cancellation["number"] = "PYCON25-00043"
    file = _build(cancellation, progressive=2, internal=pdf_samples.internal(invoice_from_state="FI",
                                                                                refers_date=original["date"]))
    root = _valid(validator, file.xml)
    general = root.find("FatturaElettronicaBody/DatiGenerali")
    assert general.findtext("DatiGeneraliDocumento/TipoDocumento") == "TD04"
    assert general.findtext("DatiGeneraliDocumento/ImportoTotaleDocumento") == "274.80"  # positive
    assert general.findtext("DatiFattureCollegate/IdDocumento") == "PYCON25-00042"
    assert general.findtext("DatiFattureCollegate/Data") == "2026-11-21"
    assert _riepilogo(root)[("22.00", None)] == (Decimal("140.00"), Decimal("30.80"))
    assert root.find("FatturaElettronicaBody/DatiPagamento") is None


def test_foreign_business_customer(validator):
    foreign = {**BUSINESS, "invoice_to_company": "Alpen GmbH", "invoice_to_street": "Ringstraße 1",
               "invoice_to_zipcode": "1010", "invoice_to_city": "Wien", "invoice_to_state": "",
               "invoice_to_country": "AT", "invoice_to_vat_id": "ATU12345678", "invoice_to_transmission_info": {}}
    root = _valid(validator, _build(_doc(foreign)).xml)
    assert root.findtext("FatturaElettronicaHeader/DatiTrasmissione/CodiceDestinatario") == "XXXXXXX"
    buyer = root.find("FatturaElettronicaHeader/CessionarioCommittente")
    assert buyer.findtext("DatiAnagrafici/IdFiscaleIVA/IdPaese") == "AT"
    assert buyer.findtext("DatiAnagrafici/IdFiscaleIVA/IdCodice") == "U12345678"
    assert (buyer.findtext("Sede/CAP"), buyer.find("Sede/Provincia")) == ("00000", None)
    assert buyer.findtext("Sede/Indirizzo") == "Ringstraße 1"  # Latin-1 is allowed


def test_public_administration_code_switches_to_fpa12(validator):
    info = {"transmission_it_sdi_recipient_code": "UFABCD"}
    root = _valid(validator, _build(_doc(BUSINESS, invoice_to_transmission_info=info)).xml)
    assert root.get("versione") == "FPA12"
    assert root.findtext("FatturaElettronicaHeader/DatiTrasmissione/FormatoTrasmissione") == "FPA12"


def test_the_200_line_invoice_keeps_imposta_consistent(validator):
    lines = [_line(i, "Biglietto", "9.99") for i in range(1, 201)]
    root = _valid(validator, _build(pdf_samples.invoice(lines=lines, number="PYCON25-1", **SELLER_FIELDS, **BUSINESS)).xml)
    ((taxable, tax),) = _riepilogo(root).values()
    assert (taxable + tax) == Decimal("1998.00")
    assert abs(tax - (taxable * Decimal("0.22")).quantize(Decimal("0.01"))) <= Decimal("0.01")  # SdI 00421


def test_numbers_longer_than_20_characters_are_refused():
    with pytest.raises(FatturaError):
        _build(_doc(BUSINESS, number="PRETIX-CONF2025-000001"))
    doc = _doc(BUSINESS)
    with pytest.raises(FatturaError):
        build_fatturapa(doc, {}, Seller.from_invoice(doc, {}, {}), 1)  # no transmitter id


@pytest.mark.parametrize(("value", "expected"), [
    (1, "00001"), (35, "0000Z"), (36, "00010"), (1295, "000ZZ"), (36**5 - 1, "ZZZZZ")])
def test_progressivo_is_five_base36_characters(value, expected):
    assert progressivo(value) == expected


@pytest.mark.parametrize("value", [0, -1, 36**5])
def test_progressivo_out_of_range(value):
    with pytest.raises(FatturaError):
        progressivo(value)


def test_file_name_uses_the_transmitter_country_and_code():
    assert fattura_filename("IT01234567890", 1) == "IT01234567890_00001.xml"
    assert fattura_filename("01234567890", 46656) == "IT01234567890_01000.xml"
    assert fattura_filename("RSSMRA80A01H501U", 2) == "ITRSSMRA80A01H501U_00002.xml"


def test_fiscal_id():
    assert fiscal_id("IT 012 345 678 90", None) == ("IT", "01234567890")
    assert fiscal_id("ATU12345678", None) == ("AT", "U12345678")
    assert fiscal_id("EL123456789", None) == ("GR", "123456789")
    assert fiscal_id("RSSMRA80A01H501U", "IT") == ("IT", "RSSMRA80A01H501U")


def test_latin_transliterates_and_limits():
    text = "\u0141\u00f3d\u017a \u2013 \u201cStra\u00dfe\u201d \u2713 \u20ac"  # Łódź, en dash, quotes, check mark, euro
    assert latin(text, 100) == 'L\u00f3dz - "Stra\u00dfe" ? EUR'  # ó and ß are Latin-1, ź folds to z
    assert latin("a\nb   c", 100) == "a b c"
    assert latin("x" * 70, 60) == "x" * 60


@pytest.mark.parametrize(("code", "country", "expected"), [
    ("E", "IT", "N4"), ("E/VATEX-EU-79-C", "IT", "N1"), ("AE", "DE", "N6.9"), ("K", "FR", "N3.2"),
    ("G", "US", "N3.1"), ("Z", "IT", "N3.6"), ("O", "IT", "N2.2"), ("O", "US", "N2.1"), (None, "IT", "N2.2")])
def test_natura_for_zero_rate_lines(code, country, expected):
    amounts = compute([_line(1, "x", "10.00", "0.00", code, "")], "EUR")
    assert natura(amounts.lines[0], country) == expected


def test_no_natura_with_a_rate():
    assert natura(compute([_line(1, "x", "12.20")], "EUR").lines[0], "IT") is None


def test_seller_seated_abroad_is_ready_and_valid_with_cap_00000(validator):
    # The SdI bug of issue 12: a seller whose zip code is no Italian CAP was refused as "missing" although set.
    from invoicing.einvoice.seller import missing_for_sdi

    doc = _doc(BUSINESS, invoice_from_country="AT", invoice_from_zipcode="1010", invoice_from_city="Wien",
               invoice_from_vat_id="ATU13585627")
    internal = pdf_samples.internal()
    seller = Seller.from_invoice(doc, internal, SETTINGS)
    assert missing_for_sdi(doc, seller) == []

    root = _valid(validator, build_fatturapa(doc, internal, seller, 1).xml)
    seat = root.find("FatturaElettronicaHeader/CedentePrestatore/Sede")
    assert (seat.findtext("CAP"), seat.findtext("Nazione")) == ("00000", "AT")
