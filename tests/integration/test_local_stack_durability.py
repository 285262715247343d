"""The local stack keeps what it acknowledged: writes survive `kill -9` through the journal (journal.py), with S3
version IDs and queued SQS messages; a torn journal tail is reported and skipped; S3 contents live on disk."""

from __future__ import annotations

import base64
import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
import zlib
from pathlib import Path

from invoicing_infra.local import LocalStack, journal, object_store, snapshot

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_TEMPLATE = ROOT / "tests" / "fixtures" / "local_stack" / "template.yaml"

# Runs in a child process: writes through every journaled path, prints what it wrote, then waits to be killed.
WRITER = textwrap.dedent("""
    import json, sys, time
    from invoicing_infra.local import LocalStack
    stack = LocalStack(sys.argv[1], port=0, aws_port=0, state_dir=sys.argv[2], fake_channels=False, run_schedules=False)
    stack.start()
    dynamodb, s3, sqs = stack.client("dynamodb"), stack.client("s3"), stack.client("sqs")
    dynamodb.put_item(TableName="DataTable", Item={"PK": {"S": "org#demo"}, "SK": {"S": "item"}, "Logo": {"B": b"\\x00\\xff"}})
    for _ in range(3):
        dynamodb.transact_write_items(TransactItems=[{"Update": {"TableName": "DataTable",
            "Key": {"PK": {"S": "org#demo"}, "SK": {"S": "counter"}}, "UpdateExpression": "ADD n :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}}}}])
    first = s3.put_object(Bucket="filesbucket", Key="pdf/INV-1.pdf", Body=b"%PDF-1 " * 400, ContentType="application/pdf")
    second = s3.put_object(Bucket="filesbucket", Key="pdf/INV-1.pdf", Body=b"%PDF-2 " * 400, ContentType="application/pdf")
    dlq = stack.queue_url("WorkDeadLetterQueue")
    kept = sqs.send_message(QueueUrl=dlq, MessageBody="render INV-1")["MessageId"]
    done = sqs.send_message(QueueUrl=dlq, MessageBody="render INV-0")["MessageId"]
    while True:
        received = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, VisibilityTimeout=60).get("Messages", [])
        done_handle = next((m["ReceiptHandle"] for m in received if m["MessageId"] == done), None)
        if done_handle:
            sqs.delete_message(QueueUrl=dlq, ReceiptHandle=done_handle)
            break
    print(json.dumps({"versions": [first["VersionId"], second["VersionId"]], "kept": kept}), flush=True)
    time.sleep(600)
""")


def run_writer_and_kill(state: Path) -> dict:
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(FIXTURE_TEMPLATE), str(state)],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        line = child.stdout.readline()
        assert line, "the writer exited before writing"
        return json.loads(line)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()


def test_acknowledged_writes_survive_kill_9_and_a_torn_journal_tail_is_skipped(tmp_path, caplog):
    # Given a stack that acknowledged writes to DynamoDB, S3 and SQS, killed with SIGKILL (no snapshot saved)
    written = run_writer_and_kill(tmp_path)
    assert not (tmp_path / "snapshot.json").exists()
    # ...and a journal whose last line was torn by the crash
    with (tmp_path / "journal.log").open("ab") as log:
        log.write(b'0badc0de {"service": "dynamodb", "meth')

    # When it starts again on the same state
    caplog.set_level(logging.INFO, logger="local_stack")
    with LocalStack(FIXTURE_TEMPLATE, port=0, aws_port=0, state_dir=tmp_path, fake_channels=False,
                    run_schedules=False, ) as again:
        # Then every acknowledged write is there: items, the counter raised once per transaction
        dynamodb, s3, sqs = again.client("dynamodb"), again.client("s3"), again.client("sqs")
        items = {item["SK"]["S"]: item for item in dynamodb.scan(TableName="DataTable")["Items"]}
        assert items["item"]["Logo"] == {"B": b"\x00\xff"}
        assert items["counter"]["n"] == {"N": "3"}
        # ...both object versions under their recorded version IDs
        old, new = written["versions"]
        assert s3.get_object(Bucket="filesbucket", Key="pdf/INV-1.pdf", VersionId=old)["Body"].read() == b"%PDF-1 " * 400
        assert s3.get_object(Bucket="filesbucket", Key="pdf/INV-1.pdf")["VersionId"] == new
        # ...and the queued message that was not deleted, under its ID (the deleted one stays deleted)
        received = sqs.receive_message(QueueUrl=again.queue_url("WorkDeadLetterQueue"), MaxNumberOfMessages=10)
        assert [(m["MessageId"], m["Body"]) for m in received["Messages"]] == [(written["kept"], "render INV-1")]
    # ...and the torn tail was reported, not fatal
    assert any("truncated or corrupt" in record.getMessage() for record in caplog.records)

    # When it is stopped cleanly and started again, then the snapshot holds the same (version IDs included)
    with LocalStack(FIXTURE_TEMPLATE, port=0, aws_port=0, state_dir=tmp_path, fake_channels=False,
                    run_schedules=False) as third:
        s3 = third.client("s3")
        versions = s3.list_object_versions(Bucket="filesbucket")["Versions"]
        assert sorted(version["VersionId"] for version in versions) == sorted(written["versions"])
        assert third.client("dynamodb").get_item(
            TableName="DataTable", Key={"PK": {"S": "org#demo"}, "SK": {"S": "counter"}})["Item"]["n"] == {"N": "3"}
        received = third.client("sqs").receive_message(QueueUrl=third.queue_url("WorkDeadLetterQueue"))
        assert [m["MessageId"] for m in received["Messages"]] == [written["kept"]]
    assert (tmp_path / "journal.log").read_bytes() == b""


