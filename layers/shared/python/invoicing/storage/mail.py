"""Sending email through Amazon SES v2: a MIME message with optional attachments, from a verified sender."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from functools import cache

import boto3
from botocore.config import Config


@cache
def client():
    return boto3.client("sesv2", config=Config(retries={"mode": "standard", "max_attempts": 5}))


def reset() -> None:
    client.cache_clear()


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
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)


def mime(mail: Mail) -> bytes:
    message = EmailMessage()
    message["From"] = formataddr((mail.sender_name, mail.sender)) if mail.sender_name else mail.sender
    message["To"] = ", ".join(mail.recipients)
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain=mail.sender.rpartition("@")[2] or None)
    message.set_content(mail.text)
    for attachment in mail.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename)
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
