"""Write-ahead journal of the mutating AWS requests the local stack acknowledged, and its replay at start.

The moto server's WSGI app is wrapped: a DynamoDB write (PutItem, UpdateItem, DeleteItem, BatchWriteItem,
TransactWriteItems; PartiQL is not journaled), an S3 write (PUT, POST, DELETE) or an SQS send/delete that
succeeded is appended to `journal.log` and flushed to the operating system before its response goes out, so
`kill -9` of the stack loses no acknowledged write. Requests of one service are applied and journaled under one
lock, so the journal's order is the order moto applied them in (DynamoDB requests are serialized anyway: moto is
not thread-safe).

A DynamoDB write is journaled as its result: the items it wrote (or the keys it deleted), read from moto under
the lock; replaying that is a put per item, with no expression to evaluate again. S3 and SQS writes are journaled
as the requests and run through moto again at replay; identifiers moto draws at random are recorded and put back:
S3 version IDs (the invoices keep them) and SQS message IDs. SQS deletes are recorded by message ID (receipt
handles change with every receive); receives are not recorded, so a message received but not deleted before a
crash is delivered again (as SQS does after a visibility timeout). Replay happens before anything else talks to
moto.

Each line is `<crc32 hex> <json>`; request bodies over 1 KiB go to `blobs/<sha256>` (written before the line).
A line that does not parse or whose checksum does not match ends the journal: it and what follows are reported
and cut off; the stack starts with everything before it.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import logging
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from werkzeug.test import EnvironBuilder, run_wsgi_app

from invoicing_infra.local.object_store import store

logger = logging.getLogger("local_stack.journal")  # not __name__: see stack.LOGGER_NAME

INLINE_LIMIT = 1024
_DYNAMODB_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
_SQS_SENDS = {"SendMessage", "SendMessageBatch"}
_SQS_DELETES = {"DeleteMessage", "DeleteMessageBatch"}
_SKIPPED_HEADERS = {"CONTENT_LENGTH", "TRANSFER_ENCODING", "CONNECTION", "EXPECT", "ACCEPT_ENCODING", "KEEP_ALIVE"}

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass
class ReadResult:
    entries: list[dict[str, Any]]
    good_bytes: int  # the length of the readable prefix
    bad_bytes: int  # what follows it (a torn or corrupt tail)


def read(path: Path) -> ReadResult:
    if not path.is_file():
        return ReadResult([], 0, 0)
    data = path.read_bytes()
    entries, offset = [], 0
    while offset < len(data):
        end = data.find(b"\n", offset)
        if end < 0:
            break
        line = data[offset:end]
        try:
            checksum, text = line.split(b" ", 1)
            if int(checksum, 16) != zlib.crc32(text):
                break
            entries.append(json.loads(text))
        except ValueError:
            break
        offset = end + 1
    return ReadResult(entries, offset, len(data) - offset)


class Journal:
    """The append side: one line per acknowledged write, flushed before the response."""

    def __init__(self, path: Path, blobs: Path):
        self.path, self.blobs = path, blobs
        self._lock = threading.Lock()
        self._file: io.BufferedWriter | None = None
        self.seq = 0

    def open(self, last_seq: int) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.blobs.mkdir(parents=True, exist_ok=True)
        self.seq = last_seq
        self._file = self.path.open("ab")

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    @property
    def active(self) -> bool:
        return self._file is not None

    def append(self, entry: dict[str, Any], body: bytes | None = None) -> None:
        if body:
            if len(body) > INLINE_LIMIT:
                entry["blob"] = store(self.blobs, body).name
            else:
                try:
                    entry["text"] = body.decode("utf-8")
                except UnicodeDecodeError:
                    entry["b64"] = base64.b64encode(body).decode("ascii")
        with self._lock:
            if self._file is None:
                return
            self.seq += 1
            entry["seq"] = self.seq
            text = json.dumps(entry, separators=(",", ":")).encode()
            self._file.write(b"%08x %s\n" % (zlib.crc32(text), text))
            self._file.flush()

    def reset(self) -> None:
        """Empties the journal: every entry in it is in a snapshot now (the caller holds back new writes)."""
        with self._lock:
            if self._file is not None:
                self._file.flush()
                self._file.truncate(0)  # opened for appending: the next line goes to the new end
            else:
                self.path.write_bytes(b"")

    def truncate(self, length: int) -> None:
        with self._lock, self.path.open("r+b") as file:
            file.truncate(length)


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {key[5:].replace("_", "-").title(): value for key, value in environ.items()
               if key.startswith("HTTP_") and key[5:] not in _SKIPPED_HEADERS}
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    return headers


def _service(environ: dict[str, Any]) -> tuple[str, str] | None:
    """(service, action) of a request the journal or the locks care about."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target.startswith("DynamoDB"):
        return "dynamodb", target.rsplit(".", 1)[-1]
    if target.startswith("AmazonSQS"):
        return "sqs", target.rsplit(".", 1)[-1]
    credential = environ.get("HTTP_AUTHORIZATION", "") + environ.get("QUERY_STRING", "")
    if "/s3/aws4_request" in credential or "%2Fs3%2Faws4_request" in credential:
        return "s3", environ.get("REQUEST_METHOD", "GET")
    return None