def journal_line(entry: dict) -> bytes:
    text = json.dumps(entry).encode()
    return b"%08x %s\n" % (zlib.crc32(text), text)


def test_reading_stops_at_the_first_corrupt_line(tmp_path):
    path = tmp_path / "journal.log"
    good = journal_line({"seq": 1, "service": "dynamodb"})
    corrupt = bytearray(journal_line({"seq": 2, "service": "dynamodb"}))
    corrupt[-3] ^= 0x01  # one flipped bit: the checksum no longer matches
    path.write_bytes(good + bytes(corrupt) + journal_line({"seq": 3, "service": "dynamodb"}))

    read = journal.read(path)

    assert [entry["seq"] for entry in read.entries] == [1]
    assert (read.good_bytes, read.bad_bytes) == (len(good), path.stat().st_size - len(good))


def test_s3_contents_live_in_content_files_not_in_memory(tmp_path):
    # Given a stack that stores objects (without persistence: in a temporary directory)
    with LocalStack(FIXTURE_TEMPLATE, port=0, aws_port=0, persist=False, fake_channels=False,
                    run_schedules=False) as stack:
        s3 = stack.client("s3")
        body = os.urandom(50_000)
        s3.put_object(Bucket="filesbucket", Key="a.pdf", Body=body)
        s3.put_object(Bucket="filesbucket", Key="b.pdf", Body=body)

        # Then moto holds a file reference for the bytes, one file for equal contents, and reads give them back
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.s3.models import s3_backends

        keys = s3_backends[DEFAULT_ACCOUNT_ID]["aws"].get_bucket("filesbucket").keys
        paths = {keys["a.pdf"]._value_buffer.path, keys["b.pdf"]._value_buffer.path}
        assert len(paths) == 1 and next(iter(paths)).read_bytes() == body
        assert s3.get_object(Bucket="filesbucket", Key="b.pdf")["Body"].read() == body
        spill = next(iter(paths)).parent
    # ...and the temporary directory goes with the stack
    assert not spill.exists()
    assert object_store.SpilledBuffer().path is None  # outside a stack: in memory again


def test_the_stack_keeps_the_most_recent_sent_emails_and_counts_all():
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from invoicing_infra.local import sent_mail

    with LocalStack(FIXTURE_TEMPLATE, port=0, aws_port=0, persist=False, fake_channels=False,
                    run_schedules=False) as stack:
        ses = stack.client("ses")
        ses.verify_email_identity(EmailAddress="from@example.com")
        for number in range(sent_mail.SENT_MAIL_KEPT + 5):
            ses.send_email(Source="from@example.com", Destination={"ToAddresses": ["to@example.com"]},
                           Message={"Subject": {"Data": f"Invoice {number}"}, "Body": {"Text": {"Data": "PDF"}}})
        backend = ses_backends[DEFAULT_ACCOUNT_ID][stack.template.region]
        assert len(backend.sent_messages) == sent_mail.SENT_MAIL_KEPT
        assert backend.sent_messages[-1].subject == f"Invoice {sent_mail.SENT_MAIL_KEPT + 4}"
        assert backend.sent_messages[0].subject == "Invoice 5"
        assert ses.get_send_quota()["SentLast24Hours"] == sent_mail.SENT_MAIL_KEPT + 5


# Runs in a child process: writes, folds the journal into a snapshot as told by argv[3], writes more, prints the
# journal's bytes before the fold, then waits to be killed.
FOLDING_WRITER = textwrap.dedent("""
    import base64, json, sys, time
    from invoicing_infra.local import LocalStack, snapshot
    mode = sys.argv[3]
    stack = LocalStack(sys.argv[1], port=0, aws_port=0, state_dir=sys.argv[2], fake_channels=False,
                       run_schedules=False, fold_every=None)
    stack.start()
    dynamodb, sqs = stack.client("dynamodb"), stack.client("sqs")
    dlq = stack.queue_url("WorkDeadLetterQueue")

    def write(tag):
        dynamodb.put_item(TableName="DataTable", Item={"PK": {"S": "org#demo"}, "SK": {"S": tag}})
        dynamodb.transact_write_items(TransactItems=[{"Update": {"TableName": "DataTable",
            "Key": {"PK": {"S": "org#demo"}, "SK": {"S": "counter"}}, "UpdateExpression": "ADD n :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}}}}])
        sqs.send_message(QueueUrl=dlq, MessageBody=f"render {tag}")

    write("before-fold")
    before = (stack.state_dir / "journal.log").read_bytes()
    if mode == "fails":
        def broken(*args, **kwargs):
            raise OSError("disk full")
        snapshot._save_queues = broken
        try:
            stack.fold()
        except OSError:
            pass
    else:
        stack.fold()
    after = (stack.state_dir / "journal.log").read_bytes()
    if mode != "crash-before-truncate":
        write("after-fold")
    print(json.dumps({"before": base64.b64encode(before).decode(), "after": len(after)}), flush=True)
    time.sleep(600)
""")


