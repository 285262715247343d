"""The operator's `invoicing` commands against a (moto) deployed stack: billing contact, billing invoices
from create to paid, platform tokens and settings."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from decimal import Decimal

import boto3
import pytest
from moto import mock_aws

from invoicing import platform
from invoicing.storage import billing as store
from invoicing.storage import organizers
from invoicing_infra import cli, targets
from invoicing_infra.template import Template
from tests.conftest import ROOT, reset_caches

STACK = "invoicing-billing-test"
TARGET = ["--stack", STACK]
LINES = [{"description": "Ticketing fees May 2019", "net": "100.00", "tax_rate": "19.00"}]


@pytest.fixture
def stack(monkeypatch) -> Iterator[dict[str, str]]:
    """A moto CloudFormation stack with the template's tables and render queue, and their outputs."""
    for name in ("TABLE_NAME", "IDEMPOTENCY_TABLE_NAME", "AWS_DEFAULT_REGION", "AWS_REGION", "RENDER_QUEUE_URL",
                 "CURSOR_SECRET_ARN"):
        monkeypatch.setenv(name, os.environ.get(name, "eu-central-1"))
    template = Template.load(ROOT / "template.yaml")
    resources = {name: {"Type": "AWS::DynamoDB::Table", "Properties": props} for name, props in template.tables().items()}
    resources["RenderQueue"] = {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 180}}
    outputs = {name: template.data["Outputs"][name] for name in (*targets.TABLE_OUTPUTS, "RenderQueueUrl")}
    with mock_aws():
        # moto's CloudFormation makes no secrets: the generated CursorSecret made by hand, its ARN the output
        cursor_key = boto3.client("secretsmanager", region_name="eu-central-1").create_secret(
            Name="CursorSecret", SecretString="generated-by-secrets-manager")
        outputs["CursorSecretArn"] = {"Value": cursor_key["ARN"]}
        body = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources, "Outputs": outputs}
        boto3.client("cloudformation", region_name="eu-central-1").create_stack(StackName=STACK,
                                                                                TemplateBody=json.dumps(body))
        outputs = targets.stack_outputs(STACK)
        reset_caches()
        cli.main(["organizer", "create", "acme", "--name", "Acme Events", *TARGET])
        yield outputs
        reset_caches()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def lines_file(tmp_path) -> str:
    path = tmp_path / "lines.json"
    path.write_text(json.dumps(LINES))
    return str(path)


def test_organizer_update_sets_the_billing_contact(stack, capsys):
    code, out, err = run(capsys, "organizer", "update", "acme", "--billing-email", "billing@acme.example", *TARGET)

    assert (code, out) == (0, "")
    assert organizers.get_organizer("acme")["billing_email"] == "billing@acme.example"
    assert run(capsys, "organizer", "update", "acme", "--billing-email", "not-an-address", *TARGET)[0] == 1
    code, _, err = run(capsys, "organizer", "update", "nobody", "--billing-email", "a@b.example", *TARGET)
    assert code == 1 and "organizer nobody does not exist" in err


ADDRESSES = [
    ["platform", "settings", "--name", "Ticketplattform GmbH", "--address", "Hauptstraße 1", "--zipcode", "10115",
     "--city", "Berlin", "--country", "DE", "--vat-id", "DE123456788", "--tax-id", "HRB 12345 B",
     "--iban", "DE02 1203 0000 0000 2020 51"],
    ["organizer", "update", "acme", "--billing-email", "billing@acme.example", "--billing-company", "Acme Events GmbH",
     "--billing-street", "Marktplatz 3", "--billing-zipcode", "69117", "--billing-city", "Heidelberg",
     "--billing-country", "DE", "--billing-vat-id", "DE136695976"],
]


def test_platform_and_organizer_billing_addresses_are_set_from_the_cli(stack, capsys):
    for command in ADDRESSES:
        assert run(capsys, *command, *TARGET)[0] == 0

    assert platform.settings().model_dump(include={"city", "country", "vat_id", "tax_id", "iban"}) == {
        "city": "Berlin", "country": "DE", "vat_id": "DE123456788", "tax_id": "HRB 12345 B",
        "iban": "DE02120300000000202051"}
    stored = organizers.get_organizer("acme")
    assert {key: stored[key] for key in ("billing_company", "billing_country", "billing_vat_id")} == {
        "billing_company": "Acme Events GmbH", "billing_country": "DE", "billing_vat_id": "DE136695976"}
    code, _, err = run(capsys, "organizer", "update", "acme", "--billing-vat-id", "DE136695977", *TARGET)
    assert code == 1 and "This VAT ID is not valid for its country" in err


