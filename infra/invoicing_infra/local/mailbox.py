"""The local stack's outbox: every email moto's SES accepted, saved as an .eml file under <state>/mail/, and
read back by `invoicing local mail`.

moto keeps sent messages in memory only; a thread copies new ones to files as they arrive, so they can be
opened in any mail program and survive a restart (the snapshot keeps the folder).
"""

from __future__ import annotations

import email
import email.policy
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

MAIL_DIR = "mail"


def _backend(account_id: str, region: str) -> Any:
    from moto.ses.models import ses_backends

    return ses_backends[account_id][region]


def _as_mime(message: Any) -> bytes:
    """moto's RawMessage carries the MIME text; a Simple one (subject and body) is built into one here."""
    raw = getattr(message, "raw_data", None)
    if raw is not None:
        return raw.encode("utf-8", errors="surrogateescape") if isinstance(raw, str) else bytes(raw)
    built = EmailMessage()
    built["From"] = message.source
    destinations = getattr(message, "destinations", {}) or {}
    for header, key in (("To", "ToAddresses"), ("Cc", "CcAddresses"), ("Bcc", "BccAddresses")):
        if destinations.get(key):
            built[header] = ", ".join(destinations[key])
    built["Subject"] = getattr(message, "subject", "") or ""
    built.set_content(getattr(message, "body", "") or "")
    return built.as_bytes()


class Mailbox(threading.Thread):
    """Copies the messages moto's SES (v1 and v2) accepted into `folder`, one file each, in sending order."""

    def __init__(self, folder: Path, account_id: str, region: str, stopping: threading.Event, interval: float = 0.3):
        super().__init__(name="local-mailbox", daemon=True)
        self.folder = folder
        self._account_id, self._region = account_id, region
        self._stopping = stopping
        self._interval = interval
        self._written: set[str] = set()  # ids of the messages saved (moto keeps only the most recent ones)
        self._lock = threading.Lock()
        self._saved: int | None = None  # .eml files in the folder, counted at the first new mail

    def run(self) -> None:
        while not self._stopping.wait(self._interval):
            self.collect()
        self.collect()

    def collect(self) -> int:
        """Writes the messages sent since the last call; returns how many."""
        with self._lock:
            sent = list(_backend(self._account_id, self._region).sent_messages)
            new = [message for message in sent if message.id not in self._written]
            if new:
                self.folder.mkdir(parents=True, exist_ok=True)
                if self._saved is None:  # counted once: listing a folder of thousands per new mail cost O(mail)
                    self._saved = len(list(self.folder.glob("*.eml")))
                stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
                for message in new:
                    self._saved += 1
                    (self.folder / f"{self._saved:05d}-{stamp}-{message.id}.eml").write_bytes(_as_mime(message))
            self._written = {message.id for message in sent}
            return len(new)


@dataclass(frozen=True)
class SavedMail:
    path: Path
    sender: str
    recipients: list[str]
    subject: str
    attachments: list[tuple[str, int]]  # (file name, size in bytes)


def read_mail(folder: Path, last: int | None = None) -> list[SavedMail]:
    """The saved messages, oldest first (the last `last` only)."""
    paths = sorted(folder.glob("*.eml")) if folder.is_dir() else []
    if last is not None:
        paths = paths[-last:] if last > 0 else []
    result = []
    for path in paths:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        recipients = [str(address) for header in ("To", "Cc") for address in
                      getattr(message.get(header), "addresses", ()) or ()]
        attachments = [(part.get_filename() or "(unnamed)", len(part.get_payload(decode=True) or b""))
                       for part in message.iter_attachments()] if message.is_multipart() else []
        result.append(SavedMail(path, str(message.get("From", "")), recipients, str(message.get("Subject", "")),
                                attachments))
    return result