def fold_and_kill(state: Path, mode: str) -> dict:
    child = subprocess.Popen([sys.executable, "-c", FOLDING_WRITER, str(FIXTURE_TEMPLATE), str(state), mode],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        line = child.stdout.readline()
        assert line, "the writer exited before writing"
        result = json.loads(line)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    result["before"] = base64.b64decode(result["before"])
    return result


def restarted_contents(state: Path) -> tuple[set[str], str, list[str]]:
    """(item sort keys, counter, queued message bodies) of a stack started on `state`."""
    with LocalStack(FIXTURE_TEMPLATE, port=0, aws_port=0, state_dir=state, fake_channels=False,
                    run_schedules=False) as again:
        items = {item["SK"]["S"]: item for item in again.client("dynamodb").scan(TableName="DataTable")["Items"]}
        sqs, queue = again.client("sqs"), again.queue_url("WorkDeadLetterQueue")
        bodies = []
        while received := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10,
                                              VisibilityTimeout=60).get("Messages", []):
            bodies += [message["Body"] for message in received]
        return set(items) - {"counter"}, items["counter"]["n"]["N"], sorted(bodies)


def test_a_fold_while_running_empties_the_journal_and_a_kill_after_it_loses_nothing(tmp_path):
    # Given a running stack that folded its journal into a snapshot, wrote more, and was killed
    written = fold_and_kill(tmp_path, "fold")

    # Then the fold emptied the journal and the snapshot holds what the journal held
    assert written["before"].count(b"\n") == 3 and written["after"] == 0
    assert snapshot.manifest(tmp_path)["journal_seq"] == 3
    # ...and after a restart every acknowledged write is there once: the folded ones and the journaled ones
    assert restarted_contents(tmp_path) == ({"before-fold", "after-fold"}, "2",
                                            ["render after-fold", "render before-fold"])


def test_a_crash_between_the_snapshot_and_emptying_the_journal_applies_nothing_twice(tmp_path):
    # Given a fold whose snapshot was switched to, and a crash before the journal was emptied
    written = fold_and_kill(tmp_path, "crash-before-truncate")
    (tmp_path / "journal.log").write_bytes(written["before"])

    # Then a restart skips the entries the snapshot holds: one message, not two; the counter raised once
    assert restarted_contents(tmp_path) == ({"before-fold"}, "1", ["render before-fold"])


def test_a_fold_that_fails_keeps_the_journal_and_its_leftovers_are_removed(tmp_path):
    # Given a fold that failed halfway through writing its snapshot, then more writes, then a kill
    written = fold_and_kill(tmp_path, "fails")
    assert written["after"] == len(written["before"])  # the journal was left as it was
    leftovers = [path for path in tmp_path.glob("snapshot-*") if path.name != (snapshot.manifest(tmp_path) or {}).get("data")]
    assert leftovers

    # Then a restart has everything, and the half-written snapshot is gone
    assert restarted_contents(tmp_path) == ({"before-fold", "after-fold"}, "2",
                                            ["render after-fold", "render before-fold"])
    assert not any(path.exists() for path in leftovers)


def test_the_journal_is_folded_while_running_every_fold_every_entries(tmp_path):
    with LocalStack(FIXTURE_TEMPLATE, port=0, aws_port=0, state_dir=tmp_path, fresh=True, fake_channels=False,
                    run_schedules=False, fold_every=4) as stack:
        dynamodb = stack.client("dynamodb")
        for index in range(10):
            dynamodb.put_item(TableName="DataTable", Item={"PK": {"S": "org#demo"}, "SK": {"S": f"i{index}"}})
        deadline = time.monotonic() + 30
        while True:  # a fold switches the snapshot, then empties the journal: wait for both
            folded = snapshot.manifest(tmp_path)["journal_seq"]
            seqs = [entry["seq"] for entry in journal.read(tmp_path / "journal.log").entries]
            if (folded >= 8 and seqs == list(range(folded + 1, 11))) or time.monotonic() > deadline:
                break
            time.sleep(0.1)

        # Then the snapshot holds at least the first 8 writes and the journal only what came after it
        assert folded >= 8
        assert seqs == list(range(folded + 1, 11))