def test_billing_from_create_to_paid(stack, capsys, lines_file):
    for command in ADDRESSES:
        run(capsys, *command, *TARGET)

    # create prints the number alone
    code, out, err = run(capsys, "billing", "create", "--organizer", "acme", "--currency", "EUR", "--lines", lines_file,
                         "--date", "2019-06-03", "--description", "Fees for May", *TARGET)
    assert (code, out) == (0, "R2019001\n")
    invoice = store.get("acme", "R2019001")
    assert (invoice.review_state, invoice.amount, invoice.description) == ("in_review", Decimal("119.00"), "Fees for May")

    # release queues the render-and-email job on the stack's render queue
    code, out, err = run(capsys, "billing", "release", "R2019001", *TARGET)
    assert (code, out) == (0, "")
    assert store.get("acme", "R2019001").review_state == "released"
    messages = boto3.client("sqs").receive_message(QueueUrl=stack["RenderQueueUrl"])["Messages"]
    assert [json.loads(m["Body"]) for m in messages] == [
        {"kind": "billing", "organizer": "acme", "number": "R2019001", "content_version": 1}]

    # pay lowers the amount due, refuses overpayment, and the last payment makes it paid
    assert run(capsys, "billing", "pay", "R2019001", "--amount", "19.00", *TARGET)[0] == 0
    assert store.get("acme", "R2019001").amount_due == Decimal("100.00")
    code, _, err = run(capsys, "billing", "pay", "R2019001", "--amount", "100.01", *TARGET)
    assert code == 1 and "exceeds the amount due (100.00 EUR)" in err
    assert run(capsys, "billing", "pay", "R2019001", "--amount", "100.00", *TARGET)[0] == 0
    assert store.get("acme", "R2019001").status == "paid"

    code, out, _ = run(capsys, "billing", "show", "R2019001", *TARGET)
    assert json.loads(out)["status"] == "paid" and json.loads(out)["amount_due"] == "0.00"
    # a paid invoice is not voided
    assert run(capsys, "billing", "void", "R2019001", *TARGET)[0] == 1


def test_void_and_the_next_number(stack, capsys, lines_file):
    number = run(capsys, "billing", "create", "--organizer", "acme", "--currency", "EUR", "--lines", lines_file,
                 "--date", "2019-06-03", *TARGET)[1].strip()
    assert run(capsys, "billing", "void", number, *TARGET)[0] == 0
    assert store.get("acme", number).status == "void"

    following = run(capsys, "billing", "create", "--organizer", "acme", "--currency", "EUR", "--lines", lines_file,
                    "--date", "2019-06-04", *TARGET)[1].strip()
    assert (number, following) == ("R2019001", "R2019002")


@pytest.mark.parametrize(("lines", "message"), [
    ("[]", "lines"),
    ('[{"description": "x", "net": "abc"}]', "lines.0.net"),
    ("not json", "is not JSON"),
])
def test_bad_lines_are_refused_before_anything_is_written(stack, capsys, tmp_path, lines, message):
    path = tmp_path / "lines.json"
    path.write_text(lines)

    code, out, err = run(capsys, "billing", "create", "--organizer", "acme", "--currency", "EUR", "--lines", str(path),
                         *TARGET)

    assert (code, out) == (1, "")
    assert message in err and err.count("\n") == 1
    assert store.read_counter().seq == 0


def test_release_without_contact_and_unknown_numbers_fail_clearly(stack, capsys, lines_file):
    number = run(capsys, "billing", "create", "--organizer", "acme", "--currency", "EUR", "--lines", lines_file,
                 *TARGET)[1].strip()

    code, _, err = run(capsys, "billing", "release", number, *TARGET)
    assert code == 1 and "invoicing organizer update acme --billing-email" in err
    code, _, err = run(capsys, "billing", "pay", "R1999999", "--amount", "1", *TARGET)
    assert code == 1 and "no billing invoice R1999999" in err


def test_platform_token_and_settings(stack, capsys):
    code, out, err = run(capsys, "platform", "token", "create", "--name", "ops", *TARGET)
    secret = out.strip()
    assert code == 0 and out == secret + "\n" and len(secret) == 64 and secret not in err
    principal = platform.authenticate(f"Token {secret}")

    code, out, _ = run(capsys, "platform", "token", "list", *TARGET)
    assert json.loads(out) == {"id": principal.token_id, "name": "ops", "active": True}
    assert run(capsys, "platform", "token", "revoke", principal.token_id, *TARGET)[0] == 0
    assert json.loads(run(capsys, "platform", "token", "list", *TARGET)[1])["active"] is False

    code, out, _ = run(capsys, "platform", "settings", "--name", "Ticket Platform GmbH", "--billing-prefix", "TP{year}-",
                       *TARGET)
    assert code == 0 and json.loads(out)["billing_number_prefix"] == "TP{year}-"
    assert platform.settings().name == "Ticket Platform GmbH"
    assert run(capsys, "platform", "settings", "--billing-prefix", "bad prefix!", *TARGET)[0] == 1


