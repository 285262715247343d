"""The OpenAPI document merged from every API function's routes and models, and Swagger UI. No auth."""

from __future__ import annotations

from pathlib import Path

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from invoicing_http import cors
from invoicing_http.resolver import make_handler

FUNCTIONS = Path(__file__).resolve().parent.parent

app = APIGatewayRestResolver(enable_validation=True, cors=cors.config())
app.configure_openapi_merge(path=str(FUNCTIONS), pattern="app.py", exclude=["api_docs/*"], recursive=True,
                            title="Invoicing API (pretix-compatible)", version="1.0.0",
                            description="pretix's invoice API on AWS. Authenticate with `Authorization: Token <secret>`.")
app.enable_swagger(path="/api/v1/docs", title="Invoicing API")


@app.get("/api/v1/openapi.json", include_in_schema=False)
def openapi_document():
    return Response(status_code=200, content_type="application/json", body=app.get_openapi_merge_json_schema())


lambda_handler = make_handler(app, None)
