"""The embedded local stack against a small fixture template: API Gateway emulation, SQS delivery, persistence,
secrets, fake e-invoicing channels, schedules."""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from invoicing_infra.local import LocalStack
from tests.support.waiting import wait_for

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


# --- Secrets, SES -----------------------------------------------------------------------------------


def secret_value(stack: LocalStack, name: str) -> str:
    return stack.client("secretsmanager").get_secret_value(SecretId=name)["SecretString"]


class TestSecrets:
    def test_secrets_are_created_with_the_template_value_or_a_generated_one(self, stack):
        assert json.loads(secret_value(stack, "SdiChannelSecret"))["region"] == "eu-central-1"  # !Sub resolved

        database = json.loads(secret_value(stack, "DatabaseSecret"))
        assert database["username"] == "app"  # SecretStringTemplate kept, password under GenerateStringKey
        assert len(database["password"]) == 24
        assert database["password"].isalnum()  # ExcludePunctuation

        token = secret_value(stack, "TokenSecret")
        assert len(token) == 40
        assert not any(character.islower() for character in token)  # ExcludeCharacters
        assert secret_value(stack, "TokenSecret") == token  # generated once, at start

    def test_ref_is_the_name_and_arn_is_moto_s(self, stack):
        described = stack.client("secretsmanager").describe_secret(SecretId="DatabaseSecret")

        assert stack.attributes["DatabaseSecret"]["Ref"] == "DatabaseSecret"
        assert stack.attributes["DatabaseSecret"]["Arn"] == described["ARN"]
        assert stack.attributes["DatabaseSecret"]["Id"] == described["ARN"]

    def test_the_channel_secrets_point_at_the_fakes_and_keep_their_other_keys(self, stack):
        peppol = json.loads(secret_value(stack, "PeppolChannelSecret"))
        sdi = json.loads(secret_value(stack, "SdiChannelSecret"))

        assert peppol == {
            "base_url": stack.peppol_access_point.url,
            "api_key": stack.peppol_access_point.api_key,
            "sender_id": "0088:1234567890123",
        }
        assert sdi["base_url"] == stack.sdi_intermediary.url
        assert sdi["api_key"] == stack.sdi_intermediary.api_key
        assert stack.peppol_access_point.url.startswith("http://127.0.0.1:")
        assert stack.channel_secrets == {"peppol": "PeppolChannelSecret", "sdi": "SdiChannelSecret"}

    def test_mail_from_is_a_verified_ses_identity(self, stack):
        from botocore.exceptions import ClientError

        sesv2 = stack.client("sesv2")
        content = {"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}}

        sent = sesv2.send_email(  # the MailFrom parameter's Default, through !Ref in EmailIdentity
            FromEmailAddress="sender@example.com", Destination={"ToAddresses": ["a@example.org"]}, Content=content
        )
        assert sent["MessageId"]
        with pytest.raises(ClientError, match="not verified"):
            sesv2.send_email(
                FromEmailAddress="other@example.com", Destination={"ToAddresses": ["a@example.org"]}, Content=content
            )


# --- Fake channels ----------------------------------------------------------------------------------


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], object]:
    split = urlsplit(url)
    connection = http.client.HTTPConnection(split.hostname, split.port, timeout=10)
    try:
        connection.request("POST", split.path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), json.loads(response.read())
    finally:
        connection.close()


UBL = b'<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'


@pytest.fixture
def peppol():
    from invoicing_infra.local.fake_channels import FakePeppolAccessPoint

    with FakePeppolAccessPoint(api_key="the-key") as fake:
        yield fake


def send_peppol(fake, key: str | None = "attempt-1", api_key: str = "the-key", body: bytes = UBL):
    headers = {
        "Authorization": f"Bearer {api_key}", "Content-Type": "application/xml",
        "X-Peppol-Sender": "0088:111", "X-Peppol-Receiver": "0088:222",
    }
    if key is not None:
        headers["Idempotency-Key"] = key
    return post(fake.url + "/documents", body, headers)