class JournaledApp:
    """moto's WSGI app with DynamoDB serialized and acknowledged writes journaled (once `journal` is active)."""

    def __init__(self, app: App, journal: Journal | None, account_id: str, region: str):
        self.app, self.journal = app, journal
        self.account_id, self.region = account_id, region
        self._locks = {"dynamodb": threading.Lock(), "s3": threading.Lock(), "sqs": threading.Lock()}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        kind = _service(environ)
        if kind is None:
            return self.app(environ, start_response)
        service, action = kind
        mutating = (action in _DYNAMODB_WRITES if service == "dynamodb"
                    else action in {"PUT", "POST", "DELETE"} if service == "s3"
                    else action in _SQS_SENDS | _SQS_DELETES)
        if not mutating and service != "dynamodb":
            return self.app(environ, start_response)  # reads of S3 and SQS (long polls above all) stay concurrent
        journaling = mutating and self.journal is not None and self.journal.active
        body = _read_body(environ) if journaling else b""
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = int(status.split(" ", 1)[0]), headers
            return start_response(status, headers, exc_info)

        with self._locks[service]:
            deleted = self._message_ids(body) if journaling and action in _SQS_DELETES else None
            response = list(self.app(environ, capture))
            if journaling and 200 <= captured.get("status", 500) < 300:
                try:
                    if service == "dynamodb":
                        self.journal.append({"service": "dynamodb", "writes": self._after_images(action, body)})
                    else:
                        self._record(environ, service, action, body, captured["headers"], b"".join(response), deleted)
                except Exception:  # the write is applied: answer it, but say loudly that a crash would lose it
                    logger.exception("%s %s applied but not journaled", service, action)
        return response

    @contextlib.contextmanager
    def writes_held(self) -> Iterator[None]:
        """No request that the journal records (and no DynamoDB request) runs during the block: what moto holds
        is then exactly what the journal holds up to its current entry."""
        with contextlib.ExitStack() as held:
            for name in sorted(self._locks):  # one order for all callers
                held.enter_context(self._locks[name])
            yield

    def _after_images(self, action: str, body: bytes) -> list[dict[str, Any]]:
        """What the write left in each item it names: the whole item, or its key when it is gone."""
        request = json.loads(body)
        if action == "PutItem":
            named = [(request["TableName"], request["Item"])]
        elif action in ("UpdateItem", "DeleteItem"):
            named = [(request["TableName"], request["Key"])]
        elif action == "BatchWriteItem":
            named = [(table, write["PutRequest"]["Item"] if "PutRequest" in write else write["DeleteRequest"]["Key"])
                     for table, writes in request["RequestItems"].items() for write in writes]
        else:  # TransactWriteItems
            named = [(op["TableName"], op["Item"] if kind == "Put" else op["Key"])
                     for entry in request["TransactItems"] for kind, op in entry.items() if kind != "ConditionCheck"]
        backend = dynamodb_backend(self.account_id, self.region)
        writes = []
        for table_name, attrs in named:
            table = backend.get_table(table_name)
            key = {name: attrs[name] for name in (table.hash_key_attr, table.range_key_attr) if name}
            item = table.get_item(*backend.get_keys_value(table, key))
            writes.append({"table": table_name, "item": item_image(item)} if item is not None
                          else {"table": table_name, "key": key})
        return writes

    def _record(self, environ: dict[str, Any], service: str, action: str, body: bytes,
                headers: list[tuple[str, str]], response: bytes, deleted: dict[str, Any] | None) -> None:
        assert self.journal is not None
        if deleted is not None:
            self.journal.append({"service": "sqs", "delete": deleted})
            return
        entry: dict[str, Any] = {"service": service, "method": environ["REQUEST_METHOD"],
                                 "path": environ.get("PATH_INFO", "/"), "query": environ.get("QUERY_STRING", ""),
                                 "headers": _headers(environ)}
        if service == "s3":
            version = dict((name.lower(), value) for name, value in headers).get("x-amz-version-id")
            if version and version != "null":
                entry["version_id"] = version
        elif service == "sqs":
            entry["message_ids"] = _sent_ids(response)
        self.journal.append(entry, body)

    def _message_ids(self, body: bytes) -> dict[str, Any]:
        """The IDs of the messages an SQS delete names by receipt handle, looked up before it is applied."""
        request = json.loads(body or b"{}")
        queue = _queue(self.account_id, self.region, request.get("QueueUrl", ""))
        handles = ([request.get("ReceiptHandle")] if "ReceiptHandle" in request
                   else [entry.get("ReceiptHandle") for entry in request.get("Entries", [])])
        ids = []
        if queue is not None:
            by_handle = {message.receipt_handle: message.id for message in list(queue._messages)}
            ids = [by_handle[handle] for handle in handles if handle in by_handle]
        return {"queue": request.get("QueueUrl", "").rsplit("/", 1)[-1], "ids": ids}

    # --- Replay ---

    def replay(self, entries: Iterable[dict[str, Any]], blobs: Path) -> tuple[int, int]:
        """Applies journal entries in order; returns (applied, failed)."""
        applied = failed = 0
        for entry in entries:
            try:
                ok = self._replay_one(entry, blobs)
            except Exception:
                logger.exception("journal entry %s could not be replayed", entry.get("seq"))
                ok = False
            applied += ok
            failed += not ok
        return applied, failed

    def _replay_one(self, entry: dict[str, Any], blobs: Path) -> bool:
        if "writes" in entry:
            backend = dynamodb_backend(self.account_id, self.region)
            with self._locks["dynamodb"]:
                for write in entry["writes"]:
                    table = backend.get_table(write["table"])
                    if "item" in write:
                        table.put_item(write["item"])
                    else:
                        table.delete_item(*backend.get_keys_value(table, write["key"]))
            return True
        if "delete" in entry:
            delete_messages(self.account_id, self.region, entry["delete"]["queue"], set(entry["delete"]["ids"]))
            return True
        body = ((blobs / entry["blob"]).read_bytes() if "blob" in entry
                else entry["text"].encode("utf-8") if "text" in entry
                else base64.b64decode(entry["b64"]) if "b64" in entry else b"")
        headers = dict(entry["headers"])
        host = headers.pop("Host", "localhost")
        environ = EnvironBuilder(path=entry["path"], method=entry["method"], query_string=entry["query"],
                                 headers=headers, data=body, base_url=f"http://{host}").get_environ()
        with self._locks[entry["service"]]:
            app_iter, status, response_headers = run_wsgi_app(self.app, environ)
            response = b"".join(app_iter)
        code = int(status.split(" ", 1)[0])
        if not 200 <= code < 300:
            logger.warning("journal entry %s (%s %s) replayed with %s: %s", entry.get("seq"), entry["method"],
                           entry["path"], status, response[:300])
            return False
        if entry["service"] == "s3" and "version_id" in entry:
            new = response_headers.get("x-amz-version-id")
            bucket, _, key = entry["path"].lstrip("/").partition("/")
            rename_version(bucket, unquote(key), new, entry["version_id"])
        elif entry["service"] == "sqs" and entry.get("message_ids"):
            queue_name = json.loads(body).get("QueueUrl", "").rsplit("/", 1)[-1]
            replayed = _sent_ids(response)
            renames = {replayed[name]: old for name, old in entry["message_ids"].items() if name in replayed}
            rename_messages(self.account_id, self.region, queue_name, renames)
        return True