# --- Sender identities (issue 10) ----------------------------------------------------------------------


def test_mail_identity_creates_the_ses_identity_records_its_owner_and_is_listed(stack, capsys):
    code, out, err = run(capsys, "organizer", "update", "acme", "--mail-identity", "Invoices@Acme.example", *TARGET)

    assert code == 0, err
    assert out == "invoices@acme.example\tSUCCESS\n"  # moto verifies at once; SES would say PENDING
    ses = boto3.client("sesv2", region_name="eu-central-1")
    assert ses.get_email_identity(EmailIdentity="invoices@acme.example")["VerificationStatus"] == "SUCCESS"
    code, out, _ = run(capsys, "organizer", "list", "--json", *TARGET)
    assert [json.loads(line) for line in out.splitlines()] == [
        {"slug": "acme", "name": "Acme Events", "billing_email": "", "mail_identities": ["invoices@acme.example"]}]


def test_mail_identity_of_another_organizer_or_of_the_platform_is_refused(stack, capsys, monkeypatch):
    from invoicing_infra import billing_cli

    monkeypatch.setattr(billing_cli, "_platform_identities", lambda args: {"invoices@example.com"})
    run(capsys, "organizer", "create", "rival", "--name", "Rival", *TARGET)
    assert run(capsys, "organizer", "update", "acme", "--mail-identity", "acme.example", *TARGET)[0] == 0

    code, _, err = run(capsys, "organizer", "update", "rival", "--mail-identity", "ACME.example", *TARGET)
    assert code == 1 and "acme.example is already a sender identity of organizer acme" in err
    for platform_identity in ("invoices@example.com", "example.com"):
        code, _, err = run(capsys, "organizer", "update", "rival", "--mail-identity", platform_identity, *TARGET)
        assert code == 1 and "is the platform's own sender identity" in err
    code, _, err = run(capsys, "organizer", "update", "rival", "--mail-identity", "not an address", *TARGET)
    assert code == 1 and "neither an email address nor a domain name" in err
    assert organizers.get_organizer("rival").get("mail_identities") is None


def test_names_with_control_characters_are_refused(stack, capsys):
    code, _, err = run(capsys, "organizer", "update", "acme", "--name", "Acme\r\nBcc: x@example.net", *TARGET)

    assert code == 1 and "--name must be one line without control characters" in err
    assert organizers.get_organizer("acme")["name"] == "Acme Events"


def test_names_the_invoice_cannot_print_are_refused(stack, capsys):
    code, _, err = run(capsys, "organizer", "update", "acme", "--name", "Acme \U0001F600", *TARGET)

    assert code == 1 and "--name: Contains characters the invoice cannot print: emoji (U+1F600)." in err
    assert organizers.get_organizer("acme")["name"] == "Acme Events"
    code, _, err = run(capsys, "organizer", "update", "acme", "--name", "株式会社アクメ", *TARGET)
    assert code == 0, err
    assert organizers.get_organizer("acme")["name"] == "株式会社アクメ"


def test_mail_identity_that_exists_already_is_tagged_for_the_stack(stack, capsys):
    ses = boto3.client("sesv2", region_name="eu-central-1")
    ses.create_email_identity(EmailIdentity="acme.example")  # created in the console before

    code, out, err = run(capsys, "organizer", "update", "acme", "--mail-identity", "acme.example", *TARGET)

    assert (code, out) == (0, "acme.example\tSUCCESS\n"), err
    from invoicing.storage import mail

    tags = ses.list_tags_for_resource(ResourceArn=mail.identity_arn("acme.example"))["Tags"]
    assert {tag["Key"]: tag["Value"] for tag in tags} == {"invoicing:organizer": "acme", "invoicing:stack": STACK}


def test_billing_list_reads_every_page(stack, capsys, lines_file):
    # Given more billing invoices than one page holds (the list follows its signed cursors)
    for day in range(1, 52):
        assert run(capsys, "billing", "create", "--organizer", "acme", "--currency", "EUR", "--lines", lines_file,
                   "--date", f"2019-{6 + day // 28:02d}-{1 + day % 28:02d}", *TARGET)[0] == 0

    code, out, err = run(capsys, "billing", "list", "--json", *TARGET)

    assert (code, err) == (0, "")
    assert len(out.splitlines()) == 51
    assert os.environ["CURSOR_SECRET_ARN"] == stack["CursorSecretArn"]
