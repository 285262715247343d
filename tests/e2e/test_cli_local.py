"""The `invoicing` CLI against the running local stack on free ports: found through --endpoint-url or the
AWS_ENDPOINT_URL the stack's banner prints, organizer and billing listings, and the outbox of sent emails."""

from __future__ import annotations

import os

import pytest

from invoicing_infra import cli
from tests.support.aws import reset_caches
from tests.support.billing_parties import make_billable


@pytest.fixture
def run(capsys):
    """cli.main in-process; the environment it changes (target variables) is put back afterwards."""
    saved = dict(os.environ)

    def invoke(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    yield invoke
    os.environ.clear()
    os.environ.update(saved)
    reset_caches()


@pytest.fixture
def billed(new_organizer):
    """An organizer with a billing contact and one released billing invoice (rendered and emailed)."""
    from invoicing.billing import issue, workflow
    from invoicing.billing.models import BillingCreate

    organizer = new_organizer("clilist")
    make_billable(organizer.slug)
    invoice = issue.create(BillingCreate.model_validate({
        "organizer": organizer.slug, "currency": "EUR", "date_issued": "2019-06-03",
        "lines": [{"description": "Ticketing fees", "net": "10.00", "tax_rate": "19.00"}]}))
    workflow.release(invoice.number)
    return organizer, invoice.number


def test_endpoint_url_finds_a_stack_on_any_port(stack, run, new_organizer):
    organizer = new_organizer("cliorg")

    code, out, err = run("organizer", "list", "--endpoint-url", stack.aws_endpoint)

    assert code == 0, err
    assert organizer.slug in out.split()
    assert stack.aws_endpoint.rsplit(":", 1)[1] != "5000"


def test_the_aws_endpoint_url_of_the_banner_is_enough(stack, run, new_organizer, monkeypatch):
    organizer = new_organizer("clienv")
    monkeypatch.setenv("AWS_ENDPOINT_URL", stack.aws_endpoint)

    code, out, err = run("token", "list", "--organizer", organizer.slug, "--json")

    assert code == 0, err
    assert '"permissions"' in out and organizer.slug not in err


def test_a_malformed_endpoint_url_is_one_clear_line(run):
    code, out, err = run("organizer", "list", "--endpoint-url", "localhost-5000")
    assert out == ""

    assert code == 1
    assert err.strip().startswith("invoicing: error: invalid endpoint URL 'localhost-5000'")


def test_billing_list_of_one_organizer_and_of_all(stack, run, billed):
    organizer, number = billed

    code, mine, err = run("billing", "list", "--organizer", organizer.slug, "--endpoint-url", stack.aws_endpoint)
    assert code == 0, err
    (header, row) = mine.strip().splitlines()
    assert header.split()[:3] == ["NUMBER", "ORGANIZER", "DATE"]
    assert row.split()[:5] == [number, organizer.slug, "2019-06-03", "11.90", "EUR"]

    code, everyone, err = run("billing", "list", "--json", "--endpoint-url", stack.aws_endpoint)
    assert code == 0, err
    assert f'"invoice_number": "{number}"' in everyone


def test_sent_emails_are_saved_as_eml_and_listed(stack, run, billed):
    organizer, number = billed
    stack.drain()
    stack.mailbox.collect()

    code, out, err = run("local", "mail", "--last", "1", "--state", str(stack.state_dir))

    assert code == 0, err
    assert f"To:          accounts@{organizer.slug}.example" in out
    assert number in out.split("Subject:", 1)[1].splitlines()[0]
    assert f"Invoice_{number}.pdf" in out or f"{number}.pdf" in out
    saved = sorted((stack.state_dir / "mail").glob("*.eml"))
    assert saved and saved[-1].name in out
    assert b"%PDF" not in saved[-1].read_bytes()[:200]  # a MIME message, the PDF inside it base64-encoded
