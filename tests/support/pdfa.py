"""Structural checks of a Factur-X / ZUGFeRD PDF/A-3b with pypdf (no veraPDF offline: Java, not on any registry).

What is checked is what PDF/A-3 (ISO 19005-3) and Factur-X 1.0 require of the parts we write: the header and
binary comment, a trailer /ID, the sRGB output intent with its ICC profile, every font embedded, an
unfiltered XMP stream naming PDF/A-3B and the `fx:` properties with their extension schema, and the XML as
an Associated File (`/AF`, `/AFRelationship`, MIME subtype, `/UF`, `/ModDate`).
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pypdf

RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
FX = "{urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#}"
SCHEMA = "{http://www.aiim.org/pdfa/ns/schema#}"


def xmp_values(pdf: bytes) -> dict[str, str]:
    """`pdfaid:*`, `fx:*` and the extension schemas' namespace URIs, as `prefix:name` -> text."""
    metadata = pypdf.PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Metadata"].get_object()
    root = ET.fromstring(metadata.get_data())
    values: dict[str, str] = {}
    for element in root.iter():
        for namespace, prefix in ((PDFAID, "pdfaid"), (FX, "fx")):
            if element.tag.startswith(namespace):
                values[f"{prefix}:{element.tag[len(namespace):]}"] = element.text or ""
        if element.tag == f"{SCHEMA}namespaceURI":
            values.setdefault("extension_schemas", "")
            values["extension_schemas"] += (element.text or "") + " "
    return values


def problems(pdf: bytes, filename: str = "factur-x.xml", relationship: str = "/Alternative") -> list[str]:
    """Everything missing for a Factur-X PDF/A-3b; empty when the structure is complete."""
    found: list[str] = []
    if not pdf.startswith(b"%PDF-1.7\n%") or not all(byte > 127 for byte in pdf[10:14]):
        found.append("header: %PDF-1.7 followed by a binary comment")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    if not reader.trailer.get("/ID"):
        found.append("trailer /ID")
    if "/Encrypt" in reader.trailer:
        found.append("encryption is forbidden")
    catalog = reader.trailer["/Root"]
    intents = catalog.get("/OutputIntents") or []
    if not any(i.get_object().get("/S") == "/GTS_PDFA1" and "/DestOutputProfile" in i.get_object() for i in intents):
        found.append("output intent /GTS_PDFA1 with an ICC profile")
    metadata = catalog.get("/Metadata")
    if metadata is None:
        found.append("XMP metadata")
    else:
        stream = metadata.get_object()
        if "/Filter" in stream:
            found.append("XMP stream must not be filtered")
        values = xmp_values(pdf)
        expected = {"pdfaid:part": "3", "pdfaid:conformance": "B", "fx:DocumentType": "INVOICE",
                    "fx:DocumentFileName": filename, "fx:Version": "1.0", "fx:ConformanceLevel": "EN 16931"}
        found += [f"XMP {key}={value}" for key, value in expected.items() if values.get(key) != value]
        if "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#" not in values.get("extension_schemas", ""):
            found.append("XMP PDF/A extension schema for fx:")
    specs = [spec.get_object() for spec in catalog.get("/AF") or []]
    names = catalog.get("/Names", {}).get("/EmbeddedFiles", {}).get("/Names", [])
    spec = next((s for s in specs if s.get("/F") == filename), None)
    if spec is None or filename not in names:
        found.append(f"{filename} in /AF and in the EmbeddedFiles name tree")
    else:
        if spec.get("/UF") != filename:
            found.append("file spec /UF")
        if spec.get("/AFRelationship") != relationship:
            found.append(f"file spec /AFRelationship {relationship}")
        stream = spec["/EF"]["/F"].get_object()
        if stream.get("/Subtype") != "/text/xml":
            found.append("embedded file /Subtype /text/xml")
        if "/ModDate" not in stream.get("/Params", {}):
            found.append("embedded file /Params /ModDate")
    for number, page in enumerate(reader.pages, start=1):
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            if descriptor is None or not any(k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                found.append(f"page {number}: font {font.get('/BaseFont')} not embedded")
    return found


def embedded_xml(pdf: bytes, filename: str = "factur-x.xml") -> bytes:
    return pypdf.PdfReader(io.BytesIO(pdf)).attachments[filename][0]
