"""template.yaml wiring: every route and SQS subscription has a handler, every function directory is declared."""

from __future__ import annotations

from pathlib import Path

import pytest

from invoicing_infra.local.environment import EnvironmentConflict, aws_environment, function_environment
from invoicing_infra.local.handlers import HandlerNotFound, add_layer_dirs, load_handler
from invoicing_infra.local.resources import local_attributes
from invoicing_infra.template import Template, load_yaml

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
    assert used, "the template declares no route and no subscription"

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
