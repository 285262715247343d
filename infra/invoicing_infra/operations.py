"""The operator's view of a running stack: its dead-letter queues (list, redrive) and `doctor`'s checks.

Both work on `StackResources`: the template's resources with their physical IDs, read from CloudFormation
for a deployed stack (`--stack`) or resolved as the local stack names them (`--local`). Queue relations are
read from the queues themselves (their RedrivePolicy), so they hold for whatever version is deployed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .targets import TargetError

Client = Callable[[str], Any]

SQS_QUEUE = "AWS::SQS::Queue"
SECRET = "AWS::SecretsManager::Secret"
SES_IDENTITY = "AWS::SES::EmailIdentity"
SNS_TOPIC = "AWS::SNS::Topic"
# What `doctor` needs from a channel secret before the provider can send (see transmission/channels.py).
CHANNEL_KEYS = ("base_url", "api_key")
# The generated key that signs pagination cursors: a plain string, not a channel.
CURSOR_SECRET = "CursorSecret"
_BATCH = 10  # SQS's most messages per receive, send batch and delete batch


@dataclass
class StackResources:
    """Logical ID -> (type, physical ID) of a stack's resources, and AWS clients that reach it."""

    description: str
    resources: dict[str, tuple[str, str]]
    client: Client
    local: bool = False

    def of_type(self, resource_type: str) -> dict[str, str]:
        return {logical: physical for logical, (kind, physical) in self.resources.items() if kind == resource_type}


def deployed_resources(stack_name: str, client: Client) -> StackResources:
    """Every resource of a CloudFormation stack (paginated), with the credentials of the environment."""
    from botocore.exceptions import BotoCoreError, ClientError

    resources = {}
    try:
        pages = client("cloudformation").get_paginator("list_stack_resources").paginate(StackName=stack_name)
        for page in pages:
            for summary in page["StackResourceSummaries"]:
                if summary.get("PhysicalResourceId"):
                    resources[summary["LogicalResourceId"]] = (summary["ResourceType"], summary["PhysicalResourceId"])
    except ClientError as exc:
        raise TargetError(f"cannot list the resources of stack {stack_name}: "
                          f"{exc.response.get('Error', {}).get('Message', exc)}") from exc
    except BotoCoreError as exc:
        raise TargetError(f"cannot list the resources of stack {stack_name}: {exc}") from exc
    return StackResources(f"stack {stack_name}", resources, client)


def local_resources(template: Any, endpoint: str, client: Client) -> StackResources:
    """The template's resources as the local stack creates them (`!Ref` values: queue URLs, secret names, ...)."""
    from .local.resources import local_attributes

    attributes = local_attributes(template, endpoint)
    resources = {logical: (template.resource_type(logical), str(values["Ref"]))
                 for logical, values in attributes.items() if "Ref" in values}
    return StackResources(f"the local stack at {endpoint}", resources, client, local=True)


# --- Dead-letter queues ----------------------------------------------------------------------------


@dataclass
class DeadLetterQueue:
    name: str  # the logical ID, e.g. RenderDeadLetterQueue
    url: str
    arn: str
    source_name: str  # the queue whose RedrivePolicy names it
    source_url: str
    source_arn: str
    messages: int = 0  # visible + in flight
    oldest_seconds: float | None = None  # None when empty or unknown

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "source": self.source_name, "messages": self.messages,
                "oldest_seconds": None if self.oldest_seconds is None else round(self.oldest_seconds)}


