"""The `invoicing` command in-process: bootstrap organizers and tokens in a (moto) deployed stack; the demo data."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from invoicing import access
from invoicing.errors import NotAuthenticated
from invoicing.invoices import read
from invoicing.invoices.read import InvoiceFilters, Visibility
from invoicing.orders import service
from invoicing.pagination import PageRequest
from invoicing.storage import dynamo, organizers
from invoicing_infra import cli, demo, targets
from invoicing_infra.template import Template
from tests.conftest import ROOT, reset_caches

STACK = "invoicing-test"
TARGET = ["--stack", STACK]


@pytest.fixture
def stack(monkeypatch) -> Iterator[dict[str, str]]:
    """A moto CloudFormation stack of template.yaml's tables and table outputs; yields its outputs."""
    # main() points TABLE_NAME etc. at the stack: have monkeypatch put the suite's values back afterwards.
    for name in ("TABLE_NAME", "IDEMPOTENCY_TABLE_NAME", "AWS_DEFAULT_REGION", "AWS_REGION"):
        monkeypatch.setenv(name, os.environ.get(name, "eu-central-1"))
    template = Template.load(ROOT / "template.yaml")
    body = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {name: {"Type": "AWS::DynamoDB::Table", "Properties": props}
                      for name, props in template.tables().items()},
        "Outputs": {name: template.data["Outputs"][name] for name in targets.TABLE_OUTPUTS},
    }
    with mock_aws():
        cloudformation = boto3.client("cloudformation", region_name="eu-central-1")
        cloudformation.create_stack(StackName=STACK, TemplateBody=json.dumps(body))
        outputs = targets.stack_outputs(STACK)
        reset_caches()
        yield outputs
        reset_caches()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_stack_outputs_name_the_tables(stack):
    assert set(stack) >= {"TableName", "IdempotencyTableName"}
    cli.main(["token", "list", "--organizer", "nobody", *TARGET])  # applies the target, then fails
    assert os.environ["TABLE_NAME"] == stack["TableName"] != "InvoicingTable"
    assert dynamo.table_name() == stack["TableName"]


def test_organizer_create_then_token_lifecycle(stack, capsys):
    # organizer create prints the slug
    code, out, err = run(capsys, "organizer", "create", "acme", "--name", "Acme Events", *TARGET)
    assert (code, out) == (0, "acme\n")
    assert organizers.get_organizer("acme")["name"] == "Acme Events"

    # token create prints the secret alone
    code, out, err = run(capsys, "token", "create", "--organizer", "acme", "--name", "ci", "--events", "all",
                         "--permission", "can_view_orders", "--permission", "can_change_orders", *TARGET)
    assert code == 0
    secret = out.strip()
    assert out == secret + "\n" and len(secret) == 64 and secret.isalnum()
    assert secret not in err

    # the table holds the SHA-256 hash, never the secret
    record = organizers.get_token(access.hash_secret(secret))
    assert record["hash"] == access.hash_secret(secret)
    items = boto3.client("dynamodb", region_name="eu-central-1").scan(TableName=stack["TableName"])["Items"]
    assert secret not in json.dumps(items)

    # and authenticates with the permissions and event scope given
    access.clear_cache()
    principal = access.authenticate(f"Token {secret}")
    assert principal.organizer == "acme"
    assert principal.all_events
    assert principal.permissions == {"can_view_orders", "can_change_orders"}

    # token list shows it without secret or hash
    code, out, _ = run(capsys, "token", "list", "--organizer", "acme", "--json", *TARGET)
    listed = [json.loads(line) for line in out.splitlines()]
    assert listed == [{"id": record["id"], "name": "ci", "events": "all",
                       "permissions": ["can_change_orders", "can_view_orders"], "active": True}]
    assert secret not in out and record["hash"] not in out

    # revoke deactivates it
    code, out, err = run(capsys, "token", "revoke", "--organizer", "acme", record["id"], *TARGET)
    assert (code, out) == (0, "")
    access.clear_cache()
    with pytest.raises(NotAuthenticated) as raised:
        access.authenticate(f"Token {secret}")
    assert raised.value.detail == "Token inactive or deleted."
    code, out, _ = run(capsys, "token", "list", "--organizer", "acme", *TARGET)
    assert code == 0 and out.splitlines()[1].rstrip().endswith("no")


def test_token_limited_to_events(stack, capsys):
    from tests.support import builders

    assert cli.main(["organizer", "create", "bigevents", "--name", "Big Events", *TARGET]) == 0
    builders.event("bigevents", "sampleconf")
    builders.event("bigevents", "otherconf")
    capsys.readouterr()
    code, out, _ = run(capsys, "token", "create", "--organizer", "bigevents", "--events", "sampleconf,otherconf",
                       "--permission", "can_view_orders,can_change_event_settings", *TARGET)
    assert code == 0
    principal = access.authenticate(f"Token {out.strip()}")
    assert not principal.all_events
    assert principal.limit_events == {"sampleconf", "otherconf"}
    assert principal.permissions == {"can_view_orders", "can_change_event_settings"}

    code, out, err = run(capsys, "token", "create", "--organizer", "bigevents", "--events", "nosuchconf",
                         "--permission", "can_view_orders", *TARGET)
    assert (code, out) == (1, "")
    assert "no event nosuchconf" in err


