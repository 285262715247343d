"""Sending email through Amazon SES v2: a MIME message with optional attachments, from a verified sender;
and the SES identities themselves (created by the operator's CLI, their verification read by the email function)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from functools import cache

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from invoicing.textfields import one_line

# How long the email function trusts a verification status it has read (a new verification shows within this).
VERIFICATION_CACHE_SECONDS = 300


@cache
def client():
    return boto3.client("sesv2", config=Config(retries={"mode": "standard", "max_attempts": 5}))


def reset() -> None:
    client.cache_clear()
    with _verified_lock:
        _verified.clear()


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    content_type: str = "application/pdf"


@dataclass(frozen=True)
class Mail:
    sender: str  # an address (or domain) verified in SES
    recipients: tuple[str, ...]
    subject: str
    text: str
    sender_name: str = ""
    reply_to: str | None = None
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)


def mime(mail: Mail) -> bytes:
    message = EmailMessage()
    # Header values never carry control characters, whatever older stored data holds (header injection).
    name = one_line(mail.sender_name)
    message["From"] = formataddr((name, mail.sender)) if name else mail.sender
    message["To"] = ", ".join(mail.recipients)
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    message["Subject"] = one_line(mail.subject)
    message["Message-ID"] = make_msgid(domain=mail.sender.rpartition("@")[2] or None)
    message.set_content(mail.text)
    for attachment in mail.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(attachment.content, maintype=maintype, subtype=subtype,
                               filename=one_line(attachment.filename))
    return message.as_bytes()


def send(mail: Mail) -> str:
    """Send the message as raw MIME; returns SES's message id. botocore errors propagate to the caller,
    which decides between a retry (throttling, 5xx) and a failure (a rejected sender or recipient)."""
    response = client().send_email(
        FromEmailAddress=mail.sender,
        Destination={"ToAddresses": list(mail.recipients)},
        Content={"Raw": {"Data": mime(mail)}},
    )
    return response["MessageId"]


# --- Identities -------------------------------------------------------------------------------------

_verified: dict[str, tuple[float, bool]] = {}
_verified_lock = threading.Lock()


def identity_status(identity: str) -> str | None:
    """SES's verification status of an identity (`SUCCESS`, `PENDING`, ...), None when SES does not know it."""
    try:
        response = client().get_email_identity(EmailIdentity=identity)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "NotFoundException":
            return None
        raise
    if response.get("VerifiedForSendingStatus"):
        return "SUCCESS"
    return response.get("VerificationStatus") or "PENDING"


def identity_verified(identity: str) -> bool:
    """Whether SES lets us send from `identity`; read at most every few minutes per warm function."""
    moment = time.monotonic()
    with _verified_lock:
        hit = _verified.get(identity)
    if hit and moment - hit[0] < VERIFICATION_CACHE_SECONDS:
        return hit[1]
    try:
        verified = identity_status(identity) == "SUCCESS"
    except (ClientError, BotoCoreError):
        return False  # unknown now: send from the platform's address this time, ask again next time
    with _verified_lock:
        _verified[identity] = (moment, verified)
    return verified


def identity_arn(identity: str) -> str:
    account = boto3.client("sts").get_caller_identity()["Account"]
    return f"arn:aws:ses:{client().meta.region_name}:{account}:identity/{identity}"


def create_identity(identity: str, tags: dict[str, str]) -> str:
    """Create the SES identity with `tags`, or add them to the one that exists; returns its verification status.

    The tags are what the email function's IAM policy allows sending from (`aws:ResourceTag/invoicing:stack`).
    """
    tag_list = [{"Key": key, "Value": value} for key, value in tags.items()]
    status = identity_status(identity)
    if status is None:
        client().create_email_identity(EmailIdentity=identity, Tags=tag_list)
        return identity_status(identity) or "PENDING"
    client().tag_resource(ResourceArn=identity_arn(identity), Tags=tag_list)
    return status
