"""Saves the local tables, buckets and queues to a directory, and loads them back on start.

Layout of the state directory (format 2):
  snapshot.json           format, time saved, the last journal entry folded in, counts, the data directory's name
  snapshot-<id>/tables/<table>.jsonl    one item a line, in DynamoDB JSON as the wire carries it (binary: base64)
  snapshot-<id>/buckets/<bucket>.jsonl  one object version a line, oldest first: key, version ID, blob, content
                                        type, user metadata (or a delete marker)
  snapshot-<id>/queues.jsonl            one waiting message a line: queue, message ID, body, attributes
  blobs/<sha256>          object contents, stored once per distinct content (shared with the journal and moto)
  journal.log             acknowledged writes since the snapshot (journal.py)

A save writes a new data directory and fsyncs it, then replaces snapshot.json (written to a temporary file,
fsynced, an atomic rename), then removes the old data directory: a crash at any point leaves a complete snapshot.
Data directories of saves a crash interrupted are removed at the next start. Format 1 (tables/ and buckets/ directly in the state
directory, current object versions only) is still read.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from invoicing_infra.local import journal

logger = logging.getLogger("local_stack.snapshot")  # not __name__: see stack.LOGGER_NAME

FORMAT = 2
READABLE_FORMATS = (1, 2)
# Stored with each object and given back to put_object.
_HEADER_FIELDS = {"content-type": "ContentType", "content-disposition": "ContentDisposition",
                  "content-encoding": "ContentEncoding", "content-language": "ContentLanguage",
                  "cache-control": "CacheControl"}
_OBJECT_FIELDS = ("ContentType", "ContentDisposition", "ContentEncoding", "ContentLanguage", "CacheControl", "Metadata")


def manifest(state_dir: Path) -> dict[str, Any] | None:
    path = state_dir / "snapshot.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def save(state_dir: Path, tables: Iterable[str], buckets: Iterable[str],
         queues: Iterable[str] = (), journal_seq: int = 0, region: str = "") -> dict[str, int]:
    """Writes a new snapshot beside the old one, then switches to it: a failed save keeps the previous state."""
    state_dir.mkdir(parents=True, exist_ok=True)
    blobs = state_dir / "blobs"
    blobs.mkdir(exist_ok=True)
    previous = manifest(state_dir)
    data_name = f"snapshot-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{uuid.uuid4().hex[:8]}"
    data = state_dir / data_name
    (data / "tables").mkdir(parents=True)
    (data / "buckets").mkdir()
    summary: dict[str, dict[str, int]] = {"tables": {}, "buckets": {}, "queues": {}}
    for table in tables:
        summary["tables"][table] = _save_table(data / "tables" / f"{table}.jsonl", table, region)
    for bucket in buckets:
        summary["buckets"][bucket] = _save_bucket(data / "buckets" / f"{bucket}.jsonl", blobs, bucket)
    summary["queues"] = _save_queues(data / "queues.jsonl", list(queues), region)
    _fsync_tree(data)  # the data is on disk before the manifest names it (and before a fold empties the journal)
    saved_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    new_manifest = {"format": FORMAT, "saved_at": saved_at, "journal_seq": journal_seq, "data": data_name, **summary}
    temporary = state_dir / "snapshot.json.saving"
    with temporary.open("w", encoding="utf-8") as out:
        out.write(json.dumps(new_manifest, indent=2))
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, state_dir / "snapshot.json")
    _fsync_directory(state_dir)
    if previous is not None and previous.get("format") == FORMAT:
        shutil.rmtree(state_dir / previous["data"], ignore_errors=True)
    else:  # format 1 kept its data in the state directory itself
        for name in ("tables", "buckets"):
            shutil.rmtree(state_dir / name, ignore_errors=True)
    return {"items": sum(summary["tables"].values()), "objects": sum(summary["buckets"].values()),
            "messages": sum(summary["queues"].values())}


def _fsync_tree(directory: Path) -> None:
    for path in directory.rglob("*"):
        if path.is_file():
            with path.open("rb") as file:
                os.fsync(file.fileno())
    for path in [*(p for p in directory.rglob("*") if p.is_dir()), directory, directory.parent]:
        _fsync_directory(path)


def _fsync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def remove_abandoned(state_dir: Path) -> int:
    """Data directories of saves a crash interrupted (no manifest names them)."""
    found = manifest(state_dir)
    current = found.get("data") if found else None
    removed = 0
    for path in state_dir.glob("snapshot-*"):
        if path.is_dir() and path.name != current:
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


def referenced_blobs(state_dir: Path) -> set[str]:
    found = manifest(state_dir)
    if not found:
        return set()
    data = state_dir / found["data"] if found.get("format") == FORMAT else state_dir
    names = set()
    for path in (data / "buckets").glob("*.jsonl"):
        with path.open(encoding="utf-8") as lines:
            names.update(json.loads(line).get("blob") for line in lines if line.strip())
    names.discard(None)
    return names


def remove_unreferenced_blobs(state_dir: Path) -> int:
    """After a save that folded the whole journal in: blobs only the journal or older snapshots named."""
    keep = referenced_blobs(state_dir)
    removed = 0
    for path in (state_dir / "blobs").iterdir() if (state_dir / "blobs").is_dir() else ():
        if path.name not in keep:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _save_table(path: Path, table: str, region: str) -> int:
    """The table's items from moto itself: a paginated Scan over HTTP costs O(table) per page in moto."""
    from moto.core import DEFAULT_ACCOUNT_ID

    count = 0
    with path.open("w", encoding="utf-8") as out:
        for item in journal.dynamodb_backend(DEFAULT_ACCOUNT_ID, region).get_table(table).all_items():
            out.write(json.dumps(journal.item_image(item)) + "\n")
            count += 1
    return count


