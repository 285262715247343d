"""The operator's commands against moto: `invoicing dlq list`, `dlq redrive NAME` and `doctor`, on a deployed
(moto CloudFormation) stack, on the template's resources in moto, and on a running local stack."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from invoicing_infra import cli, operations, operations_cli
from invoicing_infra.local import LocalStack
from invoicing_infra.template import Template
from tests.conftest import ROOT, reset_caches

REGION = "eu-central-1"
STACK = "invoicing-ops"
TEMPLATE = Template.load(ROOT / "template.yaml")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def deployed(monkeypatch):
    """A moto CloudFormation stack with the template's queues and alarm topic (moto's CloudFormation has no
    Secrets Manager or SES resources); yields the stack's resources as the commands read them."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    kept = {name: {key: value for key, value in resource.items() if key != "Metadata"}
            for name, resource in TEMPLATE.resources.items()
            if resource["Type"] in ("AWS::SQS::Queue", "AWS::SNS::Topic")}
    with mock_aws():
        boto3.client("cloudformation", region_name=REGION).create_stack(
            StackName=STACK, TemplateBody=json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": kept}))
        yield operations.deployed_resources(STACK, lambda service: boto3.client(service, region_name=REGION))


def _send(url: str, *bodies: str) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body,
                         MessageAttributes={"kind": {"DataType": "String", "StringValue": "invoice"}})


def _receive_all(url: str) -> list[dict]:
    sqs = boto3.client("sqs", region_name=REGION)
    received = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30,
                                          MessageAttributeNames=["All"]).get("Messages", []):
        received += messages
    return received


# --- dlq list / redrive --------------------------------------------------------------------------


def test_dlq_list_names_every_dead_letter_queue_with_its_source(deployed, capsys):
    code, out, err = run(capsys, "dlq", "list", "--stack", STACK, "--region", REGION, "--json")
    assert code == 0, err
    listed = [json.loads(line) for line in out.splitlines()]
    assert listed == [
        {"name": "EmailDeadLetterQueue", "source": "EmailQueue", "messages": 0, "oldest_seconds": None},
        {"name": "ExportDeadLetterQueue", "source": "ExportQueue", "messages": 0, "oldest_seconds": None},
        {"name": "PeppolDeadLetterQueue", "source": "PeppolQueue", "messages": 0, "oldest_seconds": None},
        {"name": "RenderDeadLetterQueue", "source": "RenderQueue", "messages": 0, "oldest_seconds": None},
        {"name": "SdiDeadLetterQueue", "source": "SdiQueue", "messages": 0, "oldest_seconds": None},
        {"name": "WebhookDeadLetterQueue", "source": "WebhookQueue", "messages": 0, "oldest_seconds": None},
    ]


def test_dlq_list_takes_the_age_from_cloudwatch_on_a_deployed_stack(deployed, capsys):
    # Given two messages in the Peppol DLQ, and CloudWatch's age of its oldest message: 2 h 5 min
    dlq_url = deployed.of_type("AWS::SQS::Queue")["PeppolDeadLetterQueue"]
    _send(dlq_url, '{"number": "A-1"}', '{"number": "A-2"}')
    now = datetime.now(UTC)
    boto3.client("cloudwatch", region_name=REGION).put_metric_data(Namespace="AWS/SQS", MetricData=[{
        "MetricName": "ApproximateAgeOfOldestMessage", "Value": 7500, "Timestamp": now - timedelta(minutes=2),
        "Dimensions": [{"Name": "QueueName", "Value": dlq_url.rsplit("/", 1)[-1]}]}])
    # When the operator lists the DLQs
    code, out, err = run(capsys, "dlq", "list", "--stack", STACK, "--region", REGION)
    # Then the table shows the count and the age
    assert code == 0, err
    rows = {line.split()[0]: line.split() for line in out.splitlines()}
    assert rows["NAME"] == ["NAME", "SOURCE", "MESSAGES", "OLDEST"]
    assert rows["PeppolDeadLetterQueue"] == ["PeppolDeadLetterQueue", "PeppolQueue", "2", "2h", "5m"]
    assert rows["RenderDeadLetterQueue"] == ["RenderDeadLetterQueue", "RenderQueue", "0", "-"]


