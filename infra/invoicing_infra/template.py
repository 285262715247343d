"""template.yaml as data: a YAML loader for CloudFormation tags, the SAM shapes the local stack needs, intrinsics."""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_REGION = "eu-central-1"
DEFAULT_ACCOUNT_ID = "123456789012"
# An Api event without RestApiId lands on the API SAM creates implicitly, with this logical ID and stage.
IMPLICIT_API_ID = "ServerlessRestApi"
IMPLICIT_API_STAGE = "Prod"
# SAM's defaults when a function (and Globals) leave them out.
DEFAULT_TIMEOUT = 3
DEFAULT_MEMORY_SIZE = 128
DEFAULT_SQS_BATCH_SIZE = 10


class TemplateError(ValueError):
    """The template cannot be read, or uses something the local stack cannot resolve."""


# --- Loading -------------------------------------------------------------------------------------


class CloudFormationLoader(yaml.SafeLoader):
    """SafeLoader plus the `!Ref`/`!GetAtt`/`!Sub`/... short forms, turned into their long forms."""


# CloudFormation reads `2010-09-09` as a string, not a date.
CloudFormationLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_short_form(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix in ("Ref", "Condition"):
        return {suffix: value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


CloudFormationLoader.add_multi_constructor("!", _construct_short_form)


def load_yaml(text: str) -> dict[str, Any]:
    data = yaml.load(text, Loader=CloudFormationLoader)  # noqa: S506 - a SafeLoader subclass
    if not isinstance(data, dict):
        raise TemplateError("a template must be a YAML mapping")
    return data


# --- SAM shapes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_uri: Path
    handler: str
    environment: dict[str, Any]
    timeout: int
    memory_size: int
    layers: list[Any]
    events: dict[str, Any]

    @property
    def handler_module(self) -> str:
        """The dotted module the Lambda Python runtime imports (`api_docs/app.lambda_handler` -> `api_docs.app`)."""
        return self.handler.rsplit(".", 1)[0].replace("/", ".")

    @property
    def handler_attribute(self) -> str:
        return self.handler.rsplit(".", 1)[1]

    @property
    def handler_file(self) -> Path:
        relative = Path(*self.handler_module.split("."))
        module_file = self.code_uri / relative.with_suffix(".py")
        package_init = self.code_uri / relative / "__init__.py"
        return package_init if package_init.exists() and not module_file.exists() else module_file


@dataclass(frozen=True)
class ApiSpec:
    logical_id: str
    stage: str
    binary_media_types: tuple[str, ...]
    # GatewayResponses: response type (MISSING_AUTHENTICATION_TOKEN, DEFAULT_4XX, ...) -> its properties.
    gateway_responses: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiRoute:
    method: str  # upper case; ANY matches every method
    path: str  # the template path, e.g. /api/v1/organizers/{organizer}/events
    function_id: str
    api_id: str
    event_name: str


@dataclass(frozen=True)
class SqsSubscription:
    function_id: str
    event_name: str
    queue_id: str
    batch_size: int = DEFAULT_SQS_BATCH_SIZE
    maximum_batching_window: float = 0
    report_batch_item_failures: bool = False
    enabled: bool = True
    maximum_concurrency: int | None = None  # ScalingConfig.MaximumConcurrency: batches Lambda runs at once


@dataclass(frozen=True)
class ScheduleSpec:
    """A `Schedule` (EventBridge rule) or `ScheduleV2` (EventBridge Scheduler) event of a function."""

    function_id: str
    event_name: str
    expression: str  # rate(...) or cron(...), as written
    enabled: bool = True
    kind: str = "Schedule"  # or "ScheduleV2"
    name: str = ""  # the rule's (or schedule's) name: the event's Name, else <function><event>
    input: str | None = None  # the event's Input (a JSON string) sent instead of the scheduled event


def _maximum_concurrency(scaling: Any) -> int | None:
    value = scaling.get("MaximumConcurrency") if isinstance(scaling, dict) else None
    return int(value) if value is not None else None


def is_true(value: Any) -> bool:
    """CloudFormation booleans may be YAML booleans or the strings "true"/"false"."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _merge_globals(global_props: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
    """SAM's Globals rules: maps merge key by key, lists concatenate (globals first), scalars are overridden."""
    merged = dict(global_props)
    for key, value in props.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, dict) and not _is_intrinsic(value):
            merged[key] = _merge_globals(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            merged[key] = [*current, *value]
        else:
            merged[key] = value
    return merged


def _is_intrinsic(value: Any) -> bool:
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = next(iter(value))
    return key in ("Ref", "Condition") or key.startswith("Fn::")


def _logical_id_of(value: Any) -> str | None:
    """`!Ref X` or `!GetAtt X.Attr` -> X; anything else -> None."""
    if isinstance(value, dict) and "Ref" in value:
        return value["Ref"]
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return value["Fn::GetAtt"][0]
    return None


@dataclass
class Template:
    path: Path
    data: dict[str, Any]
    region: str = DEFAULT_REGION
    account_id: str = DEFAULT_ACCOUNT_ID
    stack_name: str = "local"
    # Values for parameters, as `sam deploy --parameter-overrides` gives them; the others keep their Default.
    parameter_values: dict[str, str] = field(default_factory=dict)
    _conditions: dict[str, bool] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.parameter_values) - set(self.parameters))
        if unknown:
            raise TemplateError(f"no parameter {', '.join(unknown)} in the template (known: {', '.join(self.parameters)})")

    @classmethod
    def load(cls, path: str | Path, **kwargs: Any) -> Template:
        path = Path(path).resolve()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise TemplateError(f"cannot read {path}: {exc}") from exc
        return cls(path=path, data=load_yaml(text), **kwargs)

    @property
    def root(self) -> Path:
        """The directory CodeUri and ContentUri are relative to."""
        return self.path.parent

    # --- Sections ---

    @property
    def parameters(self) -> dict[str, Any]:
        return self.data.get("Parameters") or {}

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.data.get("Resources") or {}

    def resources_of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        """Logical ID -> Properties of every resource of that type, in template order."""
        return {
            logical_id: resource.get("Properties") or {}
            for logical_id, resource in self.resources.items()
            if resource.get("Type") == resource_type
        }

    def resource_type(self, logical_id: str) -> str | None:
        return (self.resources.get(logical_id) or {}).get("Type")

    def tables(self) -> dict[str, dict[str, Any]]:
        return self.resources_of_type("AWS::DynamoDB::Table")

    def buckets(self) -> dict[str, dict[str, Any]]:
        return self.resources_of_type("AWS::S3::Bucket")

    def queues(self) -> dict[str, dict[str, Any]]:
        return self.resources_of_type("AWS::SQS::Queue")

    def secrets(self) -> dict[str, dict[str, Any]]:
        return self.resources_of_type("AWS::SecretsManager::Secret")

    def _globals(self, section: str) -> dict[str, Any]:
        return (self.data.get("Globals") or {}).get(section) or {}

    # --- Functions ---

    def functions(self) -> dict[str, FunctionSpec]:
        global_props = self._globals("Function")
        specs = {}
        for logical_id, own_props in self.resources_of_type("AWS::Serverless::Function").items():
            props = _merge_globals(global_props, own_props)
            code_uri, handler = props.get("CodeUri"), props.get("Handler")
            if not isinstance(code_uri, str) or not isinstance(handler, str) or "." not in handler:
                raise TemplateError(f"{logical_id}: a local CodeUri (a path) and a Handler module.attribute are needed")
            specs[logical_id] = FunctionSpec(
                logical_id=logical_id,
                code_uri=(self.root / code_uri).resolve(),
                handler=handler,
                environment=dict((props.get("Environment") or {}).get("Variables") or {}),
                timeout=int(self.resolve(props.get("Timeout", DEFAULT_TIMEOUT))),
                memory_size=int(self.resolve(props.get("MemorySize", DEFAULT_MEMORY_SIZE))),
                layers=list(props.get("Layers") or []),
                events=dict(own_props.get("Events") or {}),
            )
        return specs

    def layer_dirs(self, function: FunctionSpec) -> list[Path]:
        """`<ContentUri>/python` of each layer of the template the function uses (what Lambda puts on sys.path)."""
        dirs = []
        for layer in function.layers:
            logical_id = _logical_id_of(layer)
            resource = self.resources.get(logical_id or "") or {}
            if resource.get("Type") not in ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion"):
                continue
            props = resource.get("Properties") or {}
            content_uri = props.get("ContentUri") or props.get("Content")
            if isinstance(content_uri, str):
                python_dir = (self.root / content_uri / "python").resolve()
                if python_dir.is_dir():
                    dirs.append(python_dir)
        return dirs

    # --- API ---

    def apis(self) -> dict[str, ApiSpec]:
        """Every AWS::Serverless::Api (Globals.Api merged), plus the implicit API when an event uses it."""
        global_props = self._globals("Api")
        declared = {
            logical_id: _merge_globals(global_props, props)
            for logical_id, props in self.resources_of_type("AWS::Serverless::Api").items()
        }
        if any(route.api_id == IMPLICIT_API_ID for route in self._routes()):
            declared.setdefault(IMPLICIT_API_ID, {**global_props, "StageName": IMPLICIT_API_STAGE})
        return {
            logical_id: ApiSpec(
                logical_id=logical_id,
                stage=str(self.resolve(props.get("StageName", IMPLICIT_API_STAGE))),
                # SAM escapes "/" as "~1" in BinaryMediaTypes.
                binary_media_types=tuple(
                    str(media_type).replace("~1", "/")
                    for media_type in self.resolve(props.get("BinaryMediaTypes") or [])
                ),
                gateway_responses=dict(self.resolve(props.get("GatewayResponses") or {})),
            )
            for logical_id, props in declared.items()
        }

    def _routes(self) -> list[ApiRoute]:
        routes = []
        for function in self.functions().values():
            for event_name, event in function.events.items():
                if (event or {}).get("Type") != "Api":
                    continue
                props = event.get("Properties") or {}
                api_id = _logical_id_of(props.get("RestApiId")) if "RestApiId" in props else IMPLICIT_API_ID
                if api_id is None:
                    raise TemplateError(f"{function.logical_id}.{event_name}: RestApiId must be a !Ref to an Api")
                routes.append(
                    ApiRoute(
                        method=str(props.get("Method", "ANY")).upper(),
                        path=str(props["Path"]),
                        function_id=function.logical_id,
                        api_id=api_id,
                        event_name=event_name,
                    )
                )
        return routes

    def api_routes(self) -> list[ApiRoute]:
        return self._routes()

    # --- SQS ---

    def sqs_subscriptions(self) -> list[SqsSubscription]:
        subscriptions = []
        for function in self.functions().values():
            for event_name, event in function.events.items():
                if (event or {}).get("Type") != "SQS":
                    continue
                props = event.get("Properties") or {}
                response_types = props.get("FunctionResponseTypes") or []
                queue_id = _logical_id_of(props.get("Queue"))
                if queue_id is None or self.resource_type(queue_id) != "AWS::SQS::Queue":
                    raise TemplateError(
                        f"{function.logical_id}.{event_name}: Queue must be !GetAtt <Queue>.Arn of a template queue"
                    )
                subscriptions.append(
                    SqsSubscription(
                        function_id=function.logical_id,
                        event_name=event_name,
                        queue_id=queue_id,
                        batch_size=int(self.resolve(props.get("BatchSize", DEFAULT_SQS_BATCH_SIZE))),
                        maximum_batching_window=float(self.resolve(props.get("MaximumBatchingWindowInSeconds", 0))),
                        report_batch_item_failures="ReportBatchItemFailures" in response_types,
                        enabled=is_true(self.resolve(props.get("Enabled", True))),
                        maximum_concurrency=_maximum_concurrency(self.resolve(props.get("ScalingConfig") or {})),
                    )
                )
        return subscriptions

    # --- Schedules ---

    def schedules(self) -> list[ScheduleSpec]:
        """Every `Schedule` and `ScheduleV2` event, in template order.

        Disabled when `Enabled: false` or `State: DISABLED` (Schedule) or `State: DISABLED` (ScheduleV2).
        """
        schedules = []
        for function in self.functions().values():
            for event_name, event in function.events.items():
                kind = (event or {}).get("Type")
                if kind not in ("Schedule", "ScheduleV2"):
                    continue
                props = event.get("Properties") or {}
                key = "Schedule" if kind == "Schedule" else "ScheduleExpression"
                expression = self.resolve(props.get(key))
                if not isinstance(expression, str) or not expression.strip():
                    raise TemplateError(f"{function.logical_id}.{event_name}: {kind} needs a {key} expression")
                state = str(self.resolve(props.get("State", "ENABLED"))).upper()
                enabled = state != "DISABLED" and not (
                    "Enabled" in props and not is_true(self.resolve(props["Enabled"]))
                )
                name = self.resolve(props.get("Name")) or f"{function.logical_id}{event_name}"
                event_input = self.resolve(props.get("Input"))
                schedules.append(
                    ScheduleSpec(
                        function_id=function.logical_id,
                        event_name=event_name,
                        expression=expression.strip(),
                        enabled=enabled,
                        kind=kind,
                        name=str(name),
                        input=None if event_input is None else str(event_input),
                    )
                )
        return schedules

    # --- Intrinsics ---

    def resolve(self, value: Any, attributes: Mapping[str, Mapping[str, Any]] | None = None) -> Any:
        """Resolves intrinsics in `value`.

        `attributes` maps a logical ID to its physical values: "Ref" for `!Ref`, attribute names ("Arn",
        "QueueUrl", ...) for `!GetAtt`. A `!Ref` to a parameter not in `attributes` gives its Default.
        """
        resolved = self._resolve(value, attributes or {})
        return None if resolved is _NO_VALUE else resolved

    def _resolve(self, value: Any, attributes: Mapping[str, Mapping[str, Any]]) -> Any:
        if isinstance(value, list):
            items = (self._resolve(item, attributes) for item in value)
            return [item for item in items if item is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref":
                return self._ref(arg, attributes)
            if key.startswith("Fn::"):
                return self._function(key[4:], arg, attributes)
        items = ((key, self._resolve(item, attributes)) for key, item in value.items())
        return {key: item for key, item in items if item is not _NO_VALUE}

    def _pseudo_parameters(self) -> dict[str, Any]:
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self.stack_name,
            "AWS::StackId": f"arn:aws:cloudformation:{self.region}:{self.account_id}:stack/{self.stack_name}/local",
            "AWS::NotificationARNs": [],
            "AWS::NoValue": _NO_VALUE,
        }

    def _ref(self, name: str, attributes: Mapping[str, Mapping[str, Any]]) -> Any:
        pseudo = self._pseudo_parameters()
        if name in pseudo:
            return pseudo[name]
        if name in attributes and "Ref" in attributes[name]:
            return attributes[name]["Ref"]
        if name in self.parameters:
            if name in self.parameter_values:
                return self.parameter_values[name]
            if "Default" not in self.parameters[name]:
                raise TemplateError(f"parameter {name} has no Default, so it has no local value")
            return self.parameters[name]["Default"]
        if name in self.resources:
            raise TemplateError(f"no local value for !Ref {name} ({self.resource_type(name)})")
        raise TemplateError(f"!Ref {name}: no such parameter or resource")

    def _get_att(self, logical_id: str, attribute: str, attributes: Mapping[str, Mapping[str, Any]]) -> Any:
        if logical_id not in self.resources:
            raise TemplateError(f"!GetAtt {logical_id}.{attribute}: no such resource")
        try:
            return attributes[logical_id][attribute]
        except KeyError:
            raise TemplateError(
                f"no local value for !GetAtt {logical_id}.{attribute} ({self.resource_type(logical_id)})"
            ) from None

    def _function(self, name: str, arg: Any, attributes: Mapping[str, Mapping[str, Any]]) -> Any:
        if name == "GetAtt":
            logical_id, attribute = arg if isinstance(arg, list) else str(arg).split(".", 1)
            return self._get_att(logical_id, self._resolve(attribute, attributes), attributes)
        if name == "Sub":
            template, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
            variables = self._resolve(variables, attributes)
            return self._sub(template, variables, attributes)
        if name == "If":
            condition, if_true, if_false = arg
            return self._resolve(if_true if self.condition(condition) else if_false, attributes)
        if name == "Base64":
            return base64.b64encode(str(self._resolve(arg, attributes)).encode()).decode()
        if name == "GetAZs":
            return [f"{self.region}{zone}" for zone in "abc"]
        if name in _FUNCTIONS_OF_VALUES:
            return _FUNCTIONS_OF_VALUES[name](self, self._resolve(arg, attributes))
        if name in ("Equals", "Not", "And", "Or"):
            return self._evaluate_condition({f"Fn::{name}": arg})
        raise TemplateError(f"Fn::{name} is not supported by the local stack")

    def _sub(self, template: str, variables: Mapping[str, Any], attributes: Mapping[str, Mapping[str, Any]]) -> str:
        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name and name.split(".", 1)[0] in self.resources:
                return str(self._get_att(*name.split(".", 1), attributes))
            return str(self._ref(name, attributes))

        return re.sub(r"\$\{([^}]+)\}", replace, template)

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            conditions = self.data.get("Conditions") or {}
            if name not in conditions:
                raise TemplateError(f"no condition named {name}")
            self._conditions[name] = self._evaluate_condition(conditions[name])
        return self._conditions[name]

    def _evaluate_condition(self, value: Any) -> bool:
        (key, arg), = value.items()
        if key == "Condition":
            return self.condition(arg)
        if key == "Fn::Equals":
            left, right = (self.resolve(item) for item in arg)
            return str(left) == str(right)
        if key == "Fn::Not":
            return not self._evaluate_condition(arg[0])
        if key == "Fn::And":
            return all(self._evaluate_condition(item) for item in arg)
        if key == "Fn::Or":
            return any(self._evaluate_condition(item) for item in arg)
        raise TemplateError(f"unsupported condition {key}")


_NO_VALUE: Any = type("NoValue", (), {"__repr__": lambda self: "AWS::NoValue"})()


def _find_in_map(template: Template, arg: list[Any]) -> Any:
    mapping, first, second = arg
    try:
        return template.data["Mappings"][mapping][first][second]
    except KeyError:
        raise TemplateError(f"Fn::FindInMap {arg}: not found") from None


_FUNCTIONS_OF_VALUES = {
    "Join": lambda template, arg: str(arg[0]).join(str(item) for item in arg[1]),
    "Select": lambda template, arg: arg[1][int(arg[0])],
    "Split": lambda template, arg: str(arg[1]).split(str(arg[0])),
    "FindInMap": _find_in_map,
}