def dead_letter_queues(stack: StackResources) -> list[DeadLetterQueue]:
    """Each queue that some queue of the stack dead-letters into, with its depth and the age of its oldest message."""
    sqs = stack.client("sqs")
    queues = stack.of_type(SQS_QUEUE)
    attributes = {name: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn", "RedrivePolicy"])["Attributes"]
                  for name, url in queues.items()}
    by_arn = {attrs["QueueArn"]: name for name, attrs in attributes.items()}
    found = []
    for source, attrs in attributes.items():
        target = json.loads(attrs.get("RedrivePolicy") or "{}").get("deadLetterTargetArn")
        if target not in by_arn:
            continue
        name = by_arn[target]
        found.append(DeadLetterQueue(name=name, url=queues[name], arn=target, source_name=source,
                                     source_url=queues[source], source_arn=attrs["QueueArn"]))
    found.sort(key=lambda queue: queue.name)
    for queue in found:
        depth = sqs.get_queue_attributes(
            QueueUrl=queue.url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]
        queue.messages = int(depth.get("ApproximateNumberOfMessages", 0)) + int(
            depth.get("ApproximateNumberOfMessagesNotVisible", 0))
        if queue.messages:
            queue.oldest_seconds = _oldest_age(stack, queue)
    return found


def _oldest_age(stack: StackResources, queue: DeadLetterQueue) -> float | None:
    """CloudWatch's ApproximateAgeOfOldestMessage of the last 15 minutes where it has one (a deployed stack),
    else the oldest SentTimestamp among messages peeked at without hiding them (VisibilityTimeout 0)."""
    if not stack.local:
        from botocore.exceptions import BotoCoreError, ClientError

        now = datetime.now(UTC)
        try:
            points = stack.client("cloudwatch").get_metric_statistics(
                Namespace="AWS/SQS", MetricName="ApproximateAgeOfOldestMessage",
                Dimensions=[{"Name": "QueueName", "Value": queue.url.rsplit("/", 1)[-1]}],
                StartTime=now - timedelta(minutes=15), EndTime=now, Period=300, Statistics=["Maximum"],
            )["Datapoints"]
        except (BotoCoreError, ClientError):
            points = []
        if points:
            return max(point["Maximum"] for point in points)
    messages = stack.client("sqs").receive_message(
        QueueUrl=queue.url, MaxNumberOfMessages=_BATCH, VisibilityTimeout=0, WaitTimeSeconds=0,
        MessageSystemAttributeNames=["SentTimestamp"],
    ).get("Messages", [])
    sent = [int(message["Attributes"]["SentTimestamp"]) for message in messages
            if "SentTimestamp" in message.get("Attributes", {})]
    return max(0.0, time.time() - min(sent) / 1000) if sent else None


def find_dead_letter_queue(queues: Iterable[DeadLetterQueue], name: str) -> DeadLetterQueue:
    """By its logical ID, its stem (`render` for RenderDeadLetterQueue) or its source queue, any case."""
    queues = list(queues)
    wanted = name.strip().lower()
    for queue in queues:
        stem = queue.name.lower().removesuffix("deadletterqueue").removesuffix("dlq")
        if wanted in (queue.name.lower(), stem, queue.source_name.lower()):
            return queue
    known = ", ".join(queue.name for queue in queues) or "none"
    raise TargetError(f"no dead-letter queue {name!r} (known: {known})")


@dataclass
class Redrive:
    moved: int
    method: str  # "message move task" or "receive/send/delete"
    task: str | None = None  # the move task's handle, when SQS runs it


def redrive(stack: StackResources, queue: DeadLetterQueue) -> Redrive:
    """Moves the messages back to the source queue: an SQS message move task where the endpoint has them
    (it runs in SQS, in the background), else receive, send and delete here, ten at a time."""
    sqs = stack.client("sqs")
    try:
        response = sqs.start_message_move_task(SourceArn=queue.arn, DestinationArn=queue.source_arn)
        return Redrive(moved=queue.messages, method="message move task", task=response.get("TaskHandle"))
    except NotImplementedError:  # moto in-process
        pass
    except Exception as exc:
        if not _unsupported(exc):
            raise
    return Redrive(moved=_move_one_by_one(sqs, queue), method="receive/send/delete")


def _unsupported(exc: Exception) -> bool:
    from botocore.exceptions import ClientError

    if not isinstance(exc, ClientError):
        return False
    error = exc.response.get("Error", {})
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return status >= 500 or error.get("Code") in ("UnsupportedOperation", "InvalidAction", "NotImplemented",
                                                  "UnknownOperationException")


