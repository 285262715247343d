"""Invoice files in S3: a private, versioned bucket; one key per invoice and content version.

Keys never change meaning: `invoices/<organizer>/<number>/v<content version>.pdf`. A regenerated
invoice gets a new key, so a download can never mix old and new content, and the bucket's
versioning keeps whatever was discarded.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from urllib.parse import quote

import boto3
from botocore.config import Config

from invoicing.config import files_bucket
from invoicing.storage.types import InvoiceFile

PDF = "application/pdf"


@cache
def client():
    return boto3.client("s3", config=Config(retries={"mode": "standard", "max_attempts": 5}))


def reset() -> None:
    client.cache_clear()


def pdf_key(organizer: str, number: str, content_version: int, *, prefix: str = "invoices", extension: str = "pdf") -> str:
    """`<prefix>/<org>/<number>/v<version>.<extension>`: invoices (PDF and XML) and billing invoices (`billing/`)."""
    return f"{prefix}/{quote(organizer, safe='')}/{quote(number, safe='')}/v{content_version}.{extension}"


@dataclass(frozen=True)
class StoredObject:
    key: str
    version_id: str | None


def put(key: str, body: bytes, content_type: str = PDF, sha256_b64: str | None = None) -> StoredObject:
    """Write an object; with `sha256_b64` S3 verifies the bytes it received."""
    extra = {"ChecksumSHA256": sha256_b64} if sha256_b64 else {}
    response = client().put_object(Bucket=files_bucket(), Key=key, Body=body, ContentType=content_type, **extra)
    return StoredObject(key=key, version_id=response.get("VersionId"))


def read(key: str, version_id: str | None = None) -> bytes:
    extra = {"VersionId": version_id} if version_id else {}
    return client().get_object(Bucket=files_bucket(), Key=key, **extra)["Body"].read()


@dataclass(frozen=True)
class Download:
    """A rendered file to send: an invoice's or a billing invoice's PDF."""

    number: str
    file: InvoiceFile

    @property
    def filename(self) -> str:
        return f"{self.number}.pdf"

    @property
    def etag(self) -> str:
        """Strong: the SHA-256 of the bytes."""
        return f'"{self.file.sha256}"'

    def read(self) -> bytes:
        return read(self.file.key, self.file.s3_version)


def discard(key: str) -> None:
    """Hide the current object behind a delete marker; its versions stay in the bucket."""
    client().delete_object(Bucket=files_bucket(), Key=key)


def delete_version(stored: StoredObject) -> None:
    """Remove one version for good: only for a render nobody recorded (it lost against a newer one)."""
    if stored.version_id:
        client().delete_object(Bucket=files_bucket(), Key=stored.key, VersionId=stored.version_id)
    else:
        client().delete_object(Bucket=files_bucket(), Key=stored.key)