def test_without_cloudwatch_data_the_age_comes_from_the_messages(deployed):
    dlq_url = deployed.of_type("AWS::SQS::Queue")["RenderDeadLetterQueue"]
    _send(dlq_url, "{}")
    (render,) = [queue for queue in operations.dead_letter_queues(deployed) if queue.name == "RenderDeadLetterQueue"]
    assert render.messages == 1
    assert render.oldest_seconds is not None and 0 <= render.oldest_seconds < 600
    # peeking hid nothing: the message is still there to redrive
    assert [queue.messages for queue in operations.dead_letter_queues(deployed)
            if queue.name == "RenderDeadLetterQueue"] == [1]


def test_redrive_moves_every_message_back_to_the_source_queue(deployed, capsys):
    # Given 13 failed attempts in the email DLQ (more than one batch of 10)
    queues = deployed.of_type("AWS::SQS::Queue")
    bodies = [json.dumps({"organizer": "acme", "number": f"N-{index}", "attempt": "a"}) for index in range(13)]
    _send(queues["EmailDeadLetterQueue"], *bodies)
    # When the operator redrives it by its short name
    code, _out, err = run(capsys, "dlq", "redrive", "email", "--stack", STACK, "--region", REGION)
    # Then every message is back on EmailQueue with its attributes, and the DLQ is empty
    assert code == 0, err
    assert "Moved 13 message(s) from EmailDeadLetterQueue back to EmailQueue" in err
    moved = _receive_all(queues["EmailQueue"])
    assert sorted(message["Body"] for message in moved) == sorted(bodies)
    assert {message["MessageAttributes"]["kind"]["StringValue"] for message in moved} == {"invoice"}
    assert _receive_all(queues["EmailDeadLetterQueue"]) == []


def test_redrive_uses_an_sqs_message_move_task_where_the_endpoint_has_them(deployed):
    (sdi,) = [queue for queue in operations.dead_letter_queues(deployed) if queue.name == "SdiDeadLetterQueue"]
    sdi.messages = 3
    sqs = boto3.client("sqs", region_name=REGION)
    with Stubber(sqs) as stub:
        stub.add_response("start_message_move_task", {"TaskHandle": "task-1"},
                          {"SourceArn": sdi.arn, "DestinationArn": sdi.source_arn})
        stack = operations.StackResources("stubbed", deployed.resources, lambda service: sqs)
        assert operations.redrive(stack, sdi) == operations.Redrive(3, "message move task", "task-1")


def test_redrive_of_an_empty_queue_or_an_unknown_name(deployed, capsys):
    code, _out, err = run(capsys, "dlq", "redrive", "RenderDeadLetterQueue", "--stack", STACK, "--region", REGION)
    assert (code, err) == (0, "RenderDeadLetterQueue is empty: nothing to redrive.\n")
    code, _out, err = run(capsys, "dlq", "redrive", "invoices", "--stack", STACK, "--region", REGION)
    assert code == 1
    assert err == ("invoicing: error: no dead-letter queue 'invoices' (known: EmailDeadLetterQueue, ExportDeadLetterQueue, "
                   "PeppolDeadLetterQueue, RenderDeadLetterQueue, SdiDeadLetterQueue, WebhookDeadLetterQueue)\n")


def test_a_stack_that_does_not_exist_is_one_line(deployed, capsys):
    code, _out, err = run(capsys, "doctor", "--stack", "nope", "--region", REGION)
    assert code == 1
    assert err.startswith("invoicing: error: cannot list the resources of stack nope: ") and err.count("\n") == 1


@pytest.mark.parametrize("seconds, shown", [(None, "-"), (0, "0s"), (59, "59s"), (60, "1m"), (61, "1m 1s"),
                                            (3600, "1h"), (7500, "2h 5m"), (90000, "1d 1h")])
def test_ages_are_short_and_readable(seconds, shown):
    assert operations_cli.format_age(seconds) == shown


# --- doctor ---------------------------------------------------------------------------------------


