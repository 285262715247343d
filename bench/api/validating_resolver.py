"""The reference of the cold-import ratio (cold_imports.py), loaded by file path like an app.py: the three bare
dependencies (boto3, Powertools' event handler, pydantic) plus what Powertools itself loads for a resolver with
validation on. Every API function needs `enable_validation=True` (validation is Powertools', never hand-written),
and constructing such a resolver imports Powertools' OpenAPI validation middleware, its dependant, params and
encoders modules and pydantic's model machinery (pydantic.main, fields, json_schema, type_adapter), which
`import aws_lambda_powertools.event_handler` and `import pydantic` alone leave out (pydantic loads BaseModel
lazily). Nothing of ours: no route, no model, no module of the repository."""

import boto3  # noqa: F401
import pydantic  # noqa: F401
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

lambda_handler = APIGatewayRestResolver(enable_validation=True).resolve
