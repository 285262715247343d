"""Where the bootstrap commands write: a running local stack (`--local`) or a deployed stack (`--stack NAME`).

A target is applied by setting the process environment the domain modules read (TABLE_NAME, the AWS
endpoint and credentials) and then forgetting the cached configuration and DynamoDB client, so that the
next domain call goes to the chosen tables.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .template import Template, TemplateError

TEMPLATE_FILE = "template.yaml"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_AWS_PORT = 5000
# The stack outputs that name the tables, and the variables the domain reads them from.
TABLE_OUTPUTS = {"TableName": "TABLE_NAME", "IdempotencyTableName": "IDEMPOTENCY_TABLE_NAME"}
# Outputs a stack of an older template may lack; the commands that need them say so (config.ConfigurationError).
OPTIONAL_OUTPUTS = {"CursorSecretArn": "CURSOR_SECRET_ARN"}
# What the local stack's moto accepts; real credentials must never be sent to it.
_FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
# Settings that would send boto3 elsewhere than the local endpoint.
_LOCAL_VARIABLES_TO_CLEAR = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")


class TargetError(RuntimeError):
    """The target cannot be reached or described; the message is meant for the user as it is."""


def project_root() -> Path:
    """The directory holding template.yaml: the source checkout of this package, else the current directory or a parent."""
    package_root = Path(__file__).resolve().parents[2]  # infra/invoicing_infra/targets.py -> the checkout
    cwd = Path.cwd().resolve()
    for candidate in (package_root, cwd, *cwd.parents):
        if (candidate / TEMPLATE_FILE).is_file():
            return candidate
    raise TargetError(f"{TEMPLATE_FILE} not found (looked next to the package and in {cwd} and its parents)")


def load_template() -> Template:
    try:
        return Template.load(project_root() / TEMPLATE_FILE)
    except TemplateError as exc:
        raise TargetError(str(exc)) from exc


@dataclass
class Target:
    """A resolved target: a description for messages and the environment to apply."""

    description: str
    environment: dict[str, str]
    clear: tuple[str, ...] = field(default=())

    def apply(self) -> None:
        for name in self.clear:
            os.environ.pop(name, None)
        os.environ.update(self.environment)
        reset_domain_clients()


def reset_domain_clients() -> None:
    """Forget the domain's cached configuration, DynamoDB client and token cache (after the environment changed)."""
    from invoicing import access, config
    from invoicing.storage import dynamo, events

    config.reset()
    dynamo.reset()
    access.clear_cache()
    events.forget()


# --- Local -----------------------------------------------------------------------------------------


def local_table_names(template: Template, endpoint: str) -> dict[str, str]:
    """TABLE_NAME etc. as the local stack names the tables: the template's table outputs, resolved locally."""
    from .local.resources import local_attributes

    attributes = local_attributes(template, endpoint)
    outputs = template.data.get("Outputs") or {}
    names = {}
    for output, variable in {**TABLE_OUTPUTS, **OPTIONAL_OUTPUTS}.items():
        if output not in outputs:
            if output in OPTIONAL_OUTPUTS:
                continue
            raise TargetError(f"{template.path} has no output {output}")
        try:
            names[variable] = str(template.resolve(outputs[output]["Value"], attributes))
        except TemplateError as exc:
            raise TargetError(f"output {output}: {exc}") from exc
    return names


