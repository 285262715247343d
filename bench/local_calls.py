"""What one AWS call to the local stack's moto costs, before and after the local stack's patches (issue 11).

    .venv/bin/python bench/local_calls.py [--calls 300] [--backlog 3000]

1. DynamoDB PutItem + GetItem over HTTP, per call: moto's own threaded server (werkzeug closes every
   connection: a new TCP connection and server thread per call) against the local stack's server
   (serialized_moto: connections kept alive).
2. SQS SendMessage and ReceiveMessage (10 messages, deleted after) on a queue holding `--backlog` messages:
   moto as it is (every send and receive counts the queue's messages, a receive once per message received)
   against queues.py.

Prints figures; asserts nothing about time. The machine's load changes them: compare within one run.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time

import boto3
import moto.sqs.models as sqs_models
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

ORIGINAL = (sqs_models.Queue.attributes, sqs_models.SQSBackend.is_message_valid_based_on_retention_period,
            sqs_models.unix_time_millis)

from invoicing_infra.local import queues  # noqa: E402 - after keeping moto's originals
from invoicing_infra.local.serialized_moto import SerializedMotoServer  # noqa: E402

PATCHED = (sqs_models.Queue.attributes, sqs_models.SQSBackend.is_message_valid_based_on_retention_period,
           sqs_models.unix_time_millis)
REGION = "eu-central-1"


def use(patches: tuple) -> None:
    sqs_models.Queue.attributes, sqs_models.SQSBackend.is_message_valid_based_on_retention_period, \
        sqs_models.unix_time_millis = patches


def client(service: str, endpoint: str):
    return boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                 region_name=REGION).client(service, endpoint_url=endpoint)


def timed(call, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def dynamodb_per_call(server, label: str, calls: int) -> None:
    server.start()
    host, port = server.get_host_and_port()
    dynamodb = client("dynamodb", f"http://{host}:{port}")
    table = f"t{port}"
    dynamodb.create_table(TableName=table, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                          BillingMode="PAY_PER_REQUEST")
    counter = iter(range(10**9))

    def put_get() -> None:
        key = {"pk": {"S": str(next(counter))}}
        dynamodb.put_item(TableName=table, Item={**key, "v": {"S": "x" * 300}})
        dynamodb.get_item(TableName=table, Key=key)

    print(f"  {label:<44} PutItem+GetItem median {timed(put_get, calls) / 2:6.2f} ms per call", flush=True)
    server.stop()


def sqs_with_backlog(endpoint: str, label: str, patches: tuple, backlog: int, calls: int) -> None:
    use(PATCHED)  # filling the queue with moto as it is would itself take minutes
    sqs = client("sqs", endpoint)
    url = sqs.create_queue(QueueName=f"q{int(time.time() * 1000)}")["QueueUrl"]
    for start in range(0, backlog, 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"job {start + i}"}
                                                      for i in range(min(10, backlog - start))])
    use(patches)
    send = timed(lambda: sqs.send_message(QueueUrl=url, MessageBody="job"), calls)

    def receive() -> None:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300)["Messages"]
        sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                                                        for i, m in enumerate(messages)])

    received = timed(receive, max(5, calls // 10))
    print(f"  {label:<44} SendMessage {send:7.2f} ms, ReceiveMessage(10)+delete {received:8.1f} ms", flush=True)
    sqs.delete_queue(QueueUrl=url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--backlog", type=int, default=3000)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server logs every request
    print("1. DynamoDB over HTTP", flush=True)
    dynamodb_per_call(ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False),
                      "moto's server (a connection per call)", args.calls)
    dynamodb_per_call(SerializedMotoServer(ip_address="127.0.0.1", port=0, verbose=False),
                      "local stack's server (kept alive)", args.calls)
    print(f"2. SQS with {args.backlog} messages waiting", flush=True)
    server = SerializedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    sqs_with_backlog(f"http://{host}:{port}", "moto as it is", ORIGINAL, args.backlog, args.calls)
    sqs_with_backlog(f"http://{host}:{port}", "with queues.py", PATCHED, args.backlog, args.calls)
    server.stop()
    assert queues  # imported for its patches


if __name__ == "__main__":
    main()
