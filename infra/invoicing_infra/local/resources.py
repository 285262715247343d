"""Local names of the template's resources, and their creation in moto (tables, buckets, queues, secrets, SES identities)."""

from __future__ import annotations

import json
import secrets
import string
from collections.abc import Callable
from typing import Any

from ..template import Template, TemplateError, is_true

Attributes = dict[str, dict[str, Any]]

# CloudFormation properties of AWS::SQS::Queue that are queue attributes of the same name. KMS ones are left
# out: they would point at keys that do not exist locally.
_QUEUE_ATTRIBUTES = (
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "DelaySeconds",
    "FifoQueue",
    "FifoThroughputLimit",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "RedriveAllowPolicy",
    "RedrivePolicy",
    "SqsManagedSseEnabled",
    "VisibilityTimeout",
)


def physical_name(template: Template, logical_id: str) -> str:
    """The logical ID; lower-cased for buckets (DNS names), with `.fifo` for FIFO queues (SQS requires it)."""
    resource_type = template.resource_type(logical_id)
    if resource_type is None:
        raise KeyError(f"no resource {logical_id} in {template.path}")
    if resource_type == "AWS::S3::Bucket":
        return logical_id.lower()
    if resource_type == "AWS::SQS::Queue" and is_true(template.queues()[logical_id].get("FifoQueue")):
        return f"{logical_id}.fifo"
    return logical_id


def local_attributes(template: Template, endpoint: str) -> Attributes:
    """What `!Ref` and `!GetAtt` give for each resource locally; resources of other types have no local value."""
    region, account = template.region, template.account_id
    attributes: Attributes = {}
    for logical_id, resource in template.resources.items():
        resource_type = resource.get("Type")
        name = physical_name(template, logical_id)
        if resource_type == "AWS::DynamoDB::Table":
            attributes[logical_id] = {"Ref": name, "Arn": f"arn:aws:dynamodb:{region}:{account}:table/{name}"}
        elif resource_type == "AWS::S3::Bucket":
            attributes[logical_id] = {
                "Ref": name,
                "Arn": f"arn:aws:s3:::{name}",
                "DomainName": f"{name}.s3.amazonaws.com",
                "RegionalDomainName": f"{name}.s3.{region}.amazonaws.com",
            }
        elif resource_type == "AWS::SQS::Queue":
            url = f"{endpoint}/{account}/{name}"
            arn = f"arn:aws:sqs:{region}:{account}:{name}"
            attributes[logical_id] = {"Ref": url, "QueueUrl": url, "Arn": arn, "QueueName": name}
        elif resource_type in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            attributes[logical_id] = {"Ref": name, "Arn": f"arn:aws:lambda:{region}:{account}:function:{name}"}
        elif resource_type in ("AWS::Serverless::Api", "AWS::ApiGateway::RestApi"):
            attributes[logical_id] = {"Ref": name.lower(), "RootResourceId": "root"}
        elif resource_type in ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion"):
            attributes[logical_id] = {"Ref": f"arn:aws:lambda:{region}:{account}:layer:{name}:1"}
        elif resource_type == "AWS::SecretsManager::Secret":
            # !Ref gives the ARN on AWS; locally the name, which Secrets Manager (and Powertools'
            # get_secret) accept wherever an ARN is. create_resources puts moto's ARN (with its suffix) in Arn/Id.
            arn = f"arn:aws:secretsmanager:{region}:{account}:secret:{name}"
            attributes[logical_id] = {"Ref": name, "Id": arn, "Arn": arn}
        elif resource_type == "AWS::SES::EmailIdentity":
            identity = template.resolve((resource.get("Properties") or {}).get("EmailIdentity"))
            attributes[logical_id] = {"Ref": identity}
    return attributes


_TABLE_PROPERTIES = (
    "AttributeDefinitions",
    "BillingMode",
    "GlobalSecondaryIndexes",
    "KeySchema",
    "LocalSecondaryIndexes",
    "ProvisionedThroughput",
    "StreamSpecification",
    "TimeToLiveSpecification",
)