def _listening(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def local_target(aws_port: int = DEFAULT_AWS_PORT, host: str = DEFAULT_HOST, check: bool = True) -> Target:
    """The local stack's moto on `host:aws_port`; with `check`, fails unless something listens there."""
    endpoint = f"http://{host}:{aws_port}"
    if check and not _listening(host, aws_port):
        raise TargetError(f"no local stack is running on {host}:{aws_port} (start one with `invoicing local`)")
    template = load_template()
    environment = {
        **_FAKE_CREDENTIALS,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_DEFAULT_REGION": template.region,
        "AWS_REGION": template.region,
        **local_table_names(template, endpoint),
    }
    clear = (*_LOCAL_VARIABLES_TO_CLEAR, *(name for name in os.environ if name.startswith("AWS_ENDPOINT_URL_")))
    return Target(description=f"the local stack at {endpoint}", environment=environment, clear=clear)


def check_local_tables(target: Target) -> None:
    """Fails clearly when the endpoint answers but is not a local stack with our tables."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    table = target.environment["TABLE_NAME"]
    client = boto3.client(
        "dynamodb",
        endpoint_url=target.environment["AWS_ENDPOINT_URL"],
        region_name=target.environment["AWS_DEFAULT_REGION"],
        aws_access_key_id=_FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=_FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=_FAKE_CREDENTIALS["AWS_SESSION_TOKEN"],
        config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=5),
    )
    try:
        client.describe_table(TableName=table)
    except ClientError as exc:
        raise TargetError(f"{target.description} has no table {table}: is it the local stack (`invoicing local`)?") from exc
    except BotoCoreError as exc:
        raise TargetError(f"no local stack answers at {target.environment['AWS_ENDPOINT_URL']}: {exc}") from exc


# --- Deployed ---------------------------------------------------------------------------------------


def stack_outputs(stack_name: str, region: str | None = None) -> dict[str, str]:
    """The outputs of a CloudFormation stack, read with the credentials of the environment."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

    try:
        client = boto3.client("cloudformation", region_name=region)
        stacks = client.describe_stacks(StackName=stack_name)["Stacks"]
    except NoRegionError as exc:
        raise TargetError("no AWS region configured: pass --region or set AWS_REGION") from exc
    except NoCredentialsError as exc:
        raise TargetError("no AWS credentials found in the environment (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...)") from exc
    except ClientError as exc:
        message = exc.response.get("Error", {}).get("Message") or str(exc)
        raise TargetError(f"cannot read stack {stack_name}: {message}") from exc
    except BotoCoreError as exc:
        raise TargetError(f"cannot read stack {stack_name}: {exc}") from exc
    if not stacks:
        raise TargetError(f"stack {stack_name} does not exist")
    return {output["OutputKey"]: output["OutputValue"] for output in stacks[0].get("Outputs") or []}


def stack_target(stack_name: str, region: str | None = None) -> Target:
    outputs = stack_outputs(stack_name, region)
    return Target(description=f"stack {stack_name}", environment=table_environment(stack_name, outputs, region))


def table_environment(stack_name: str, outputs: Mapping[str, Any], region: str | None = None) -> dict[str, str]:
    missing = [name for name in TABLE_OUTPUTS if not outputs.get(name)]
    if missing:
        raise TargetError(f"stack {stack_name} has no output {', '.join(missing)}: is it this project's stack?")
    environment = {variable: str(outputs[output]) for output, variable in TABLE_OUTPUTS.items()}
    environment |= {variable: str(outputs[output]) for output, variable in OPTIONAL_OUTPUTS.items() if outputs.get(output)}
    if region:
        environment.update({"AWS_DEFAULT_REGION": region, "AWS_REGION": region})
    return environment


def endpoint_address(url: str) -> tuple[str, int]:
    """(host, port) of a local stack's AWS endpoint URL such as http://127.0.0.1:5000."""
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetError(f"invalid endpoint URL {url!r}: give it as `invoicing local` prints it, e.g. http://127.0.0.1:5000")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def resolve(local: bool, stack: str | None, aws_port: int | None = None, region: str | None = None,
            endpoint_url: str | None = None) -> Target:
    """The target the options name: a local stack (`--local`, `--endpoint-url URL`, or the AWS_ENDPOINT_URL
    that `invoicing local` prints) or a deployed stack (`--stack NAME`)."""
    if stack and (local or endpoint_url):
        raise TargetError("use either --local / --endpoint-url (a local stack) or --stack NAME, not both")
    if endpoint_url and aws_port is not None:
        raise TargetError("use either --endpoint-url or --aws-port, not both")
    environment_endpoint = os.environ.get("AWS_ENDPOINT_URL", "").strip()
    if not stack and (endpoint_url or (environment_endpoint and aws_port is None)):
        host, port = endpoint_address(endpoint_url or environment_endpoint)
        target = local_target(port, host)
        check_local_tables(target)
        return target
    if local:
        target = local_target(aws_port or DEFAULT_AWS_PORT)
        check_local_tables(target)
        return target
    if aws_port is not None:
        raise TargetError("--aws-port applies to --local only")
    if not stack:
        raise TargetError("name the target: --stack NAME (a deployed stack), or a running `invoicing local` with "
                          "--local, --endpoint-url URL or AWS_ENDPOINT_URL")
    return stack_target(stack, region)
