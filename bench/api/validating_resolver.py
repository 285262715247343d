"""The reference of the cold-import ratio (cold_imports.py), loaded by file path like an app.py: the three bare
dependencies (boto3, Powertools' event handler, pydantic) plus what Powertools itself loads for a resolver with
validation on. Every API function needs `enable_validation=True` (validation is Powertools', never hand-written),
and constructing such a resolver imports Powertools' OpenAPI validation middleware, its dependant, params and
encoders modules and pydantic's model machinery (pydantic.main, fields, json_schema, type_adapter), which
`import aws_lambda_powertools.event_handler` and `import pydantic` alone leave out (pydantic loads BaseModel
lazily). Nothing of ours: no route, no model, no module of the repository.

With BENCH_PAUSE_GC=1 the garbage collector pauses during the import as it does in the API functions
(invoicing_http/coldstart.py: disabled first, frozen and resumed last), so that the ratio compares our code
alone and not the pause's saving on the dependencies' own imports.
"""

import gc
import os

pause = os.environ.get("BENCH_PAUSE_GC") == "1"
if pause:
    gc.disable()

import boto3  # noqa: E402, F401
import pydantic  # noqa: E402, F401
from aws_lambda_powertools.event_handler import APIGatewayRestResolver  # noqa: E402

lambda_handler = APIGatewayRestResolver(enable_validation=True).resolve

if pause:
    gc.freeze()
    gc.enable()