@pytest.fixture
def moto_stack(aws, monkeypatch):
    """The template's resources in moto (conftest's `aws`) plus an alarm topic, read as a deployed stack."""
    from invoicing_infra.local.resources import local_attributes

    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    attributes = local_attributes(TEMPLATE, "")
    resources = {name: (TEMPLATE.resource_type(name), str(values["Ref"])) for name, values in attributes.items()
                 if "Ref" in values}
    resources["PeppolChannelSecret"] = (operations.SECRET, "PeppolChannelSecret")
    resources["SdiChannelSecret"] = (operations.SECRET, "SdiChannelSecret")
    sqs = boto3.client("sqs", region_name=REGION)
    for name, (kind, _) in list(resources.items()):
        if kind == operations.SQS_QUEUE:
            resources[name] = (kind, sqs.get_queue_url(QueueName=name)["QueueUrl"])
    topic = boto3.client("sns", region_name=REGION).create_topic(Name="alarms")["TopicArn"]
    resources["AlarmTopic"] = (operations.SNS_TOPIC, topic)
    return operations.StackResources("stack test", resources, lambda service: boto3.client(service, region_name=REGION))


def _findings(report: operations.Report) -> dict[str, tuple[str, str]]:
    return {finding.subject: (finding.status, finding.detail) for finding in report.findings}


def test_doctor_lists_what_to_fix_on_a_fresh_stack(moto_stack):
    report = operations.doctor(moto_stack)
    found = _findings(report)
    assert not report.healthy
    mail_from = TEMPLATE.parameters["MailFrom"]["Default"]
    assert found[f"SES identity {mail_from}"] == ("FIX", "not verified: SES refuses to send from it")
    assert found["SES account"][0] == "warn"  # moto has no GetAccount
    assert found["PeppolChannelSecret"] == ("warn", "empty: invoices of this transmission type fail with no_provider")
    assert found["AlarmTopic"] == ("FIX", "nobody is subscribed: alarms reach no one")
    assert found["EmailDeadLetterQueue"] == ("ok", "empty")
    fixes = {finding.subject: finding.fix for finding in report.findings if finding.status == "FIX"}
    assert "AlarmEmail=" in fixes["AlarmTopic"]


def test_doctor_is_content_when_everything_is_in_place(moto_stack):
    # Given verified identities, filled channel secrets and a confirmed alarm subscription
    backend = ses_backends[DEFAULT_ACCOUNT_ID][REGION]
    for identity in backend.email_identities.values():
        identity.verified_for_sending_status = True
    secrets = boto3.client("secretsmanager", region_name=REGION)
    for name in ("PeppolChannelSecret", "SdiChannelSecret"):
        secrets.put_secret_value(SecretId=name, SecretString='{"base_url": "https://ap.example", "api_key": "k"}')
    topic = moto_stack.of_type(operations.SNS_TOPIC)["AlarmTopic"]
    boto3.client("sns", region_name=REGION).subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com")
    found = _findings(operations.doctor(moto_stack))
    assert {subject: status for subject, (status, _) in found.items() if status != "ok"} == {"SES account": "warn"}
    assert found["PeppolChannelSecret"] == ("ok", "filled (https://ap.example)")
    assert found["AlarmTopic"] == ("ok", "1 confirmed subscription(s): ops@example.com")
    assert found["CursorSecret"] == ("ok", "holds a generated key")  # generated with the stack, nothing to fill


