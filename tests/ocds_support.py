"""OCDS community tools over Terang's packages, offline: ocdsmerge and libcoveocds.

Both read the OCDS 1.1.5 schema Terang ships (``procurement/data/ocds``, copied from the
standard at tag 1__1__5, see its SOURCE.txt), never the network: ocdsmerge is given the
release schema, and libcoveocds a zip of those files laid out as the standard's
repository (its ``standard_zip`` option). The extensions named by the packages cannot
be fetched offline: libcoveocds reports them under ``invalid_extension`` (not a validation
error), and ``cove_errors`` returns them apart.
"""

from __future__ import annotations

import io
import json
import zipfile
from functools import cache
from importlib import resources
from typing import Any
from unittest import mock

import jsonref
import ocdsmerge
import requests
from libcoveocds.api import ocds_json_output
from libcoveocds.config import LibCoveOCDSConfig
from ocdsextensionregistry.util import session as extension_session

SCHEMA_DIR = resources.files("procurement") / "data" / "ocds"


@cache
def release_schema() -> dict[str, Any]:
    return dict(json.loads((SCHEMA_DIR / "release-schema.json").read_text(encoding="utf-8")))


def merger() -> ocdsmerge.Merger:
    """ocdsmerge with the release schema's merge rules (no schema fetched)."""
    return ocdsmerge.Merger(schema=release_schema())


@cache
def standard_zip() -> bytes:
    """The shipped schema files as the standard repository's zip lays them out."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("standard-1__1__5/", "")
        for item in SCHEMA_DIR.iterdir():
            if item.name.endswith(".json"):
                archive.writestr(f"standard-1__1__5/schema/{item.name}", item.read_bytes())
        for item in (SCHEMA_DIR / "codelists").iterdir():
            if item.name.endswith(".csv"):
                archive.writestr(
                    f"standard-1__1__5/schema/codelists/{item.name}", item.read_bytes()
                )
    return buffer.getvalue()


STANDARD_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/"


class _LocalSchemas:
    """Stands in for ``requests`` inside jsonref: the record package schema's ``$ref`` to
    the standard's versioned release schema is answered from the shipped copy; any other
    URL fails as it would offline."""

    class _Response:
        def __init__(self, text: str) -> None:
            self.text = text

        def raise_for_status(self) -> None:
            return None

        def json(self, **kwargs: Any) -> Any:
            return json.loads(self.text, **kwargs)

    def get(self, url: str, **_: Any) -> _Response:
        name = url.removeprefix(STANDARD_SCHEMA_URL).removeprefix("http://").split("#")[0]
        if url.startswith(STANDARD_SCHEMA_URL) and (SCHEMA_DIR / name).is_file():
            return self._Response((SCHEMA_DIR / name).read_text(encoding="utf-8"))
        raise requests.ConnectionError(f"offline: {url}")


def _offline(url: str, **_: Any) -> Any:
    """Stands in for the extension registry's session: every extension download fails at
    once, as it does offline (without it, each package waited for three DNS retries per
    extension the package declares)."""
    raise requests.ConnectionError(f"offline: {url}")


def cove(package: dict[str, Any]) -> dict[str, Any]:
    """libcoveocds' report on one package, offline."""
    config = LibCoveOCDSConfig({"standard_zip": standard_zip(), "context": "api"})
    with (
        mock.patch.object(jsonref, "requests", _LocalSchemas()),
        mock.patch.object(extension_session, "get", _offline),
    ):
        return dict(
            ocds_json_output(
                "", json_data=json.loads(json.dumps(package)), lib_cove_ocds_config=config
            )
        )


def cove_errors(package: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """The validation errors libcoveocds finds (must be none) and the extensions it could
    not fetch."""
    report = cove(package)
    invalid = report.get("extensions", {}).get("invalid_extension", {})
    return list(report.get("validation_errors", [])), dict(invalid)
