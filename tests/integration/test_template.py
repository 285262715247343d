"""template.yaml wiring: every route, SQS subscription and schedule has a handler, every function directory is
declared; schedules and secrets as the local stack reads them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from invoicing_infra.local.environment import EnvironmentConflict, aws_environment, function_environment
from invoicing_infra.local.handlers import HandlerNotFound, add_layer_dirs, load_handler
from invoicing_infra.local.resources import local_attributes, random_password, secret_string
from invoicing_infra.local.scheduler import parse_rate
from invoicing_infra.template import ScheduleSpec, Template, TemplateError, load_yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FIXTURE_TEMPLATE = PROJECT_ROOT / "tests" / "fixtures" / "local_stack" / "template.yaml"
TEMPLATES = pytest.mark.parametrize(
    "template_path", [PROJECT_ROOT / "template.yaml", FIXTURE_TEMPLATE], ids=["template.yaml", "fixture"]
)


@TEMPLATES
def test_every_route_and_subscription_resolves_to_an_importable_handler(template_path, monkeypatch):
    template = Template.load(template_path)
    functions = template.functions()
    # Importing a handler may read its configuration: give it the environment it gets locally.
    environment = {
        **aws_environment("http://127.0.0.1:9", template.region),
        **function_environment(template, functions.values(), local_attributes(template, "http://127.0.0.1:9")),
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    used = {route.function_id for route in template.api_routes()}
    used |= {subscription.function_id for subscription in template.sqs_subscriptions()}
    used |= {schedule.function_id for schedule in template.schedules()}
    assert used, "the template declares no route, subscription or schedule"

    problems = []
    for function_id in sorted(used):
        function = functions[function_id]
        add_layer_dirs(template.layer_dirs(function))
        try:
            load_handler(function)
        except HandlerNotFound as exc:
            problems.append(str(exc))
        except Exception as exc:
            problems.append(f"{function_id}: importing {function.handler_file} failed: {exc!r}")
    assert not problems, "\n".join(problems)


@TEMPLATES
def test_every_function_directory_is_declared_in_the_template(template_path):
    template = Template.load(template_path)
    declared = {function.handler_file for function in template.functions().values()}

    on_disk = set((template.root / "functions").glob("*/app.py"))

    assert on_disk <= declared, f"not in {template_path.name}: {sorted(map(str, on_disk - declared))}"


def test_routes_subscriptions_and_resources_are_read_from_the_template():
    template = Template.load(FIXTURE_TEMPLATE)

    routes = {(route.method, route.path): route.function_id for route in template.api_routes()}
    assert routes == {
        ("ANY", "/items"): "EchoFunction",
        ("ANY", "/items/{id}"): "EchoFunction",
        ("GET", "/items/special"): "EchoFunction",
        ("GET", "/files/{proxy+}"): "EchoFunction",
        ("GET", "/items/{id}/pdf"): "BinaryFunction",
    }
    (subscription,) = template.sqs_subscriptions()
    assert (subscription.function_id, subscription.queue_id, subscription.batch_size) == (
        "WorkerFunction", "WorkQueue", 5
    )
    assert subscription.report_batch_item_failures
    assert list(template.tables()) == ["DataTable"]
    assert list(template.buckets()) == ["FilesBucket"]
    assert list(template.queues()) == ["WorkQueue", "WorkDeadLetterQueue"]
    assert list(template.secrets()) == ["PeppolChannelSecret", "SdiChannelSecret", "DatabaseSecret", "TokenSecret"]
    (api,) = template.apis().values()
    assert (api.stage, api.binary_media_types) == ("test", ("application/pdf", "image/*"))
    binary = template.functions()["BinaryFunction"]
    assert (binary.handler_module, binary.handler_attribute) == ("binary.app", "lambda_handler")
    assert binary.handler_file == FIXTURE_TEMPLATE.parent / "functions" / "binary" / "app.py"
    assert binary.timeout == 5


def test_short_and_long_intrinsic_forms_resolve_alike():
    template = Template(
        path=PROJECT_ROOT / "template.yaml",
        data=load_yaml(
            """
            Parameters:
              Stage: {Type: String, Default: prod}
            Conditions:
              IsProd: !Equals [!Ref Stage, prod]
              IsNotProd: {"Fn::Not": [{Condition: IsProd}]}
            Resources:
              Queue: {Type: AWS::SQS::Queue}
            Outputs:
              Short:
                - !GetAtt Queue.Arn
                - !Sub "${Queue.QueueName}-${Stage}-${AWS::Region}-${!Literal}"
                - !Sub ["${Name}/x", {Name: !Ref Queue}]
                - !Join ["-", [a, !Ref Stage]]
                - !Select [1, !Split [",", "a,b,c"]]
                - !If [IsProd, yes-prod, not-prod]
                - !If [IsNotProd, !Ref Stage, !Ref AWS::NoValue]
              Long:
                - {"Fn::GetAtt": [Queue, Arn]}
                - {"Fn::Sub": "${Queue.QueueName}-${Stage}-${AWS::Region}-${!Literal}"}
                - {"Fn::Sub": ["${Name}/x", {Name: {Ref: Queue}}]}
                - {"Fn::Join": ["-", [a, {Ref: Stage}]]}
                - {"Fn::Select": [1, {"Fn::Split": [",", "a,b,c"]}]}
                - {"Fn::If": [IsProd, yes-prod, not-prod]}
                - {"Fn::If": [IsNotProd, {Ref: Stage}, {Ref: AWS::NoValue}]}
            """
        ),
    )
    queue = {"Queue": {"Ref": "http://q/Queue", "Arn": "arn:queue", "QueueName": "Queue"}}
    expected = ["arn:queue", "Queue-prod-eu-central-1-${Literal}", "http://q/Queue/x", "a-prod", "b", "yes-prod"]

    assert template.resolve(template.data["Outputs"]["Short"], queue) == expected
    assert template.resolve(template.data["Outputs"]["Long"], queue) == expected


def test_two_functions_giving_one_variable_different_values_is_an_error():
    template = Template(
        path=PROJECT_ROOT / "template.yaml",
        data=load_yaml(
            """
            Resources:
              A:
                Type: AWS::Serverless::Function
                Properties: {CodeUri: a/, Handler: app.handler, Environment: {Variables: {MODE: one, SAME: x}}}
              B:
                Type: AWS::Serverless::Function
                Properties: {CodeUri: b/, Handler: app.handler, Environment: {Variables: {MODE: two, SAME: x}}}
            """
        ),
    )

    with pytest.raises(EnvironmentConflict, match="A sets MODE='one' but B sets MODE='two'"):
        function_environment(template, template.functions().values(), {})


def test_schedules_are_read_from_the_template():
    template = Template.load(FIXTURE_TEMPLATE)

    assert template.schedules() == [
        ScheduleSpec("TickFunction", "Tick", "rate(1 minute)", enabled=True, kind="Schedule", name="TickFunctionTick"),
        ScheduleSpec(
            "TickFunction", "Nightly", "cron(0 3 * * ? *)", enabled=False, kind="ScheduleV2",
            name="TickFunctionNightly", input='{"job": "nightly"}',
        ),
    ]


@pytest.mark.parametrize(("template_path", "expected"), [
    # the transmission sweep every 5 minutes, the webhook outbox sweep every minute
    (PROJECT_ROOT / "template.yaml", {("TransmissionSweepFunction", "Sweep"): 300.0,
                                      ("WebhookDeliveryFunction", "OutboxSweep"): 60.0}),
    (FIXTURE_TEMPLATE, {("TickFunction", "Tick"): 60.0, ("TickFunction", "Nightly"): None}),  # cron: no interval
], ids=["template.yaml", "fixture"])
def test_every_schedule_expression_is_one_the_local_stack_understands(template_path, expected):
    schedules = Template.load(template_path).schedules()

    # parse_rate raises TemplateError for an expression it does not understand
    assert {(s.function_id, s.event_name): parse_rate(s.expression) for s in schedules} == expected


def test_enabled_state_and_name_of_schedule_events():
    template = Template(
        path=PROJECT_ROOT / "template.yaml",
        data=load_yaml(
            """
            Parameters:
              SweepOn: {Type: String, Default: "false"}
            Resources:
              F:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: f/
                  Handler: app.handler
                  Events:
                    Paused: {Type: Schedule, Properties: {Schedule: rate(2 hours), Enabled: !Ref SweepOn}}
                    Disabled: {Type: Schedule, Properties: {Schedule: rate(1 day), State: DISABLED}}
                    Named: {Type: Schedule, Properties: {Schedule: rate(3 days), Name: nightly-sweep}}
                    V2: {Type: ScheduleV2, Properties: {ScheduleExpression: rate(10 minutes), State: ENABLED}}
                    Queue: {Type: SQS, Properties: {Queue: !GetAtt Q.Arn}}
              Q: {Type: AWS::SQS::Queue}
            """
        ),
    )

    schedules = {schedule.event_name: schedule for schedule in template.schedules()}

    assert {name: schedule.enabled for name, schedule in schedules.items()} == {
        "Paused": False, "Disabled": False, "Named": True, "V2": True
    }
    assert schedules["Named"].name == "nightly-sweep"
    assert (schedules["V2"].kind, schedules["V2"].expression, schedules["V2"].name) == (
        "ScheduleV2", "rate(10 minutes)", "FV2"
    )


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [
        ("rate(1 minute)", 60),
        ("rate(5 minutes)", 300),
        ("rate(1 hour)", 3600),
        ("rate(2 hours)", 7200),
        ("rate(1 day)", 86400),
        ("rate(3 days)", 3 * 86400),
        (" rate( 15 minutes ) ", 900),
        ("cron(0 3 * * ? *)", None),
        ("cron(0/15 * ? * MON-FRI *)", None),
    ],
)
def test_rate_expressions_give_an_interval_and_cron_ones_none(expression, seconds):
    assert parse_rate(expression) == seconds


@pytest.mark.parametrize(
    ("expression", "message"),
    [("rate(1 minutes)", "EventBridge rejects it; write rate(1 minute)"),
     ("rate(5 minute)", "EventBridge rejects it; write rate(5 minutes)"),
     ("rate(0 minutes)", "the rate must be at least 1"), ("rate(2 weeks)", "the unit is minute(s), hour(s) or day(s)"),
     ("rate(minutes)", "is neither rate("), ("cron(0 3 * * ?)", "a cron expression has 6 fields"),
     ("every 5 minutes", "is neither rate("), ("", "is neither rate(")],
)
def test_expressions_eventbridge_rejects_are_template_errors(expression, message):
    with pytest.raises(TemplateError, match=re.escape(message)):
        parse_rate(expression)


def test_a_secret_s_ref_is_its_logical_id():
    template = Template.load(FIXTURE_TEMPLATE)

    attributes = local_attributes(template, "http://127.0.0.1:9")

    assert attributes["PeppolChannelSecret"]["Ref"] == "PeppolChannelSecret"
    assert attributes["PeppolChannelSecret"]["Arn"].startswith("arn:aws:secretsmanager:eu-central-1:123456789012:secret:")
    assert template.resolve({"Ref": "PeppolChannelSecret"}, attributes) == "PeppolChannelSecret"


def test_generated_secrets_follow_the_generate_secret_string_options():
    template = Template.load(FIXTURE_TEMPLATE)

    default = random_password({})
    digits_only = random_password({"ExcludeLowercase": True, "ExcludeUppercase": "true", "ExcludePunctuation": True,
                                   "PasswordLength": 12})
    each_kind = [random_password({"PasswordLength": 4, "ExcludeCharacters": "0123456789"}) for _ in range(50)]
    value = secret_string(template, {"GenerateSecretString": {
        "SecretStringTemplate": '{"user": "u"}', "GenerateStringKey": "pw", "PasswordLength": 8}}, {})

    assert len(default) == 32
    assert len(digits_only) == 12 and digits_only.isdigit()
    for password in each_kind:  # RequireEachIncludedType: lower, upper, punctuation (digits excluded)
        assert any(c.islower() for c in password) and any(c.isupper() for c in password)
        assert any(not c.isalnum() for c in password) and not any(c.isdigit() for c in password)
    assert json.loads(value)["user"] == "u" and len(json.loads(value)["pw"]) == 8
    with pytest.raises(TemplateError, match="go together"):
        secret_string(template, {"GenerateSecretString": {"GenerateStringKey": "pw"}}, {})
    with pytest.raises(TemplateError, match="no characters"):
        random_password({"ExcludeLowercase": True, "ExcludeUppercase": True, "ExcludeNumbers": True,
                         "ExcludePunctuation": True})


def test_the_email_function_may_send_only_as_the_stacks_identities():
    """Issue 10 / issue 9 (9): no `ses:SendEmail` on `*` without a condition; MailFrom by its From address,
    organizer identities only when tagged for this stack, the billing sender never."""
    template = Template.load(PROJECT_ROOT / "template.yaml")
    policies = template.resources["TransmitEmailFunction"]["Properties"]["Policies"]
    statements = [statement for policy in policies if isinstance(policy, dict)
                  for statement in policy.get("Statement", [])]
    sending = [s for s in statements if {"ses:SendEmail", "ses:SendRawEmail"} & set(
        s["Action"] if isinstance(s["Action"], list) else [s["Action"]])]

    assert len(sending) == 2
    platform, organizers = sending
    assert platform["Condition"] == {"StringEquals": {"ses:FromAddress": {"Ref": "MailFrom"}}}
    assert organizers["Condition"]["StringEquals"] == {"aws:ResourceTag/invoicing:stack": {"Ref": "AWS::StackName"}}
    assert {"Ref": "BillingSenderAddress"} in organizers["Condition"]["StringNotEquals"]["ses:FromAddress"]
    assert all(statement.get("Resource") != "*" for statement in sending)


def test_export_files_are_deleted_by_s3_after_their_download_expired():
    """An export answers 404 after `jobs.EXPIRES`; a lifecycle rule on its prefix deletes every version later."""
    from invoicing.exports import jobs

    template = Template.load(PROJECT_ROOT / "template.yaml")
    rules = template.resources["FilesBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    exports = [rule for rule in rules if rule.get("Prefix") == "exports/"]

    assert len(exports) == 1 and exports[0]["Status"] == "Enabled"
    assert exports[0]["ExpirationInDays"] * 24 > jobs.EXPIRES.total_seconds() / 3600
    assert exports[0]["NoncurrentVersionExpirationInDays"] >= 1
    # Only the export files: no other rule expires current objects (PDFs and e-invoices are kept).
    assert [rule for rule in rules if "ExpirationInDays" in rule] == exports


def test_only_the_functions_that_sign_cursors_may_read_the_generated_cursor_key():
    """Issue 17: the cursor key is a generated secret (not derived from anything a client knows), passed by ARN
    to the API functions that page through DynamoDB, each allowed GetSecretValue on that one secret only."""
    template = Template.load(PROJECT_ROOT / "template.yaml")
    secret = template.resources["CursorSecret"]
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    assert secret["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32 and "SecretString" not in secret["Properties"]

    given = {name for name, function in template.functions().items()
             if function.environment.get("CURSOR_SECRET_ARN") == {"Ref": "CursorSecret"}}
    readers = {name for name, resource in template.resources.items()
               if resource["Type"] == "AWS::Serverless::Function" and "CursorSecret" in json.dumps(
                   resource["Properties"].get("Policies", []))}
    assert given == readers == {"ApiOrdersFunction", "ApiInvoicesFunction", "ApiBillingFunction", "ApiWebhooksFunction"}
    for name in readers:
        policies = template.resources[name]["Properties"]["Policies"]
        assert {"AWSSecretsManagerGetSecretValuePolicy": {"SecretArn": {"Ref": "CursorSecret"}}} in policies


def test_sqs_subscriptions_carry_their_maximum_concurrency():
    subscriptions = {subscription.function_id: subscription
                     for subscription in Template.load(PROJECT_ROOT / "template.yaml").sqs_subscriptions()}
    assert subscriptions["WebhookDeliveryFunction"].maximum_concurrency == 10
    assert subscriptions["TransmitEmailFunction"].maximum_concurrency == 5
