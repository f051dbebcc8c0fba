"""The API page at /docs works without asking any third party for code."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from conftest import Harness
from fastapi.testclient import TestClient

from terang.app import create_app


def test_docs_page_loads_swagger_ui_from_the_service_itself(harness: Harness) -> None:
    with TestClient(create_app(harness.ledger)) as client:
        page = client.get("/docs")
        assert page.status_code == 200
        urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", page.text)
        assert any(u.endswith("swagger-ui-bundle.js") for u in urls), urls
        for url in urls:
            assert urlsplit(url).netloc == "", f"third-party URL on /docs: {url}"
            assert client.get(url).status_code == 200, url
        assert client.get("/openapi.json").json()["info"]["title"] == "Terang"
        assert client.get("/redoc").status_code == 404
