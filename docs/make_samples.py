"""Renders the sample invoices shown in the README into docs/*.png (page 1, via poppler's pdftoppm).

    .venv/bin/python docs/make_samples.py     # needs pdftoppm (Debian: poppler-utils)

The documents are the PDF tests' samples (tests/support/pdf_samples.py) and the demo's billing parties.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "layers" / "shared" / "python"), str(ROOT / "infra"), str(ROOT)]

from invoicing.billing import parties, rendering  # noqa: E402
from invoicing.pdf import render_invoice  # noqa: E402
from invoicing_infra import demo  # noqa: E402
from tests.support import pdf_samples as samples  # noqa: E402


def reverse_charge() -> tuple[dict, dict]:
    lines = [samples.line(1, "Online workshop (streaming)<br />Attendee: Jan Peeters", "250.00", rate="0.00",
                          tax_name="Reverse charge"),
             samples.line(2, "Recording access", "50.00", rate="0.00", tax_name="Reverse charge")]
    for line in lines:
        line["tax_code"] = "AE"
    return samples.invoice(lines, invoice_to_company="Acme Belgium NV", invoice_to_name="Jan Peeters",
                           invoice_to_street="Rue de la Loi 1", invoice_to_zipcode="1000", invoice_to_city="Brussels",
                           invoice_to_country="BE", invoice_to_vat_id="BE0477472701",
                           payment_provider_stamp=""), samples.internal()


def cancellation() -> tuple[dict, dict]:
    return samples.cancellation(samples.invoice()), samples.internal(refers_date="2026-11-21")


def german() -> tuple[dict, dict]:
    settings = demo.ORGANIZER_SETTINGS
    return samples.invoice(locale="de", introductory_text=settings["invoice_introductory_text"]["de"],
                           additional_text=settings["invoice_additional_text"]["de"],
                           footer_text=settings["invoice_footer_text"]["de"]), samples.internal(
        event_name="Beispielkonferenz 2027")


def billing() -> tuple[dict, dict]:
    sender = {**demo.PLATFORM_SETTINGS}
    recipient = parties.recipient(demo.ORGANIZER, {"name": demo.ORGANIZER_NAME, **demo.ORGANIZER_BILLING})
    lines = [{"description": "Ticketing fees July 2026 (412 tickets)", "net": "412.00", "tax_rate": "0.00",
              "tax": "0.00", "gross": "412.00"},
             {"description": "Payment processing", "net": "87.35", "tax_rate": "0.00", "tax": "0.00", "gross": "87.35"}]
    invoice = SimpleNamespace(number="R2026001", date_issued="2026-08-01", currency="EUR", lines=lines,
                              description="Platform fees for July 2026.", sender=sender, recipient=recipient)
    return rendering.document(invoice)  # type: ignore[arg-type]


def scripts() -> tuple[dict, dict]:
    """A Japanese invoice to a recipient written in Japanese, Chinese, Korean, Hebrew and Arabic."""
    return samples.invoice(locale="ja", invoice_to_company="株式会社テスト (北京测试有限公司)",
                           invoice_to_name='山田太郎 · 김민준 · חברה בע"מ', invoice_to_street="서울특별시 중구 세종대로 110",
                           invoice_to_city="القاهرة · 臺北市"), samples.internal()


SAMPLES = {"invoice-sample-reverse-charge": reverse_charge, "invoice-sample-cancellation": cancellation,
           "invoice-sample-de": german, "billing-invoice-sample": billing, "invoice-sample-scripts": scripts}


def main() -> None:
    """Every sample, or those named on the command line (`make_samples.py invoice-sample-scripts`)."""
    chosen = sys.argv[1:] or list(SAMPLES)
    with tempfile.TemporaryDirectory() as scratch:
        for name in chosen:
            build = SAMPLES[name]
            pdf = Path(scratch) / f"{name}.pdf"
            pdf.write_bytes(render_invoice(*build()))
            subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdf),  # noqa: S603, S607
                            str(ROOT / "docs" / name)], check=True)
            print(f"docs/{name}.png")


if __name__ == "__main__":
    main()