@pytest.mark.parametrize(("argv", "message"), [
    (["organizer", "create", "taken", "--name", "Again"], "organizer taken already exists"),
    (["token", "create", "--organizer", "taken", "--permission", "can_view_order"], "unknown permission can_view_order"),
    (["token", "create", "--organizer", "missing", "--permission", "can_view_orders"], "organizer missing does not exist"),
    (["token", "list", "--organizer", "missing"], "organizer missing does not exist"),
    (["token", "revoke", "--organizer", "taken", "0123456789ab"], "organizer taken has no token 0123456789ab"),
])
def test_errors_are_one_line_and_exit_1(stack, capsys, argv, message):
    assert cli.main(["organizer", "create", "taken", "--name", "Taken", *TARGET]) == 0
    capsys.readouterr()
    code, out, err = run(capsys, *argv, *TARGET)
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_unknown_stack_and_missing_target(stack, capsys):
    code, out, err = run(capsys, "organizer", "create", "acme", "--name", "Acme", "--stack", "nope")
    assert code == 1 and out == "" and "cannot read stack nope" in err and err.count("\n") == 1
    code, out, err = run(capsys, "organizer", "create", "acme", "--name", "Acme")
    assert code == 1 and "--stack NAME" in err


def test_local_without_a_running_stack(capsys, monkeypatch):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("TABLE_NAME", os.environ["TABLE_NAME"])
    code, out, err = run(capsys, "token", "list", "--organizer", "x", "--local", "--aws-port", str(port))
    assert (code, out) == (1, "")
    assert f"no local stack is running on 127.0.0.1:{port}" in err and err.count("\n") == 1


def test_local_target_uses_the_local_table_names():
    target = targets.local_target(aws_port=5123, check=False)
    assert target.environment["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5123"
    assert target.environment["AWS_DEFAULT_REGION"] == "eu-central-1"
    assert target.environment["TABLE_NAME"] == "InvoicingTable"
    assert target.environment["IDEMPOTENCY_TABLE_NAME"] == "IdempotencyTable"
    assert target.environment["CURSOR_SECRET_ARN"] == "CursorSecret"  # the generated secret, by its local name
    assert target.environment["AWS_ACCESS_KEY_ID"] == "testing"


def test_demo_seed(aws):
    secret = demo.seed()

    principal = access.authenticate(f"Token {secret}")
    assert principal.organizer == demo.ORGANIZER and principal.all_events
    assert principal.permissions == set(access.PERMISSIONS)

    page = read.list_invoices(demo.ORGANIZER, InvoiceFilters(), "nr", PageRequest(page=1), Visibility(events=None))
    invoices = page.results
    assert page.count == len(invoices) == len(demo.ORDERS) + 1
    cancellations = [doc for doc in invoices if doc["is_cancellation"]]
    assert len(cancellations) == 1
    assert {doc["locale"] for doc in invoices} == {"en", "de"}
    assert {line["tax_rate"] for doc in invoices for line in doc["lines"]} >= {"19.00", "7.00", "0.00"}
    assert all(doc["invoice_from_vat_id"] == "DE123456788" for doc in invoices)
    # the German order's invoice carries the German texts of the i18n settings
    [german] = [doc for doc in invoices if doc["locale"] == "de"]
    assert german["introductory_text"].startswith("Vielen Dank für Ihre Bestellung.")
    assert "Demostraße 12" in german["footer_text"]

    orders = service.list_orders(demo.ORGANIZER, demo.EVENT, PageRequest(page=1)).results
    assert sorted(order["status"] for order in orders) == sorted(
        "c" if order.get("cancel") else order["status"] for order in demo.ORDERS)
    assert {order["invoice_address"]["transmission_type"] for order in orders} == {"email", "peppol", "it_sdi"}
    assert any(order["fees"] for order in orders)
    assert any((order["invoice_address"] or {}).get("vat_id", "").startswith("DE") for order in orders)


def test_demo_token_survives_restarts(aws, tmp_path):
    # First start: seeds and keeps the secret in the state directory
    secret, seeded = cli.ensure_demo(tmp_path)
    assert seeded and (tmp_path / cli.DEMO_TOKEN_FILE).read_text().strip() == secret
    # A restart with the saved state: nothing seeded again, the same secret
    assert cli.ensure_demo(tmp_path) == (secret, False)
    # The secret file lost (or its token revoked): a new working token, the data left alone
    (tmp_path / cli.DEMO_TOKEN_FILE).unlink()
    renewed, seeded = cli.ensure_demo(tmp_path)
    assert not seeded and renewed != secret
    assert access.authenticate(f"Token {renewed}").organizer == demo.ORGANIZER
    assert len(organizers.list_tokens(demo.ORGANIZER)) == 2
