"""Saves the local tables and buckets to a directory on a clean stop, and loads them back on start.

Layout of the state directory (format 1):
  snapshot.json         format, time saved, item and object counts
  tables/<table>.jsonl  one item a line, in DynamoDB JSON (type descriptors; binary values base64)
  buckets/<bucket>.jsonl  one object a line: key, blob, content type, user metadata (current versions only)
  blobs/<sha256>        object contents, stored once per distinct content
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import shutil
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

logger = logging.getLogger("local_stack.snapshot")  # not __name__: see stack.LOGGER_NAME

FORMAT = 1
_BATCH_WRITE_SIZE = 25  # DynamoDB BatchWriteItem limit
# Stored with each object and given back to put_object.
_OBJECT_FIELDS = ("ContentType", "ContentDisposition", "ContentEncoding", "ContentLanguage", "CacheControl", "Metadata")


def _encode(value: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB attribute value made JSON-safe: binary values become base64 text."""
    (kind, inner), = value.items()
    if kind == "B":
        return {"B": base64.b64encode(inner).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(item).decode("ascii") for item in inner]}
    if kind == "M":
        return {"M": {name: _encode(item) for name, item in inner.items()}}
    if kind == "L":
        return {"L": [_encode(item) for item in inner]}
    return value


def _decode(value: dict[str, Any]) -> dict[str, Any]:
    (kind, inner), = value.items()
    if kind == "B":
        return {"B": base64.b64decode(inner)}
    if kind == "BS":
        return {"BS": [base64.b64decode(item) for item in inner]}
    if kind == "M":
        return {"M": {name: _decode(item) for name, item in inner.items()}}
    if kind == "L":
        return {"L": [_decode(item) for item in inner]}
    return value


KEPT = ("mail",)  # folders of the state directory a save carries over (the local outbox)


def save(state_dir: Path, dynamodb: Any, s3: Any, tables: Iterable[str], buckets: Iterable[str]) -> dict[str, int]:
    """Writes a new snapshot next to the old one, then swaps them, so a failed save keeps the previous state."""
    saving = state_dir.with_name(f"{state_dir.name}.saving")
    shutil.rmtree(saving, ignore_errors=True)
    (saving / "tables").mkdir(parents=True)
    (saving / "buckets").mkdir()
    (saving / "blobs").mkdir()
    summary: dict[str, dict[str, int]] = {"tables": {}, "buckets": {}}
    for table in tables:
        summary["tables"][table] = _save_table(saving / "tables" / f"{table}.jsonl", dynamodb, table)
    for bucket in buckets:
        summary["buckets"][bucket] = _save_bucket(saving, s3, bucket)
    saved_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    manifest = {"format": FORMAT, "saved_at": saved_at, **summary}
    (saving / "snapshot.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    for kept in KEPT:  # not part of the snapshot, but of the state directory
        if (state_dir / kept).is_dir():
            shutil.copytree(state_dir / kept, saving / kept)
    previous = state_dir.with_name(f"{state_dir.name}.previous")
    shutil.rmtree(previous, ignore_errors=True)
    if state_dir.exists():
        state_dir.rename(previous)
    saving.rename(state_dir)
    shutil.rmtree(previous, ignore_errors=True)
    return {"items": sum(summary["tables"].values()), "objects": sum(summary["buckets"].values())}


def _save_table(path: Path, dynamodb: Any, table: str) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for page in dynamodb.get_paginator("scan").paginate(TableName=table):
            for item in page.get("Items", []):
                out.write(json.dumps({name: _encode(value) for name, value in item.items()}) + "\n")
                count += 1
    return count


def _save_bucket(saving: Path, s3: Any, bucket: str) -> int:
    count = 0
    with (saving / "buckets" / f"{bucket}.jsonl").open("w", encoding="utf-8") as out:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for summary in page.get("Contents", []):
                obj = s3.get_object(Bucket=bucket, Key=summary["Key"])
                content = obj["Body"].read()
                blob = hashlib.sha256(content).hexdigest()
                blob_path = saving / "blobs" / blob
                if not blob_path.exists():
                    blob_path.write_bytes(content)
                fields = {name: obj[name] for name in _OBJECT_FIELDS if obj.get(name)}
                out.write(json.dumps({"key": summary["Key"], "blob": blob, **fields}) + "\n")
                count += 1
    return count


def load(state_dir: Path, dynamodb: Any, s3: Any, tables: Iterable[str], buckets: Iterable[str]) -> dict[str, int]:
    """Puts the saved items and objects back into the (new, empty) tables and buckets of the same names.

    Saved tables or buckets the template no longer declares are skipped with a warning.
    """
    manifest_path = state_dir / "snapshot.json"
    if not manifest_path.is_file():
        return {"items": 0, "objects": 0}
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        logger.warning("%s: unknown snapshot format %r, not loaded", state_dir, manifest.get("format"))
        return {"items": 0, "objects": 0}
    tables, buckets = set(tables), set(buckets)
    items = objects = 0
    for table in manifest.get("tables", {}):
        if table in tables:
            items += _load_table(state_dir / "tables" / f"{table}.jsonl", dynamodb, table)
        else:
            logger.warning("saved table %s is not in the template any more: not loaded", table)
    for bucket in manifest.get("buckets", {}):
        if bucket in buckets:
            objects += _load_bucket(state_dir, s3, bucket)
        else:
            logger.warning("saved bucket %s is not in the template any more: not loaded", bucket)
    return {"items": items, "objects": objects}


def _load_table(path: Path, dynamodb: Any, table: str) -> int:
    with path.open(encoding="utf-8") as lines:
        items = [{name: _decode(value) for name, value in json.loads(line).items()} for line in lines if line.strip()]
    loaded = 0
    for start in range(0, len(items), _BATCH_WRITE_SIZE):
        requests = [{"PutRequest": {"Item": item}} for item in items[start : start + _BATCH_WRITE_SIZE]]
        try:
            while requests:
                response = dynamodb.batch_write_item(RequestItems={table: requests})
                requests = response.get("UnprocessedItems", {}).get(table, [])
        except ClientError as exc:
            # Typically a key schema changed in the template since the save.
            logger.warning("table %s: %d saved item(s) could not be loaded: %s", table, len(requests), exc)
            continue
        loaded += min(_BATCH_WRITE_SIZE, len(items) - start)
    return loaded


def _load_bucket(state_dir: Path, s3: Any, bucket: str) -> int:
    count = 0
    with (state_dir / "buckets" / f"{bucket}.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            entry = json.loads(line)
            fields = {name: entry[name] for name in _OBJECT_FIELDS if name in entry}
            body = (state_dir / "blobs" / entry["blob"]).read_bytes()
            s3.put_object(Bucket=bucket, Key=entry["key"], Body=body, **fields)
            count += 1
    return count
