"""Configuration read once from the environment; fails fast and clearly when a variable is missing."""

from __future__ import annotations

import os
from functools import cache

from pydantic import BaseModel, Field, ValidationError


class StorageConfig(BaseModel):
    table_name: str = Field(min_length=1)
    idempotency_table_name: str | None = None


@cache
def storage_config() -> StorageConfig:
    try:
        return StorageConfig(
            table_name=os.environ.get("TABLE_NAME", ""),
            idempotency_table_name=os.environ.get("IDEMPOTENCY_TABLE_NAME") or None,
        )
    except ValidationError as exc:  # pragma: no cover - a deployment error, not a request error
        raise RuntimeError(f"invalid environment: {exc}") from exc


def required(name: str) -> str:
    """An environment variable a function must have been given in the template (a deployment error if not)."""
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"invalid environment: {name} is not set")
    return value


def files_bucket() -> str:
    """The private, versioned bucket holding invoice files."""
    return required("FILES_BUCKET")


def render_queue_url() -> str:
    return required("RENDER_QUEUE_URL")


def reset() -> None:
    """Forget cached configuration (tests that change the environment)."""
    storage_config.cache_clear()