def _move_one_by_one(sqs: Any, queue: DeadLetterQueue) -> int:
    """Sends first, deletes after: a crash in between leaves a duplicate (which the consumers are idempotent
    against), never a loss."""
    moved = 0
    while True:
        messages = sqs.receive_message(
            QueueUrl=queue.url, MaxNumberOfMessages=_BATCH, VisibilityTimeout=60, WaitTimeSeconds=0,
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return moved
        entries = [{"Id": str(index), "MessageBody": message["Body"],
                    **({"MessageAttributes": message["MessageAttributes"]} if message.get("MessageAttributes") else {})}
                   for index, message in enumerate(messages)]
        sent = sqs.send_message_batch(QueueUrl=queue.source_url, Entries=entries)
        if sent.get("Failed"):
            raise TargetError(f"could not send {len(sent['Failed'])} message(s) to {queue.source_name}: "
                              f"{sent['Failed'][0].get('Message', sent['Failed'][0].get('Code'))}")
        sqs.delete_message_batch(QueueUrl=queue.url, Entries=[
            {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]} for index, message in enumerate(messages)])
        moved += len(messages)


# --- Doctor ----------------------------------------------------------------------------------------

OK, WARN, FIX = "ok", "warn", "FIX"


@dataclass
class Finding:
    status: str  # ok, warn or FIX
    subject: str
    detail: str
    fix: str = ""


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    def add(self, status: str, subject: str, detail: str, fix: str = "") -> None:
        self.findings.append(Finding(status, subject, detail, fix))

    @property
    def healthy(self) -> bool:
        return all(finding.status != FIX for finding in self.findings)


def doctor(stack: StackResources) -> Report:
    """What stands between the stack and sending invoices, and being told when something fails."""
    report = Report()
    _check_ses(stack, report)
    _check_channel_secrets(stack, report)
    _check_alarm_subscription(stack, report)
    for queue in dead_letter_queues(stack):
        if queue.messages:
            report.add(FIX, queue.name, f"{queue.messages} message(s) that failed every delivery",
                       f"read them (`invoicing dlq list`), fix the cause, then `invoicing dlq redrive {queue.name}`")
        else:
            report.add(OK, queue.name, "empty")
    return report