def _versions(bucket: str) -> list[tuple[str, Any, bool]]:
    """(key, version or delete marker) of every version in moto's bucket, oldest first per key."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import FakeDeleteMarker, s3_backends

    store = s3_backends[DEFAULT_ACCOUNT_ID]["aws"].get_bucket(bucket).keys
    return [(key, version, isinstance(version, FakeDeleteMarker)) for key, versions in list(store.lists())
            for version in versions]


def _save_bucket(path: Path, blobs: Path, bucket: str) -> int:
    """Each version from moto itself: its content file is already in `blobs` (object_store), so nothing is copied."""
    from invoicing_infra.local.object_store import store

    count = 0
    with path.open("w", encoding="utf-8") as out:
        for key, version, is_delete_marker in _versions(bucket):
            if is_delete_marker:
                out.write(json.dumps({"key": key, "version_id": version.version_id, "delete_marker": True}) + "\n")
                continue
            spilled = getattr(version._value_buffer, "path", None)
            blob = spilled.name if spilled is not None and spilled.parent == blobs else store(blobs, version.value).name
            out.write(json.dumps({"key": key, "version_id": version.version_id, "blob": blob,
                                  **_object_fields(version.metadata)}) + "\n")
            count += 1
    return count


def _object_fields(metadata: Any) -> dict[str, Any]:
    """put_object's arguments for what moto keeps as headers: content headers and user metadata."""
    headers = {name.lower(): value for name, value in metadata.items()}
    fields: dict[str, Any] = {field: headers[name] for name, field in _HEADER_FIELDS.items() if headers.get(name)}
    user = {name.removeprefix("x-amz-meta-"): value for name, value in headers.items() if name.startswith("x-amz-meta-")}
    if user:
        fields["Metadata"] = user
    return fields


def _save_queues(path: Path, queues: list[str], region: str) -> dict[str, int]:
    from moto.core import DEFAULT_ACCOUNT_ID

    counts = {}
    with path.open("w", encoding="utf-8") as out:
        for name in queues:
            queue = journal._queue(DEFAULT_ACCOUNT_ID, region, name)
            messages = list(queue._messages) if queue is not None else []
            for message in messages:
                out.write(json.dumps({"queue": name, "id": message.id, "body": message.body,
                                      "attributes": message.message_attributes, "group_id": message.group_id,
                                      "deduplication_id": message.deduplication_id}, default=str) + "\n")
            counts[name] = len(messages)
    return counts