def _resolved(template: Template, props: dict[str, Any], keys: tuple[str, ...], attributes: Attributes) -> dict:
    """Only the properties the local stack uses: the others may hold intrinsics it has no value for."""
    return {key: template.resolve(props[key], attributes) for key in keys if key in props}


def create_resources(template: Template, client: Callable[[str], Any], attributes: Attributes) -> None:
    """Creates every table, bucket, queue, secret and SES identity of the template; updates `attributes` with
    moto's ARNs."""
    dynamodb = client("dynamodb")
    for logical_id, props in template.tables().items():
        description = _create_table(
            dynamodb, attributes[logical_id]["Ref"], _resolved(template, props, _TABLE_PROPERTIES, attributes)
        )
        attributes[logical_id]["Arn"] = description["TableArn"]
        if "LatestStreamArn" in description:
            attributes[logical_id]["StreamArn"] = description["LatestStreamArn"]
    s3 = client("s3")
    for logical_id, props in template.buckets().items():
        versioning = _resolved(template, props, ("VersioningConfiguration",), attributes)
        _create_bucket(s3, attributes[logical_id]["Ref"], versioning, template.region)
    _create_queues(template, client("sqs"), attributes)
    secret_resources = template.secrets()
    if secret_resources:
        secretsmanager = client("secretsmanager")
        for logical_id, props in secret_resources.items():
            _create_secret(template, secretsmanager, logical_id, props, attributes)
    identities = template.resources_of_type("AWS::SES::EmailIdentity")
    if identities:
        sesv2 = client("sesv2")
        for logical_id in identities:
            sesv2.create_email_identity(EmailIdentity=attributes[logical_id]["Ref"])


def _throughput(value: dict[str, Any] | None) -> dict[str, int]:
    value = value or {}
    return {
        "ReadCapacityUnits": int(value.get("ReadCapacityUnits", 5)),
        "WriteCapacityUnits": int(value.get("WriteCapacityUnits", 5)),
    }


def _create_table(dynamodb: Any, name: str, props: dict[str, Any]) -> dict[str, Any]:
    billing_mode = props.get("BillingMode", "PROVISIONED")
    provisioned = billing_mode == "PROVISIONED"
    kwargs: dict[str, Any] = {
        "TableName": name,
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": billing_mode,
    }
    if provisioned:
        kwargs["ProvisionedThroughput"] = _throughput(props.get("ProvisionedThroughput"))
    if props.get("GlobalSecondaryIndexes"):
        kwargs["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index["IndexName"],
                "KeySchema": index["KeySchema"],
                "Projection": index["Projection"],
                **({"ProvisionedThroughput": _throughput(index.get("ProvisionedThroughput"))} if provisioned else {}),
            }
            for index in props["GlobalSecondaryIndexes"]
        ]
    if props.get("LocalSecondaryIndexes"):
        kwargs["LocalSecondaryIndexes"] = [
            {"IndexName": index["IndexName"], "KeySchema": index["KeySchema"], "Projection": index["Projection"]}
            for index in props["LocalSecondaryIndexes"]
        ]
    if (props.get("StreamSpecification") or {}).get("StreamViewType"):
        kwargs["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": props["StreamSpecification"]["StreamViewType"],
        }
    description = dynamodb.create_table(**kwargs)["TableDescription"]
    ttl = props.get("TimeToLiveSpecification") or {}
    if is_true(ttl.get("Enabled")):
        dynamodb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]}
        )
    return description


def _create_bucket(s3: Any, name: str, props: dict[str, Any], region: str) -> None:
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    if (props.get("VersioningConfiguration") or {}).get("Status") == "Enabled":
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})


