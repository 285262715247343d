"""template.yaml's operations: every function has a retained log group and alarms, every queue is watched,
alarms reach one topic, the API logs JSON and is throttled, and every checkov skip says why."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from invoicing_infra.template import Template, TemplateError

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = Template.load(ROOT / "template.yaml")
RESOURCES = TEMPLATE.resources
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"


def _of_type(resource_type: str) -> dict[str, dict]:
    return TEMPLATE.resources_of_type(resource_type)


def _ref(value) -> str | None:
    return value.get("Ref") if isinstance(value, dict) else None


def _alarms() -> dict[str, dict]:
    return _of_type("AWS::CloudWatch::Alarm")


def _alarm_dimension(alarm: dict, name: str):
    return next(d["Value"] for d in alarm["Dimensions"] if d["Name"] == name)


def _queues() -> tuple[set[str], set[str]]:
    """(work queues: those with a RedrivePolicy, their dead-letter queues)."""
    work, dead = set(), set()
    for name, props in _of_type("AWS::SQS::Queue").items():
        if "RedrivePolicy" in props:
            work.add(name)
            dead.add(props["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0])
    return work, dead


def test_every_function_logs_to_its_own_group_kept_log_retention_days():
    functions = TEMPLATE.resources_of_type("AWS::Serverless::Function")
    assert len(functions) >= 11
    groups = set()
    for name, props in functions.items():
        group = _ref(props["LoggingConfig"]["LogGroup"])
        assert RESOURCES[group]["Type"] == "AWS::Logs::LogGroup", name
        assert RESOURCES[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
        groups.add(group)
    assert len(groups) == len(functions)
    assert TEMPLATE.parameters["LogRetentionDays"]["Default"] == 30


def test_every_function_has_an_errors_and_a_throttles_alarm():
    watched = {(_ref(_alarm_dimension(alarm, "FunctionName")), alarm["MetricName"])
               for alarm in _alarms().values() if alarm["Namespace"] == "AWS/Lambda"}
    functions = TEMPLATE.resources_of_type("AWS::Serverless::Function")
    assert "ApiInvoicesFunction" in functions
    for name in functions:
        assert (name, "Errors") in watched and (name, "Throttles") in watched, name


def test_every_dead_letter_queue_alarms_on_one_message_and_every_work_queue_on_age():
    work, dead = _queues()
    assert len(work) == len(dead) == 6
    by_queue = {}
    for alarm in _alarms().values():
        if alarm["Namespace"] == "AWS/SQS":
            queue = _alarm_dimension(alarm, "QueueName")["Fn::GetAtt"][0]
            by_queue.setdefault(queue, []).append(alarm)
    for queue in dead:
        (alarm,) = by_queue[queue]
        assert (alarm["MetricName"], alarm["Threshold"], alarm["ComparisonOperator"]) == (
            "ApproximateNumberOfMessagesVisible", 1, "GreaterThanOrEqualToThreshold")
    for queue in work:
        (alarm,) = by_queue[queue]
        assert alarm["MetricName"] == "ApproximateAgeOfOldestMessage"
        assert TEMPLATE.queues()[queue]["VisibilityTimeout"] < alarm["Threshold"] <= 3600


def test_the_api_alarms_on_5xx_rate_and_p99_latency_of_its_own_stage():
    api = _of_type("AWS::Serverless::Api")["InvoicingApi"]
    api_alarms = {alarm["MetricName"]: alarm for alarm in _alarms().values() if alarm["Namespace"] == "AWS/ApiGateway"}
    assert set(api_alarms) == {"5XXError", "Latency"}
    for alarm in api_alarms.values():
        assert _alarm_dimension(alarm, "ApiName") == api["Name"]
        assert _alarm_dimension(alarm, "Stage") == {"Ref": "Stage"}
    assert api_alarms["5XXError"]["Statistic"] == "Average" and 0 < api_alarms["5XXError"]["Threshold"] < 1
    assert api_alarms["Latency"]["ExtendedStatistic"] == "p99"


def test_every_alarm_notifies_the_one_topic_and_an_email_subscribes_only_when_given():
    functions = TEMPLATE.resources_of_type("AWS::Serverless::Function")
    work, dead = _queues()
    assert len(_alarms()) == 2 * len(functions) + len(work) + len(dead) + 2  # nothing unaccounted for
    for name, alarm in _alarms().items():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
        assert alarm["TreatMissingData"] == "notBreaching", name
    subscription = RESOURCES["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    assert TEMPLATE.parameters["AlarmEmail"]["Default"] == ""
    assert not TEMPLATE.condition("HasAlarmEmail")
    assert Template(TEMPLATE.path, TEMPLATE.data, parameter_values={"AlarmEmail": "ops@example.com"}).condition(
        "HasAlarmEmail")


def test_access_log_is_one_json_object_without_the_authorization_header():
    api = _of_type("AWS::Serverless::Api")["InvoicingApi"]
    setting = api["AccessLogSetting"]
    assert setting["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    assert RESOURCES["ApiAccessLogGroup"]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    record = json.loads(setting["Format"])  # API Gateway fills the $context variables; the shape must be JSON
    assert {"requestId", "ip", "method", "path", "status", "latency"} <= set(record)
    assert record["ip"] == "$context.identity.sourceIp" and record["latency"] == "$context.responseLatency"
    assert "authorization" not in setting["Format"].lower()


def test_the_stage_is_throttled_by_parameters_and_traced():
    api = _of_type("AWS::Serverless::Api")["InvoicingApi"]
    (setting,) = api["MethodSettings"]
    assert (setting["ResourcePath"], setting["HttpMethod"]) == ("/*", "*")
    assert setting["ThrottlingRateLimit"] == {"Ref": "ApiThrottlingRateLimit"}
    assert setting["ThrottlingBurstLimit"] == {"Ref": "ApiThrottlingBurstLimit"}
    assert api["TracingEnabled"] is True
    assert TEMPLATE.data["Globals"]["Function"]["Tracing"] == "Active"


def test_reserved_concurrency_matches_the_queue_driven_concurrency_and_can_be_switched_off():
    functions = TEMPLATE.resources_of_type("AWS::Serverless::Function")
    reserved = {name: props["ReservedConcurrentExecutions"]["Fn::If"] for name, props in functions.items()
                if "ReservedConcurrentExecutions" in props}
    assert set(reserved) == {"TransmitEmailFunction", "TransmitPeppolFunction", "TransmitSdiFunction",
                             "TransmissionSweepFunction"}
    for name, (condition, value, otherwise) in reserved.items():
        assert (condition, otherwise) == ("ReservesConcurrency", {"Ref": "AWS::NoValue"})
        events = [event["Properties"] for event in functions[name]["Events"].values() if event["Type"] == "SQS"]
        # a reservation below the event source's MaximumConcurrency would throttle its own queue
        assert all(value >= event["ScalingConfig"]["MaximumConcurrency"] for event in events), name


def test_the_dashboard_is_json_and_names_only_what_the_template_has():
    body = RESOURCES["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    names = set(re.findall(r"\$\{([^}]+)\}", body))
    for name in names:
        logical = name.split(".", 1)[0]
        assert logical in RESOURCES or logical in TEMPLATE.parameters or logical.startswith("AWS::"), name
    widgets = json.loads(re.sub(r"\$\{[^}]+\}", "x", body))["widgets"]
    titles = " ".join(widget["properties"]["title"] for widget in widgets)
    for shown in ("API", "errors", "throttles", "dead-letter", "Invoices issued", "Transmissions", "PDF renders",
                  "Cold starts"):
        assert shown in titles


def test_every_checkov_skip_gives_its_reason():
    skips = [(name, skip) for name, resource in RESOURCES.items()
             for skip in ((resource.get("Metadata") or {}).get("checkov") or {}).get("skip", [])]
    assert skips
    for name, skip in skips:
        assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"]), (name, skip)
        assert len(skip.get("comment", "")) > 30, (name, skip)


@pytest.mark.skipif(not CHECKOV.exists(), reason="checkov is installed by `make checkov` (.venv-checkov)")
def test_checkov_finds_no_failed_check():
    result = subprocess.run([str(CHECKOV), "--file", str(ROOT / "template.yaml"), "--framework", "cloudformation",
                             "--compact", "--quiet", "--skip-download"], capture_output=True, text=True, timeout=300,
                            check=False)
    assert "Failed checks: 0," in result.stdout, result.stdout[-3000:]
    assert result.returncode == 0


def test_parameter_values_override_defaults_and_unknown_ones_are_refused():
    template = Template(TEMPLATE.path, TEMPLATE.data, parameter_values={"AllowedOrigins": "https://shop.example"})
    assert template.resolve({"Ref": "AllowedOrigins"}) == "https://shop.example"
    assert TEMPLATE.resolve({"Ref": "AllowedOrigins"}) == ""
    with pytest.raises(TemplateError, match="no parameter AllowedOrigin in the template"):
        Template(TEMPLATE.path, TEMPLATE.data, parameter_values={"AllowedOrigin": "x"})
