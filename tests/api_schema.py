"""The OpenAPI schema as /api/schema/ serves it, built once per test process.

Building it takes 2-3 s; the tests that check what it documents share one copy (the
endpoint itself is tested in tests/legalcase/test_api_schema.py). Do not change it.
"""

import functools
import json

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer


@functools.cache
def api_schema() -> dict:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema, renderer_context={}))