def _error_message(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return response.get("Error", {}).get("Message") or str(exc)


def _check_ses(stack: StackResources, report: Report) -> None:
    identities = stack.of_type(SES_IDENTITY)
    if stack.local:
        for identity in identities.values():
            report.add(OK, f"SES identity {identity}", "the local stack sends from it without verification")
        return
    from botocore.exceptions import BotoCoreError, ClientError

    sesv2 = stack.client("sesv2")
    for identity in identities.values():
        try:
            verified = sesv2.get_email_identity(EmailIdentity=identity).get("VerifiedForSendingStatus", False)
        except (BotoCoreError, ClientError) as exc:
            report.add(FIX, f"SES identity {identity}", f"cannot be read: {_error_message(exc)}")
            continue
        if verified:
            report.add(OK, f"SES identity {identity}", "verified for sending")
        elif "@" in identity:
            report.add(FIX, f"SES identity {identity}", "not verified: SES refuses to send from it",
                       f"open the link in the email AWS sent to {identity} (`aws sesv2 create-email-identity` "
                       "sends a new one after deleting it), or verify its domain")
        else:
            report.add(FIX, f"SES identity {identity}", "not verified: SES refuses to send from it",
                       "publish the DKIM CNAME records `aws sesv2 get-email-identity` lists in the domain's DNS")
    try:
        account = sesv2.get_account()
    except (BotoCoreError, ClientError, NotImplementedError) as exc:
        report.add(WARN, "SES account", f"cannot be read: {_error_message(exc)}")
        return
    if account.get("ProductionAccessEnabled"):
        report.add(OK, "SES account", "out of the sandbox: mail reaches any recipient")
    else:
        report.add(FIX, "SES account", "in the sandbox: mail reaches only verified addresses, 200 a day",
                   "request production access (SES console > Account dashboard, or "
                   "`aws sesv2 put-account-details --production-access-enabled ...`); see docs/deploy.md")
    if not account.get("SendingEnabled", True):
        report.add(FIX, "SES account", "sending is paused for this account", "see the SES console's reputation page")


def _check_channel_secrets(stack: StackResources, report: Report) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    secretsmanager = stack.client("secretsmanager")
    for logical, secret_id in stack.of_type(SECRET).items():
        if logical == CURSOR_SECRET:
            _check_cursor_secret(secretsmanager, secret_id, report)
            continue
        try:
            value = json.loads(secretsmanager.get_secret_value(SecretId=secret_id)["SecretString"])
        except (BotoCoreError, ClientError) as exc:
            report.add(FIX, logical, f"cannot be read: {_error_message(exc)}")
            continue
        except (KeyError, ValueError):
            report.add(FIX, logical, "is not a JSON object with base_url and api_key",
                       _put_secret_hint(secret_id))
            continue
        if not isinstance(value, dict):
            report.add(FIX, logical, "is not a JSON object with base_url and api_key", _put_secret_hint(secret_id))
            continue
        if not value.get("base_url"):
            report.add(WARN, logical, "empty: invoices of this transmission type fail with no_provider",
                       _put_secret_hint(secret_id) + " (or leave it empty if the type is not offered)")
        elif missing := [key for key in CHANNEL_KEYS if not value.get(key)]:
            report.add(FIX, logical, f"has a base_url but no {', '.join(missing)}", _put_secret_hint(secret_id))
        else:
            report.add(OK, logical, f"filled ({value['base_url']})")


def _check_cursor_secret(secretsmanager: Any, secret_id: str, report: Report) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        value = secretsmanager.get_secret_value(SecretId=secret_id).get("SecretString") or ""
    except (BotoCoreError, ClientError) as exc:
        report.add(FIX, CURSOR_SECRET, f"cannot be read: {_error_message(exc)}")
        return
    if len(value) < 32:
        report.add(FIX, CURSOR_SECRET, "holds no generated key (the API signs its next links with it)",
                   f"aws secretsmanager put-secret-value --secret-id {secret_id} --secret-string \"$(openssl rand -hex 32)\"")
    else:
        report.add(OK, CURSOR_SECRET, "holds a generated key")


def _put_secret_hint(secret_id: str) -> str:
    return (f"aws secretsmanager put-secret-value --secret-id {secret_id} "
            "--secret-string '{\"base_url\": \"https://...\", \"api_key\": \"...\"}'")


def _check_alarm_subscription(stack: StackResources, report: Report) -> None:
    topics = stack.of_type(SNS_TOPIC)
    if stack.local:
        report.add(OK, "alarms", "the local stack has no alarms")
        return
    if not topics:
        report.add(FIX, "alarms", "the stack has no alarm topic", "deploy this version of template.yaml")
        return
    sns = stack.client("sns")
    for logical, topic in topics.items():
        subscriptions = sns.list_subscriptions_by_topic(TopicArn=topic).get("Subscriptions", [])
        confirmed = [s for s in subscriptions if s.get("SubscriptionArn", "").startswith("arn:")]
        pending = [s for s in subscriptions if s.get("SubscriptionArn") == "PendingConfirmation"]
        if confirmed:
            endpoints = ", ".join(s.get("Endpoint", "?") for s in confirmed)
            report.add(OK, logical, f"{len(confirmed)} confirmed subscription(s): {endpoints}")
        if pending:
            report.add(FIX, logical, f"subscription of {', '.join(s.get('Endpoint', '?') for s in pending)} "
                                     "is not confirmed: no alarm reaches it",
                       "open the link in the email from AWS Notifications (it expires after 3 days; "
                       "redeploy with another AlarmEmail, or subscribe again, to get a new one)")
        if not confirmed and not pending:
            report.add(FIX, logical, "nobody is subscribed: alarms reach no one",
                       "sam deploy --parameter-overrides AlarmEmail=ops@example.com (or subscribe any SNS endpoint)")