def load(state_dir: Path, s3: Any, tables: Iterable[str], buckets: Iterable[str],
         queues: Iterable[str] = (), region: str = "") -> dict[str, int]:
    """Puts the saved items, object versions and messages back into the (new, empty) tables, buckets and queues
    of the same names, with their version and message IDs. Saved ones the template no longer declares are
    skipped with a warning. `journal_seq` in the result is the last journal entry the snapshot holds."""
    found = manifest(state_dir)
    if found is None:
        return {"items": 0, "objects": 0, "messages": 0, "journal_seq": 0}
    if found.get("format") not in READABLE_FORMATS:
        logger.warning("%s: unknown snapshot format %r, not loaded", state_dir, found.get("format"))
        return {"items": 0, "objects": 0, "messages": 0, "journal_seq": 0}
    data = state_dir / found["data"] if found.get("format") == 2 else state_dir
    tables, buckets, queues = set(tables), set(buckets), set(queues)
    items = objects = messages = 0
    for table in found.get("tables", {}):
        if table in tables:
            items += _load_table(data / "tables" / f"{table}.jsonl", table, region)
        else:
            logger.warning("saved table %s is not in the template any more: not loaded", table)
    for bucket in found.get("buckets", {}):
        if bucket in buckets:
            objects += _load_bucket(data / "buckets" / f"{bucket}.jsonl", state_dir / "blobs", s3, bucket)
        else:
            logger.warning("saved bucket %s is not in the template any more: not loaded", bucket)
    if (data / "queues.jsonl").is_file():
        messages = _load_queues(data / "queues.jsonl", queues, region)
    return {"items": items, "objects": objects, "messages": messages, "journal_seq": found.get("journal_seq", 0)}


def _load_table(path: Path, table: str, region: str) -> int:
    """Puts the saved items into moto's table directly (the items are in the wire's DynamoDB JSON)."""
    from moto.core import DEFAULT_ACCOUNT_ID

    moto_table = journal.dynamodb_backend(DEFAULT_ACCOUNT_ID, region).get_table(table)
    loaded = 0
    for item in _entries(path):
        try:
            moto_table.put_item(item)
        except Exception as exc:  # typically a key schema changed in the template since the save
            logger.warning("table %s: a saved item could not be loaded: %s", table, exc)
            continue
        loaded += 1
    return loaded


def _entries(path: Path) -> Iterator[Any]:
    """The JSON value of every non-blank line of a saved .jsonl file."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def _load_bucket(path: Path, blobs: Path, s3: Any, bucket: str) -> int:
    count = 0
    for entry in _entries(path):
        if entry.get("delete_marker"):
            response = s3.delete_object(Bucket=bucket, Key=entry["key"])
        else:
            fields = {name: entry[name] for name in _OBJECT_FIELDS if name in entry}
            body = (blobs / entry["blob"]).read_bytes()
            response = s3.put_object(Bucket=bucket, Key=entry["key"], Body=body, **fields)
            count += 1
        if entry.get("version_id") not in (None, "null"):
            journal.rename_version(bucket, entry["key"], response.get("VersionId"), entry["version_id"])
    return count


def _load_queues(path: Path, queues: set[str], region: str) -> int:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sqs.models import sqs_backends

    backend = sqs_backends[DEFAULT_ACCOUNT_ID][region]
    count = 0
    for entry in _entries(path):
        if entry["queue"] not in queues:
            logger.warning("saved message for queue %s, not in the template any more: not loaded", entry["queue"])
            continue
        message = backend.send_message(entry["queue"], entry["body"], message_attributes=entry.get("attributes"),
                                       deduplication_id=entry.get("deduplication_id"),
                                       group_id=entry.get("group_id"))
        message.id = entry["id"]
        count += 1
    return count
