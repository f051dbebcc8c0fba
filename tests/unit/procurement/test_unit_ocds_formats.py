"""``ocds.document_format``: a document's media type is read from the extension of the
name the log holds, from a fixed table, and is absent rather than guessed.

A data user filters documents by ``format``; a wrong one (a PDF called ``text/plain``)
misleads more than none, and a table that depended on the host (``mimetypes`` reads
/etc/mime.types) would make the same log give different releases on two machines.
"""

from __future__ import annotations

import pytest

from procurement import ocds


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("Dokumen pemilihan.pdf", "application/pdf"),
        ("BAST-027.PDF", "application/pdf"),
        ("Adendum 1 ocds-t3r4ng-2025-DEMO-011.txt", "text/plain"),
        ("RAB.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("gambar.tar.zip", "application/zip"),
    ],
)
def test_a_known_extension_gives_its_media_type(name: str, media_type: str) -> None:
    assert ocds.document_format(name) == media_type


@pytest.mark.parametrize("name", ["README", ".pdf", "laporan.pdf.bak", "scan.tiff", "x."])
def test_an_unknown_or_missing_extension_gives_no_format(name: str) -> None:
    assert ocds.document_format(name) is None


def test_every_media_type_is_type_slash_subtype() -> None:
    for extension, media_type in ocds.MEDIA_TYPES.items():
        assert extension == extension.lower() and extension.startswith(".")
        major, _, minor = media_type.partition("/")
        assert major in {"application", "text", "image"} and minor, media_type