class TestFakeChannels:
    def test_a_function_reaches_the_access_point_through_its_secret(self, stack):
        stack.peppol_access_point.reset()

        result = stack.runner.invoke("SendFunction", {
            "channel": "peppol", "body": UBL.decode(),
            "headers": {"X-Peppol-Sender": "0088:111", "X-Peppol-Receiver": "0088:222", "Idempotency-Key": "a-1"},
        })

        assert result["status"] == 201
        (delivery,) = stack.peppol_access_point.deliveries()
        assert result["answer"] == {"id": delivery.id}
        assert delivery.body == UBL
        assert delivery.path == "/documents"
        assert delivery.header("authorization") == f"Bearer {stack.peppol_access_point.api_key}"
        assert delivery.header("X-Peppol-Receiver") == "0088:222"
        assert delivery.idempotency_key == "a-1"
        assert stack.sdi_intermediary.deliveries() == []

    def test_the_sdi_intermediary_takes_invoices_with_a_filename(self, stack):
        stack.sdi_intermediary.reset()

        result = stack.runner.invoke("SendFunction", {
            "channel": "sdi", "body": "<FatturaElettronica/>",
            "headers": {"X-Filename": "IT01234567890_00001.xml", "Idempotency-Key": "s-1"},
        })
        missing = stack.runner.invoke("SendFunction", {"channel": "sdi", "body": "<FatturaElettronica/>"})

        assert result["status"] == 201
        (delivery,) = stack.sdi_intermediary.deliveries()
        assert (delivery.path, delivery.header("X-Filename"), delivery.text) == (
            "/invoices", "IT01234567890_00001.xml", "<FatturaElettronica/>"
        )
        assert (missing["status"], missing["answer"]) == (400, {"detail": "Missing header X-Filename."})

    def test_a_wrong_api_key_is_401_and_records_nothing(self, peppol):
        status, _, answer = send_peppol(peppol, api_key="wrong")

        assert (status, answer) == (401, {"detail": "Invalid API key."})
        assert peppol.deliveries() == []

    def test_a_repeated_idempotency_key_answers_the_same_id_and_records_once(self, peppol):
        first = send_peppol(peppol, key="attempt-1")
        again = send_peppol(peppol, key="attempt-1")
        other = send_peppol(peppol, key="attempt-2")
        without_a_key = [send_peppol(peppol, key=None) for _ in range(2)]

        assert first[0] == again[0] == other[0] == 201
        assert again[2] == first[2]
        assert other[2] != first[2]
        assert without_a_key[0][2] != without_a_key[1][2]
        assert [delivery.id for delivery in peppol.deliveries()] == [
            first[2]["id"], other[2]["id"], without_a_key[0][2]["id"], without_a_key[1][2]["id"]
        ]

    def test_fail_with_times_fails_that_many_requests_then_accepts(self, peppol):
        peppol.fail_with(503, times=2)

        statuses = [send_peppol(peppol, key="attempt-1") for _ in range(3)]

        assert [status for status, _, _ in statuses] == [503, 503, 201]
        assert statuses[0][2] == {"detail": "Simulated failure (503)."}
        assert statuses[0][1]["Retry-After"] == "1"
        assert len(peppol.deliveries()) == 1  # the failed attempts recorded nothing
        assert peppol.request_count == 3

    def test_fail_with_without_times_fails_until_restored_even_with_a_wrong_key(self, peppol):
        peppol.fail_with(500)

        assert [send_peppol(peppol)[0] for _ in range(3)] == [500, 500, 500]
        assert send_peppol(peppol, api_key="wrong")[0] == 500  # an outage answers before looking at the key

        peppol.fail_with(None)
        assert send_peppol(peppol)[0] == 201

    def test_failures_are_switched_and_reset_over_http(self, peppol):
        status, _, state = post(peppol.url + "/_control", b'{"fail_with": 422, "times": 1}', {})
        assert (status, state) == (200, {"fail_with": 422, "times": 1, "deliveries": 0})

        assert send_peppol(peppol)[0] == 422
        assert send_peppol(peppol)[0] == 201

        assert post(peppol.url + "/_control", b'{"fail_with": 200}', {})[0] == 400
        assert post(peppol.url + "/_control", b"{}", {})[0] == 400
        status, _, state = post(peppol.url + "/_control", b'{"reset": true}', {})
        assert (status, state["deliveries"]) == (200, 0)
        assert peppol.deliveries() == []

    def test_deliveries_are_listed_over_http_without_the_api_key(self, peppol):
        send_peppol(peppol)
        split = urlsplit(peppol.url)
        connection = http.client.HTTPConnection(split.hostname, split.port, timeout=10)
        connection.request("GET", "/_deliveries")
        (listed,) = json.loads(connection.getresponse().read())
        connection.close()

        assert listed["body"] == UBL.decode()
        assert listed["headers"]["X-Peppol-Receiver"] == "0088:222"
        assert "Authorization" not in listed["headers"]

    def test_concurrent_deliveries_are_all_recorded(self, peppol):
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda n: send_peppol(peppol, key=f"attempt-{n % 10}"), range(40)))

        assert all(status == 201 for status, _, _ in answers)
        assert len(peppol.deliveries()) == 10
        assert len({answer["id"] for _, _, answer in answers}) == 10


