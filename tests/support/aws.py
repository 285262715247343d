"""AWS set-up shared by the tests and bench/: the template's resources, and the domain's caches reset."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def create_resources() -> dict[str, str]:
    """Create every table, bucket and queue of template.yaml in the current (moto) account, as the local
    stack does, and put the functions' environment variables (bucket name, queue URLs) into os.environ.

    Returns the variables set, so a caller can take them out again.
    """
    import boto3

    from invoicing_infra.local.environment import function_environment
    from invoicing_infra.local.resources import create_resources as create
    from invoicing_infra.local.resources import local_attributes
    from invoicing_infra.template import Template

    template = Template.load(ROOT / "template.yaml")
    attributes = local_attributes(template, os.environ.get("AWS_ENDPOINT_URL", ""))  # queue URLs: moto's own
    create(template, boto3.client, attributes)
    variables = {name: value for name, value in function_environment(template, template.functions().values(), attributes).items()
                 if not name.startswith("POWERTOOLS_")}
    os.environ.update(variables)
    return variables


def create_tables() -> None:
    """The template's resources (the name stays for bench/api_bench.py, which needs the tables)."""
    create_resources()


def reset_caches() -> None:
    from invoicing import access, clock, config
    from invoicing.storage import dynamo, events, files, mail, queues

    config.reset()
    dynamo.reset()
    files.reset()
    mail.reset()
    queues.reset()
    access.clear_cache()
    events.forget()
    clock.set_clock(None)


def sent_emails() -> list[dict]:
    """What moto's SES backend holds as sent (raw messages included), for tests that read mail back."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    backend = ses_backends[DEFAULT_ACCOUNT_ID][os.environ.get("AWS_DEFAULT_REGION", "eu-central-1")]
    return list(backend.sent_messages)


def cold_start_environment(function_id: str) -> tuple[Path, dict[str, str]]:
    """A function's handler file and the environment Lambda would start it with: the variables its template
    entry (Globals merged) sets, resolved as the local stack resolves them, and nothing of this process's."""
    from invoicing_infra.local.environment import aws_environment, function_environment
    from invoicing_infra.local.resources import local_attributes
    from invoicing_infra.template import Template

    template = Template.load(ROOT / "template.yaml")
    function = template.functions()[function_id]
    endpoint = "http://127.0.0.1:9"  # nothing listens: a cold start must not need AWS
    environment = {
        "PATH": os.environ.get("PATH", ""), "POWERTOOLS_TRACE_DISABLED": "1", "POWERTOOLS_METRICS_DISABLED": "1",
        **aws_environment(endpoint, template.region),
        **function_environment(template, [function], local_attributes(template, endpoint)),
    }
    return function.handler_file, environment


def handler_environment(handler_file: Path) -> dict[str, str]:
    """The variables template.yaml gives the function whose handler is `handler_file` (bench/ imports functions
    by file: each needs what its cold start requires)."""
    from invoicing_infra.template import Template

    template = Template.load(ROOT / "template.yaml")
    function_id = next(name for name, function in template.functions().items()
                       if function.handler_file.resolve() == Path(handler_file).resolve())
    _, environment = cold_start_environment(function_id)
    return {name: value for name, value in environment.items() if name not in ("PATH", "AWS_ENDPOINT_URL")}


def function_ids() -> list[str]:
    from invoicing_infra.template import Template

    return sorted(Template.load(ROOT / "template.yaml").functions())