def _queue_attribute(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def _create_queues(template: Template, sqs: Any, attributes: Attributes) -> None:
    """Creates queues so that a dead-letter queue exists before the queues whose RedrivePolicy names it."""
    pending = {
        logical_id: _resolved(template, props, _QUEUE_ATTRIBUTES, attributes)
        for logical_id, props in template.queues().items()
    }
    created_arns: set[str] = set()
    while pending:
        ready = [
            logical_id
            for logical_id, props in pending.items()
            if (props.get("RedrivePolicy") or {}).get("deadLetterTargetArn") in (None, *created_arns)
        ]
        if not ready:
            raise TemplateError(f"queues {sorted(pending)} have a RedrivePolicy naming no queue of the template")
        for logical_id in ready:
            props = pending.pop(logical_id)
            queue_attributes = {
                key: _queue_attribute(value)
                for key, value in props.items()
                if not (key == "FifoQueue" and not is_true(value))
            }
            url = sqs.create_queue(QueueName=attributes[logical_id]["QueueName"], Attributes=queue_attributes)[
                "QueueUrl"
            ]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            attributes[logical_id].update({"Ref": url, "QueueUrl": url, "Arn": arn})
            created_arns.add(arn)


def random_password(options: dict[str, Any]) -> str:
    """A password as Secrets Manager's GetRandomPassword makes it from GenerateSecretString's options (which
    have the same names): 32 characters of letters, digits and punctuation unless told otherwise, at least
    one of each included kind unless RequireEachIncludedType is false."""
    excluded = set(str(options.get("ExcludeCharacters", "")))
    kinds = [
        characters
        for characters, option in (
            (string.ascii_lowercase, "ExcludeLowercase"),
            (string.ascii_uppercase, "ExcludeUppercase"),
            (string.digits, "ExcludeNumbers"),
            (string.punctuation, "ExcludePunctuation"),
        )
        if not is_true(options.get(option, False))
    ]
    if is_true(options.get("IncludeSpace", False)):
        kinds.append(" ")
    kinds = [kind for kind in ("".join(c for c in kind if c not in excluded) for kind in kinds) if kind]
    length = int(options.get("PasswordLength", 32))
    if not kinds or not 1 <= length <= 4096:
        raise TemplateError("GenerateSecretString: no characters left to make a password from, or a bad length")
    alphabet = "".join(kinds)
    rng = secrets.SystemRandom()
    password = [rng.choice(alphabet) for _ in range(length)]
    if is_true(options.get("RequireEachIncludedType", True)) and length >= len(kinds):
        for position, kind in zip(rng.sample(range(length), len(kinds)), kinds, strict=True):
            password[position] = rng.choice(kind)
    return "".join(password)


def secret_string(template: Template, props: dict[str, Any], attributes: Attributes) -> str:
    """SecretString resolved, or a value made as CloudFormation makes it from GenerateSecretString.

    With SecretStringTemplate and GenerateStringKey, the template is a JSON object and the random password
    goes in under that key; otherwise the password alone is the value.
    """
    if "SecretString" in props:
        value = template.resolve(props["SecretString"], attributes)
        return value if isinstance(value, str) else json.dumps(value)
    generate = template.resolve(props.get("GenerateSecretString") or {}, attributes)
    if ("SecretStringTemplate" in generate) != ("GenerateStringKey" in generate):
        raise TemplateError("GenerateSecretString: SecretStringTemplate and GenerateStringKey go together")
    password = random_password(generate)
    if "SecretStringTemplate" not in generate:
        return password
    try:
        document = json.loads(generate["SecretStringTemplate"])
    except (TypeError, ValueError) as exc:
        raise TemplateError(f"SecretStringTemplate is not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise TemplateError("SecretStringTemplate is not a JSON object")
    document[str(generate["GenerateStringKey"])] = password
    return json.dumps(document)


def _create_secret(
    template: Template, secretsmanager: Any, logical_id: str, props: dict[str, Any], attributes: Attributes
) -> None:
    try:
        value = secret_string(template, props, attributes)
    except TemplateError as exc:
        raise TemplateError(f"{logical_id}: {exc}") from None
    kwargs: dict[str, Any] = {"Name": attributes[logical_id]["Ref"], "SecretString": value}
    description = template.resolve(props.get("Description"), attributes)
    if isinstance(description, str):
        kwargs["Description"] = description
    arn = secretsmanager.create_secret(**kwargs)["ARN"]
    attributes[logical_id].update({"Id": arn, "Arn": arn})
