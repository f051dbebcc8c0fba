"""How the HTTP API describes its errors in the OpenAPI: one media type, one schema.

Every 4xx and 5xx answer of the JSON API is the RFC 9457 problem document of a
``TerangError`` (``TerangError.problem()``), served once as ``application/problem+json``
by the composition root (``terang/app.py``). So the OpenAPI must say exactly that, or
a client generated from it expects ``application/json`` and a shape it never gets.

Who documents what (one place each):

1. each router declares the problems its own operations raise, with
   ``problem_responses({404: "`unknown_vendor`: ...", ...})``, naming the codes;
2. the composition root adds the problems any operation can give (``GENERAL_PROBLEMS``:
   a body too large, too many requests, push back), the ``Problem`` schema component,
   and turns FastAPI's automatic 422 (a parameter that fails its declared constraint)
   into ``INVALID_REQUEST``, the problem the app's validation handler really serves.

Pure data: nothing here imports FastAPI, so every room can use it.
"""

from __future__ import annotations

from typing import Any, Final

from ledger.limits import JSON_SAFE_INTEGER_MAX

PROBLEM_JSON: Final = "application/problem+json"
PROBLEM_SCHEMA_NAME: Final = "Problem"
PROBLEM_SCHEMA_REF: Final = "#/components/schemas/" + PROBLEM_SCHEMA_NAME

Responses = dict[int | str, dict[str, Any]]

PROBLEM_SCHEMA: Final[dict[str, Any]] = {
    "title": PROBLEM_SCHEMA_NAME,
    "description": "An RFC 9457 problem document. `code` is stable and machine-readable; "
    "`detail` is for people and may change.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "description": "https://terang.dev/problems/<code>"},
        "title": {"type": "string", "description": "The code again (RFC 9457 `title`)."},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "code": {"type": "string", "pattern": "^[a-z0-9_]+$"},
        "details": {
            "type": "object",
            "description": "Evidence for the code: the field, the limit, the offending value.",
        },
    },
}


JSON_VALUE_SCHEMA_NAME: Final = "JsonValue"
JSON_VALUE_SCHEMA_REF: Final = "#/components/schemas/" + JSON_VALUE_SCHEMA_NAME
JSON_VALUE_SCHEMA: Final[dict[str, Any]] = {
    "title": JSON_VALUE_SCHEMA_NAME,
    "description": "JSON as the ledger accepts it (ledger.canonical): no floating-point "
    "numbers, integers within ±(2^53-1), nested at most 32 deep.",
    "anyOf": [
        {"type": "string"},
        {"type": "boolean"},
        {"type": "null"},
        {"type": "integer", "minimum": -JSON_SAFE_INTEGER_MAX, "maximum": JSON_SAFE_INTEGER_MAX},
        {"type": "array", "items": {"$ref": JSON_VALUE_SCHEMA_REF}},
        {"type": "object", "additionalProperties": {"$ref": JSON_VALUE_SCHEMA_REF}},
    ],
}

SCHEMA_COMPONENTS: Final[dict[str, dict[str, Any]]] = {
    PROBLEM_SCHEMA_NAME: PROBLEM_SCHEMA,
    JSON_VALUE_SCHEMA_NAME: JSON_VALUE_SCHEMA,
}
"""Components the composition root adds to the OpenAPI, for the schemas that refer to them."""


def problem_response(description: str) -> dict[str, Any]:
    """One OpenAPI response whose body is a ``Problem`` as ``application/problem+json``."""
    return {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_SCHEMA_REF}}},
    }


def problem_responses(described: dict[int, str]) -> Responses:
    """OpenAPI responses for ``{status: "which codes, when"}``."""
    return {status: problem_response(text) for status, text in described.items()}


INVALID_REQUEST_DESCRIPTION: Final = (
    "`invalid_request`: a path or query parameter does not meet its declared constraint."
)
INVALID_REQUEST: Final = problem_response(INVALID_REQUEST_DESCRIPTION)
"""What the app serves for FastAPI's ``RequestValidationError`` (terang/app.py)."""

GENERAL_PROBLEMS: Final[Responses] = problem_responses(
    {
        408: "`request_timeout`: the body did not arrive within `request_body_read_ms_max`.",
        413: "The request (or its body) is over a size limit "
        "(`request_too_large`, `payload_too_large`).",
        429: "`too_many_requests`: this client's (or signer's) rate is spent "
        "(`details.limit`); retry after `Retry-After` seconds.",
        503: "`unavailable`, `heavy_reads_busy`, `database_unavailable`, `storage_full`: "
        "the service pushes back; nothing was changed; retry after `Retry-After` seconds.",
    }
)
"""Problems any operation may answer, whatever its own rules: added to every operation."""

BEYOND_SCHEMA_KEY: Final = "x-terang-refusals-beyond-schema"
"""Operation extension: the problem codes a request that matches the operation's schema
may still get, for rules no JSON Schema can state (a signature that must verify, the
log's clock and size, a relation between two parameters). Everything else a
well-formed request gets is a 2xx or a documented 404/409/403: the OpenAPI states every
other rule, and tests/e2e/test_openapi_conformance.py holds it to that."""


def beyond_schema(*codes: str) -> dict[str, Any]:
    """``openapi_extra`` naming the codes of ``BEYOND_SCHEMA_KEY`` for one operation."""
    return {BEYOND_SCHEMA_KEY: list(codes)}