def test_doctor_flags_half_filled_secrets_pending_subscriptions_and_dead_letters(moto_stack):
    boto3.client("secretsmanager", region_name=REGION).put_secret_value(
        SecretId="SdiChannelSecret", SecretString='{"base_url": "https://sdi.example", "api_key": ""}')
    boto3.client("secretsmanager", region_name=REGION).put_secret_value(SecretId="CursorSecret", SecretString="short")
    sns = moto_stack.client("sns")
    topic = moto_stack.of_type(operations.SNS_TOPIC)["AlarmTopic"]
    with Stubber(sns) as stub:
        stub.add_response("list_subscriptions_by_topic", {"Subscriptions": [
            {"SubscriptionArn": "PendingConfirmation", "Protocol": "email", "Endpoint": "ops@example.com",
             "TopicArn": topic, "Owner": "123456789012"}]}, {"TopicArn": topic})
        clients = {"sns": sns}
        stack = operations.StackResources("stack test", moto_stack.resources,
                                          lambda service: clients.get(service) or moto_stack.client(service))
        _send(moto_stack.of_type(operations.SQS_QUEUE)["SdiDeadLetterQueue"], "{}")
        found = _findings(operations.doctor(stack))
    assert found["SdiChannelSecret"] == ("FIX", "has a base_url but no api_key")
    assert found["CursorSecret"] == ("FIX", "holds no generated key (the API signs its next links with it)")
    assert found["AlarmTopic"] == ("FIX", "subscription of ops@example.com is not confirmed: no alarm reaches it")
    assert found["SdiDeadLetterQueue"] == ("FIX", "1 message(s) that failed every delivery")


@pytest.mark.parametrize("production, status, detail", [
    (False, "FIX", "in the sandbox: mail reaches only verified addresses, 200 a day"),
    (True, "ok", "out of the sandbox: mail reaches any recipient")])
def test_doctor_reports_the_ses_sandbox(moto_stack, production, status, detail):
    sesv2 = moto_stack.client("sesv2")
    with Stubber(sesv2) as stub:
        stub.add_response("get_account", {"ProductionAccessEnabled": production, "SendingEnabled": True})
        stack = operations.StackResources("stack test", {}, lambda service: sesv2)
        assert _findings(operations.doctor(stack))["SES account"] == (status, detail)


# --- --local --------------------------------------------------------------------------------------


def test_dlq_and_doctor_on_a_running_local_stack(tmp_path, capsys, monkeypatch):
    # The CLI applies the local target to os.environ: have monkeypatch put the suite's values back.
    for name in ("TABLE_NAME", "IDEMPOTENCY_TABLE_NAME", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_ENDPOINT_URL",
                 "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"):
        if name in os.environ:
            monkeypatch.setenv(name, os.environ[name])
        else:
            monkeypatch.delenv(name, raising=False)
    with LocalStack(ROOT / "template.yaml", port=0, aws_port=0, state_dir=tmp_path, persist=False,
                    run_schedules=False) as local:
        port = local.aws_endpoint.rsplit(":", 1)[-1]
        target = ["--local", "--aws-port", port]
        local.client("sqs").send_message(QueueUrl=local.attributes["SdiDeadLetterQueue"]["QueueUrl"],
                                         MessageBody='{"organizer": "acme", "number": "X", "attempt": "a"}')
        code, out, err = run(capsys, "dlq", "list", "--json", *target)
        assert code == 0, err
        sdi = next(json.loads(line) for line in out.splitlines() if '"SdiDeadLetterQueue"' in line)
        assert (sdi["source"], sdi["messages"]) == ("SdiQueue", 1)

        code, out, err = run(capsys, "doctor", *target)
        assert code == 1
        assert "FIX   SdiDeadLetterQueue: 1 message(s) that failed every delivery" in out
        # the fake channels filled both secrets; alarms and SES verification do not exist locally
        assert "ok    PeppolChannelSecret: filled (http://127.0.0.1:" in out
        assert "ok    alarms: the local stack has no alarms" in out

        code, out, err = run(capsys, "dlq", "redrive", "SdiDeadLetterQueue", *target)
        assert code == 0, err
        assert "Moved 1 message(s) from SdiDeadLetterQueue back to SdiQueue (receive/send/delete)" in err
    reset_caches()


def test_invoicing_local_takes_template_parameters(capsys):
    args = cli.build_parser().parse_args(["local", "--parameter", "AllowedOrigins=https://a.example,https://b.example",
                                          "--parameter", "LogLevel=DEBUG"])
    assert dict(args.parameters) == {"AllowedOrigins": "https://a.example,https://b.example", "LogLevel": "DEBUG"}
    assert cli.main(["local", "--parameter", "AllowedOrigins"]) == 2
    assert "invalid parameter 'AllowedOrigins': NAME=VALUE" in capsys.readouterr().err
