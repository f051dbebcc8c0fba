"""Schemathesis hooks for tests/e2e/test_openapi_conformance.py (``SCHEMATHESIS_HOOKS``).

Two rules of the API are beyond what a JSON Schema can state, and each is handled here
as narrowly as it can be:

1. An operation's ``x-terang-refusals-beyond-schema`` lists the problem codes a
   well-formed request may still get (a signature that must verify, the log's clock and
   size, one of two parameters). A "schema-valid request rejected" failure is dropped
   only when the response is a problem document with one of those codes.
2. An OPD code may not repeat a bidang urusan (``1.02.1.02...``), and a line id's
   funding source is at most ``FUNDING_SOURCE_CHARS_MAX`` characters; no regular
   expression without backreferences or look-around says either (``budgeting.codes``).
   A "schema-valid request rejected" failure is dropped only when the request breaks
   one of these two rules.

Any other refusal of a well-formed request still fails the run. (Dropping the failure
rather than filtering generation: Schemathesis's coverage phase does not pass its
requests through the ``filter_*`` hooks.)
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

import schemathesis

from budgeting.codes import LINE_ID_SEPARATOR
from budgeting.limits import FUNDING_SOURCE_CHARS_MAX
from ledger.http_problems import BEYOND_SCHEMA_KEY, PROBLEM_JSON

REJECTED_POSITIVE_DATA = "ST202"
NO_BIDANG = ("0", "00")


def _repeats_a_bidang(opd: object) -> bool:
    if not isinstance(opd, str):
        return False
    parts = opd.split(".")
    if len(parts) < 6:
        return False
    pairs = [(parts[i], parts[i + 1]) for i in (0, 2, 4) if (parts[i], parts[i + 1]) != NO_BIDANG]
    return len(set(pairs)) != len(pairs)


def _beyond_line_id_pattern(line_id: object) -> bool:
    if not isinstance(line_id, str):
        return False
    segments = unquote(line_id).split(LINE_ID_SEPARATOR)
    if len(segments) != 5:
        return False
    return _repeats_a_bidang(segments[1]) or len(segments[4]) > FUNDING_SOURCE_CHARS_MAX


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep every failure but a refusal the operation names as beyond its schema."""
    if getattr(failure, "code", None) != REJECTED_POSITIVE_DATA:
        return True
    if _repeats_a_bidang((case.query or {}).get("opd")) or _beyond_line_id_pattern(
        (case.path_parameters or {}).get("line_id")
    ):
        return False
    allowed = case.operation.definition.raw.get(BEYOND_SCHEMA_KEY, [])
    if not response.headers.get("content-type", [""])[0].startswith(PROBLEM_JSON):
        return True
    try:
        code = json.loads(response.content)["code"]
    except (ValueError, KeyError, TypeError):
        return True
    return code not in allowed