def dynamodb_backend(account_id: str, region: str) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[account_id][region]


def item_image(item: Any) -> dict[str, Any]:
    """A moto item in DynamoDB JSON as the wire carries it (binary values base64), as GetItem answers it."""
    from moto.dynamodb.models.utilities import dynamo_json_dump

    return json.loads(dynamo_json_dump(item.to_json()))["Attributes"]


def _read_body(environ: dict[str, Any]) -> bytes:
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH")
    body = stream.read(int(length)) if length and not environ.get("wsgi.input_terminated") else stream.read()
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def _sent_ids(response: bytes) -> dict[str, str]:
    """{entry id: message id} of a SendMessage ("" for the single message) or SendMessageBatch response."""
    try:
        parsed = json.loads(response or b"{}")
    except ValueError:
        return {}
    if "MessageId" in parsed:
        return {"": parsed["MessageId"]}
    return {entry["Id"]: entry["MessageId"] for entry in parsed.get("Successful", [])}


def _queue(account_id: str, region: str, url_or_name: str) -> Any:
    from moto.sqs.models import sqs_backends

    return sqs_backends[account_id][region].queues.get(url_or_name.rsplit("/", 1)[-1])


def _messages_of(queue: Any) -> Iterator[Any]:
    return iter(list(queue._messages))


def delete_messages(account_id: str, region: str, queue_name: str, ids: set[str]) -> None:
    queue = _queue(account_id, region, queue_name)
    if queue is None or not ids:
        return
    with queue._messages_lock:
        queue._messages = [message for message in queue._messages if message.id not in ids]
        queue._pending_messages = {message for message in queue._pending_messages if message.id not in ids}


def rename_messages(account_id: str, region: str, queue_name: str, renames: dict[str, str]) -> None:
    queue = _queue(account_id, region, queue_name)
    for message in _messages_of(queue) if queue is not None else ():
        if message.id in renames:
            message.id = renames[message.id]


def rename_version(bucket: str, key: str, new: str | None, old: str) -> None:
    """Gives the version (or delete marker) moto just made the ID the journal or snapshot recorded."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    if not new or new == old:
        return
    versions = s3_backends[DEFAULT_ACCOUNT_ID]["aws"].get_bucket(bucket).keys.getlist(key, [])
    for version in versions:
        if version.version_id == new:
            version._version_id = old
            return
    logger.warning("s3://%s/%s: version %s not found to rename to %s", bucket, key, new, old)
