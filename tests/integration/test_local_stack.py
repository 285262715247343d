"""The embedded local stack against a small fixture template: API Gateway emulation, SQS delivery, persistence."""

from __future__ import annotations

import base64
import http.client
import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from invoicing_infra.local import LocalStack

FIXTURE_TEMPLATE = Path(__file__).resolve().parents[1] / "fixtures" / "local_stack" / "template.yaml"
PDF = b"%PDF-1.7\n\x00\x01\xfe\xff binary\n%%EOF\n"  # what fixtures/local_stack/functions/binary returns


def request(
    stack: LocalStack, method: str, path: str, headers: list[tuple[str, str]] = (), body: bytes | None = None
) -> tuple[int, http.client.HTTPResponse, bytes]:
    """One HTTP request with headers sent exactly as given (repeats and case included)."""
    url = urlsplit(stack.api_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response, response.read()
    finally:
        connection.close()


def echo(stack: LocalStack, method: str, path: str, headers: list[tuple[str, str]] = (), body: bytes | None = None):
    status, _, payload = request(stack, method, path, headers, body)
    assert status == 200, payload
    return json.loads(payload)


@pytest.fixture(scope="class")
def stack(tmp_path_factory):
    local = LocalStack(FIXTURE_TEMPLATE, port=0, aws_port=0, state_dir=tmp_path_factory.mktemp("state"), persist=False)
    local.start()
    yield local
    local.stop()


class TestApiGateway:
    def test_event_is_the_rest_proxy_event_v1(self, stack):
        answer = echo(
            stack,
            "GET",
            "/items/42/?tag=a&tag=b&q=x%20y",
            headers=[("X-Custom-Header", "one"), ("X-Multi", "1"), ("X-Multi", "2")],
        )
        event = answer["event"]

        assert event["resource"] == "/items/{id}"
        assert event["path"] == "/items/42/"  # the trailing slash the client sent is kept
        assert event["httpMethod"] == "GET"
        assert event["pathParameters"] == {"id": "42"}
        assert event["queryStringParameters"] == {"tag": "b", "q": "x y"}
        assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"], "q": ["x y"]}
        assert event["headers"]["X-Custom-Header"] == "one"
        assert event["headers"]["X-Multi"] == "2"
        assert event["multiValueHeaders"]["X-Multi"] == ["1", "2"]
        assert event["stageVariables"] is None
        assert event["body"] is None
        assert event["isBase64Encoded"] is False
        context = event["requestContext"]
        assert context["stage"] == "test"
        assert context["path"] == "/items/42/"  # the path the client sent (custom-domain style, no stage)
        assert context["resourcePath"] == "/items/{id}"
        assert context["httpMethod"] == "GET"
        assert context["accountId"] == "123456789012"
        assert context["domainName"] == event["headers"]["Host"]
        assert context["identity"]["sourceIp"] == "127.0.0.1"
        assert context["requestId"]
        assert isinstance(context["requestTimeEpoch"], int)

    def test_empty_query_headers_and_parameters_are_none(self, stack):
        event = echo(stack, "GET", "/items")["event"]

        assert event["resource"] == "/items"
        assert event["queryStringParameters"] is None
        assert event["multiValueQueryStringParameters"] is None
        assert event["pathParameters"] is None

    def test_functions_see_their_resolved_environment_and_a_context(self, stack):
        answer = echo(stack, "GET", "/items")

        assert answer["environment"] == {
            "TABLE_NAME": "DataTable",
            "BUCKET_NAME": "filesbucket",
            "WORK_QUEUE_URL": stack.queue_url("WorkQueue"),
            "WORK_QUEUE_ARN": "arn:aws:sqs:eu-central-1:123456789012:WorkQueue",
            "GREETING": "hello from eu-central-1",
            "MODE": "testing",
            "AWS_ENDPOINT_URL": stack.aws_endpoint,
        }
        assert answer["context"]["function_name"] == "EchoFunction"
        assert 0 < answer["context"]["remaining_ms"] <= 5000

    def test_response_headers_and_multi_value_headers_are_merged(self, stack):
        status, response, _ = request(stack, "GET", "/items")

        assert status == 200
        assert response.headers["X-Single"] == "one"
        assert response.headers.get_all("X-Multi") == ["a", "b"]
        assert response.headers["Content-Type"] == "application/json"

    def test_a_literal_segment_wins_over_a_parameter_and_proxy_takes_the_rest(self, stack):
        assert echo(stack, "GET", "/items/special")["event"]["resource"] == "/items/special"
        assert echo(stack, "GET", "/items/other")["event"]["resource"] == "/items/{id}"

        event = echo(stack, "GET", "/files/a/b%20c.txt")["event"]
        assert event["resource"] == "/files/{proxy+}"
        assert event["path"] == "/files/a/b%20c.txt"
        assert event["pathParameters"] == {"proxy": "a/b c.txt"}

    def test_the_stage_prefixed_path_of_the_execute_api_url_is_served_too(self, stack):
        event = echo(stack, "GET", "/test/items/7")["event"]

        assert event["path"] == "/items/7"
        assert event["requestContext"]["path"] == "/test/items/7"

    def test_a_binary_request_body_is_base64_and_a_json_one_is_text(self, stack):
        binary = echo(stack, "POST", "/items", [("Content-Type", "application/pdf")], PDF)["event"]
        assert binary["isBase64Encoded"] is True
        assert base64.b64decode(binary["body"]) == PDF

        wildcard = echo(stack, "POST", "/items", [("Content-Type", "image/png")], b"\x89PNG")["event"]
        assert wildcard["isBase64Encoded"] is True

        text = echo(stack, "POST", "/items", [("Content-Type", "application/json")], b'{"a": 1}')["event"]
        assert text["isBase64Encoded"] is False
        assert text["body"] == '{"a": 1}'

    @pytest.mark.parametrize(
        ("accept", "binary"),
        [
            ("application/pdf", True),
            ("application/pdf, */*", True),
            ("*/*", False),
            ("text/html, application/pdf", False),
            (None, False),
        ],
    )
    def test_a_binary_response_is_decoded_only_when_the_first_accept_type_matches(self, stack, accept, binary):
        headers = [("Accept", accept)] if accept else []
        status, response, payload = request(stack, "GET", "/items/1/pdf", headers)

        assert status == 200
        assert response.headers["Content-Type"] == "application/pdf"
        assert payload == (PDF if binary else base64.b64encode(PDF))

    @pytest.mark.parametrize(("method", "path"), [("GET", "/nowhere"), ("GET", "/"), ("DELETE", "/items/1/pdf")])
    def test_an_unknown_path_or_method_is_403_missing_authentication_token(self, stack, method, path):
        status, response, payload = request(stack, method, path)

        assert status == 403
        assert json.loads(payload) == {"message": "Missing Authentication Token"}
        assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"

    def test_a_handler_exception_is_502(self, stack):
        status, _, payload = request(stack, "GET", "/items/1?raise=1")

        assert status == 502
        assert json.loads(payload) == {"message": "Internal server error"}

    def test_a_lambda_response_over_6_mb_is_502(self, stack):
        status, _, payload = request(stack, "GET", "/items/1?huge=1")

        assert status == 502
        assert json.loads(payload) == {"message": "Internal server error"}

    def test_a_request_body_over_10_mb_is_413(self, stack):
        body = b"x" * (10 * 1024 * 1024 + 1)
        status, _, _ = request(stack, "POST", "/items", [("Content-Type", "text/plain")], body)

        assert status == 413


def attempts(stack: LocalStack, body: str) -> int:
    item = stack.client("dynamodb").get_item(TableName="DataTable", Key={"PK": {"S": "attempts"}, "SK": {"S": body}})
    return int(item["Item"]["attempts"]["N"]) if "Item" in item else 0


def dead_letters(stack: LocalStack) -> list[str]:
    sqs = stack.client("sqs")
    received = sqs.receive_message(QueueUrl=stack.queue_url("WorkDeadLetterQueue"), MaxNumberOfMessages=10)
    return [message["Body"] for message in received.get("Messages", [])]


class TestSqsDelivery:
    def test_a_message_reaches_the_subscribed_function_as_a_lambda_record(self, stack):
        stack.client("sqs").send_message(
            QueueUrl=stack.queue_url("WorkQueue"),
            MessageBody="hello",
            MessageAttributes={"kind": {"DataType": "String", "StringValue": "greeting"}},
        )

        stack.drain(timeout=10)

        item = stack.client("dynamodb").get_item(
            TableName="DataTable", Key={"PK": {"S": "attempts"}, "SK": {"S": "hello"}}
        )["Item"]
        record = json.loads(item["record"]["S"])
        assert item["attempts"]["N"] == "1"
        assert record["eventSource"] == "aws:sqs"
        assert record["eventSourceARN"] == "arn:aws:sqs:eu-central-1:123456789012:WorkQueue"
        assert record["awsRegion"] == "eu-central-1"
        assert record["messageAttributes"]["kind"]["stringValue"] == "greeting"
        assert record["messageAttributes"]["kind"]["dataType"] == "String"
        assert record["md5OfBody"] == "5d41402abc4b2a76b9719d911017c592"
        assert record["attributes"]["ApproximateReceiveCount"] == "1"
        assert {"messageId", "receiptHandle", "body"} <= record.keys()

    def test_a_reported_failure_is_retried_then_dead_lettered_and_the_rest_deleted(self, stack):
        sqs = stack.client("sqs")
        sqs.send_message(QueueUrl=stack.queue_url("WorkQueue"), MessageBody="fail")
        sqs.send_message(QueueUrl=stack.queue_url("WorkQueue"), MessageBody="fine")

        stack.drain(timeout=20)

        assert attempts(stack, "fail") >= 2  # maxReceiveCount; moto's exact counts differ from AWS
        assert attempts(stack, "fine") == 1
        assert dead_letters(stack) == ["fail"]

    def test_a_handler_exception_deletes_nothing_so_the_batch_is_retried(self, stack):
        stack.client("sqs").send_message(QueueUrl=stack.queue_url("WorkQueue"), MessageBody="raise")

        stack.drain(timeout=20)

        assert attempts(stack, "raise") >= 2
        assert dead_letters(stack) == ["raise"]


class TestPersistence:
    def test_tables_and_buckets_survive_a_restart_and_fresh_starts_empty(self, tmp_path):
        item = {
            "PK": {"S": "org#demo"},
            "SK": {"S": "event#1"},
            "Kind": {"S": "event"},
            "Logo": {"B": b"\x00\xff"},
            "Nested": {"M": {"list": {"L": [{"N": "1"}, {"B": b"\x01"}]}, "tags": {"SS": ["a", "b"]}}},
        }
        environment_before = os.environ.get("AWS_ENDPOINT_URL")

        # Given data written in one run
        with LocalStack(FIXTURE_TEMPLATE, port=0, aws_port=0, state_dir=tmp_path) as first:
            first.client("dynamodb").put_item(TableName="DataTable", Item=item)
            first.client("s3").put_object(
                Bucket=first.physical_name("FilesBucket"), Key="pdf/INV-1.pdf", Body=PDF, ContentType="application/pdf"
            )
        assert os.environ.get("AWS_ENDPOINT_URL") == environment_before
        assert (tmp_path / "snapshot.json").is_file()

        # When the stack starts again on the same state directory, then the data is back
        with LocalStack(FIXTURE_TEMPLATE, port=0, aws_port=0, state_dir=tmp_path) as second:
            items = second.client("dynamodb").scan(TableName="DataTable")["Items"]
            stored = second.client("s3").get_object(Bucket="filesbucket", Key="pdf/INV-1.pdf")
            assert items == [item]
            assert stored["Body"].read() == PDF
            assert stored["ContentType"] == "application/pdf"
            by_kind = second.client("dynamodb").query(
                TableName="DataTable",
                IndexName="ByKind",
                KeyConditionExpression="Kind = :kind",
                ExpressionAttributeValues={":kind": {"S": "event"}},
            )
            assert by_kind["Count"] == 1

        # When started fresh, then it is empty, and its empty state replaces the saved one
        with LocalStack(FIXTURE_TEMPLATE, port=0, aws_port=0, state_dir=tmp_path, fresh=True) as fresh:
            assert fresh.client("dynamodb").scan(TableName="DataTable")["Items"] == []
            assert fresh.client("s3").list_objects_v2(Bucket="filesbucket")["KeyCount"] == 0
        with LocalStack(FIXTURE_TEMPLATE, port=0, aws_port=0, state_dir=tmp_path) as after_fresh:
            assert after_fresh.client("dynamodb").scan(TableName="DataTable")["Items"] == []

    def test_only_one_stack_runs_in_a_process(self, tmp_path):
        with LocalStack(FIXTURE_TEMPLATE, port=0, aws_port=0, persist=False):
            second = LocalStack(FIXTURE_TEMPLATE, port=0, aws_port=0, persist=False)
            with pytest.raises(RuntimeError, match="already running"):
                second.start()


@pytest.mark.parametrize(
    ("header", "binary_media_types", "binary"),
    [
        ("application/pdf", ("application/pdf",), True),
        ("image/png", ("image/*",), True),
        ("application/json", ("application/pdf", "image/*"), False),
        (None, ("application/pdf",), False),
        # `*/*` makes every body binary, whatever the header says, and without one
        ("application/json", ("*/*",), True),
        (None, ("*/*",), True),
    ],
)
def test_which_media_types_api_gateway_treats_as_binary(header, binary_media_types, binary):
    from invoicing_infra.local.apigateway import media_type_matches

    assert media_type_matches(header, binary_media_types) is binary
