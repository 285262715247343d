"""S3 object contents on disk instead of in memory, for moto's S3 (the local stack's memory stays bounded).

moto keeps each object (each version) in a SpooledTemporaryFile that stays in memory up to
MOTO_S3_DEFAULT_KEY_BUFFER_SIZE (5 MB) and then holds an open file: in memory for every invoice PDF, or one
file descriptor per object if the threshold is lowered. This patch gives moto's S3 a buffer whose bytes live in
a content-addressed file (`<directory>/<sha256>`, written once, shared by equal objects) that is opened only
while read; the stack points it at its state directory's blobs, which snapshots and the journal share.
Without a directory (moto used outside a stack) the bytes stay in memory, as before.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import types
from pathlib import Path
from typing import Any

_directory: Path | None = None


def configure(directory: Path | None) -> None:
    """Where new object contents go from now on (None: in memory)."""
    global _directory
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
    _directory = directory


def store(directory: Path, content: bytes) -> Path:
    """Writes `content` to `<directory>/<sha256>` unless it is there; returns the path."""
    path = directory / hashlib.sha256(content).hexdigest()
    if not path.exists():
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        temporary.write_bytes(content)
        os.replace(temporary, path)
    return path


class SpilledBuffer:
    """The file-like moto's FakeKey uses (seek, truncate, write, read, close), backed by a content file."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._directory = _directory
        self._path: Path | None = None
        self._memory = b""
        self._position = 0

    def _content(self) -> bytes:
        return self._path.read_bytes() if self._path is not None else self._memory

    def seek(self, position: int, whence: int = 0) -> int:
        size = len(self._content()) if whence == 2 else 0
        self._position = {0: position, 1: self._position + position, 2: size + position}[whence]
        return self._position

    def tell(self) -> int:
        return self._position

    def truncate(self, size: int | None = None) -> int:
        size = self._position if size is None else size
        self._set(self._content()[:size])
        return size

    def write(self, data: bytes) -> int:
        content = self._content()
        self._set(content[: self._position] + bytes(data) + content[self._position + len(data):])
        self._position += len(data)
        return len(data)

    def read(self, size: int = -1) -> bytes:
        if self._path is not None:
            with self._path.open("rb") as file:
                file.seek(self._position)
                data = file.read(size if size is not None and size >= 0 else -1)
        else:
            end = None if size is None or size < 0 else self._position + size
            data = self._memory[self._position:end]
        self._position += len(data)
        return data

    def close(self) -> None:
        """The content file may be shared with other objects and the state directory: it stays."""

    def _set(self, content: bytes) -> None:
        if self._directory is not None and content:
            self._path, self._memory = store(self._directory, content), b""
        else:
            self._path, self._memory = None, content

    @property
    def path(self) -> Path | None:
        return self._path


def install() -> None:
    """Every buffer moto's S3 makes from now on is a SpilledBuffer."""
    from moto.s3 import models

    if getattr(models.tempfile, "SpooledTemporaryFile", None) is SpilledBuffer:
        return
    models.tempfile = types.SimpleNamespace(**{**vars(tempfile), "SpooledTemporaryFile": SpilledBuffer})