def test_without_fake_channels_or_timers_the_template_values_stay_and_nothing_runs():
    with LocalStack(FIXTURE_TEMPLATE, port=0, aws_port=0, persist=False, fake_channels=False, run_schedules=False) as local:
        assert json.loads(secret_value(local, "PeppolChannelSecret"))["base_url"] == ""
        assert local.peppol_access_point is None and local.sdi_intermediary is None
        assert local.schedule_runners == []
        assert local.run_schedule("TickFunction", "Tick")["runs"] == 1  # on demand it still runs


def test_stop_stops_the_fake_channels():
    with LocalStack(FIXTURE_TEMPLATE, port=0, aws_port=0, persist=False, run_schedules=False) as local:
        url = local.peppol_access_point.url
        assert post(url + "/_control", b'{"fail_with": null}', {})[0] == 200

    with pytest.raises(OSError, match="Connection refused"):
        post(url + "/_control", b'{"fail_with": null}', {})


# --- Schedules --------------------------------------------------------------------------------------


def tick_runs(stack: LocalStack, kind: str = "Scheduled Event") -> int:
    item = stack.client("dynamodb").get_item(TableName="DataTable", Key={"PK": {"S": "ticks"}, "SK": {"S": kind}})
    return int(item["Item"]["runs"]["N"]) if "Item" in item else 0


class TestSchedules:
    def test_run_schedule_invokes_now_with_an_eventbridge_scheduled_event(self, stack):
        before = tick_runs(stack)

        result = stack.run_schedule("TickFunction", "Tick")

        event = result["event"]
        assert result["runs"] == before + 1 == tick_runs(stack)
        assert event["version"] == "0"
        assert event["detail-type"] == "Scheduled Event"
        assert event["source"] == "aws.events"
        assert (event["account"], event["region"]) == ("123456789012", "eu-central-1")
        assert event["resources"] == ["arn:aws:events:eu-central-1:123456789012:rule/TickFunctionTick"]
        assert event["detail"] == {}
        assert event["id"] and event["id"] != stack.run_schedule("TickFunction", "Tick")["event"]["id"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", event["time"])

    def test_a_schedule_with_input_sends_the_input_even_when_disabled(self, stack):
        assert stack.run_schedule("TickFunction", "Nightly")["event"] == {"job": "nightly"}
        assert tick_runs(stack, "nightly") == 1

    def test_run_schedule_needs_a_scheduled_function_and_the_event_when_it_has_several(self, stack):
        with pytest.raises(ValueError, match="several schedules"):
            stack.run_schedule("TickFunction")
        with pytest.raises(KeyError, match="EchoFunction has no Schedule event"):
            stack.run_schedule("EchoFunction")

    def test_timers_follow_the_template_rate_by_default(self, stack):
        assert [(runner.schedule.event_name, runner.interval) for runner in stack.schedule_runners] == [("Tick", 60.0)]
        assert stack.describe_schedules() == [
            "TickFunction rate(1 minute) (every 60 s)",
            "TickFunction cron(0 3 * * ? *) (disabled)",
        ]


def test_a_schedule_interval_runs_the_enabled_schedules_on_a_timer():
    with LocalStack(FIXTURE_TEMPLATE, port=0, aws_port=0, persist=False, schedule_interval=0.2) as local:
        (runner,) = local.schedule_runners
        wait_for(lambda: tick_runs(local) >= 3, "three timer runs of TickFunction.Tick")

        assert tick_runs(local, "nightly") == 0  # disabled: never on a timer
    assert not runner.is_alive()
    assert local.schedule_runners == []


def test_a_failing_scheduled_run_is_logged_and_the_timer_goes_on(caplog):
    import threading

    from invoicing_infra.local.scheduler import ScheduleRunner
    from invoicing_infra.local.sqs_poller import Activity
    from invoicing_infra.template import ScheduleSpec

    events = []

    def invoke(function_id, event):
        events.append((function_id, event))
        raise RuntimeError("boom")

    stopping = threading.Event()
    runner = ScheduleRunner(
        ScheduleSpec("F", "E", "rate(1 minute)", name="Nightly"), 0.05, "eu-central-1", "123456789012", invoke,
        Activity(), stopping,
    )
    runner.start()
    wait_for(lambda: len(events) >= 3, "three runs of the failing schedule", interval=0.01)
    stopping.set()
    runner.join(5)

    assert {function_id for function_id, _ in events} == {"F"}
    assert events[0][1]["resources"] == ["arn:aws:events:eu-central-1:123456789012:rule/Nightly"]
    assert "F (schedule rate(1 minute)) failed" in caplog.text
    assert not runner.is_alive()
