"""AWS set-up shared by the tests and bench/: the template's tables, and the domain's caches reset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def create_tables(client: Any = None) -> None:
    """Create every DynamoDB table declared in template.yaml (the template is the only source of the keys)."""
    import boto3

    from invoicing_infra.template import Template

    client = client or boto3.client("dynamodb")
    for name, props in Template.load(ROOT / "template.yaml").tables().items():
        kwargs = {"TableName": name, "KeySchema": props["KeySchema"], "AttributeDefinitions": props["AttributeDefinitions"],
                  "BillingMode": "PAY_PER_REQUEST"}
        if props.get("GlobalSecondaryIndexes"):
            kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        client.create_table(**kwargs)


def reset_caches() -> None:
    from invoicing import access, clock, config
    from invoicing.storage import dynamo

    config.reset()
    dynamo.reset()
    access.clear_cache()
    clock.set_clock(None)
