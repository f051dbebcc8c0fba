"""The portal's planning pages on both engines: the proposal list with its filters and
pages, and one proposal's path from the desa to the budget line that funds it, as a
citizen follows it (decisions with their seqs, merged proposals, the line's money, the
steps' proofs), in both languages; unknown proposals and bad filters get HTML errors."""

from __future__ import annotations

import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from planning_support import DESAS, JUTA, KEC, PUSKESMAS, SUB, YEAR, Kabupaten, the_story

from planning import statements as st
from portal import links
from terang.app import create_app


@pytest.fixture
def story(harness: Harness) -> tuple[Kabupaten, dict[str, int]]:
    kab = Kabupaten(harness)
    return kab, the_story(kab)


@pytest.fixture
def client(story: tuple[Kabupaten, dict[str, int]]) -> TestClient:
    return TestClient(create_app(story[0].h.ledger))


def test_a_citizen_follows_a_proposal_from_the_desa_to_its_budget_line(
    story: tuple[Kabupaten, dict[str, int]], client: TestClient
) -> None:
    _, seqs = story
    page = client.get(links.proposal("MUS-2026-0001"))
    assert page.status_code == 200
    html = page.text
    assert 'id="proposal-stage">Masuk RKPD<' in html
    assert "Rp 850.000.000,00" in html  # the estimate, in rupiah
    assert f'href="{links.line(PUSKESMAS)}"' in html  # the money, one click away
    assert "Rp 2.000.000.000,00" in html  # the line's budget
    for merged in ("MUS-2026-0002", "MUS-2026-0003"):
        assert f'href="{links.proposal(merged)}"' in html
    for name in ("cibiru", "kec", "kab", "rkpd", "link"):
        assert f'id="seq-{seqs[name]}"' in html  # every step on the timeline, with its proof
    assert f'href="#seq-{seqs["kec"]}"' in html and "prioritas 1" in html
    assert links.bundle("MUS-2026-0001") in html  # verifiable in the browser
    english = client.get(links.proposal("MUS-2026-0001"), params={"lang": "en"}).text
    assert "In the RKPD" in english and "Kecamatan musrenbang" in english
    line_page = client.get(links.line(PUSKESMAS), params={"lang": "id"}).text
    assert f'href="{links.proposal("MUS-2026-0001")}"' in line_page  # and back from the money
    assert 'id="line-proposals"' in line_page
    merged_page = client.get(links.proposal("MUS-2026-0002"), params={"lang": "id"}).text
    assert f'href="{links.proposal("MUS-2026-0001")}"' in merged_page
    assert "Belum ada baris anggaran yang ditautkan." in merged_page


def test_the_list_filters_and_pages(client: TestClient) -> None:
    everything = client.get("/perencanaan")
    assert everything.status_code == 200
    for proposal_id in ("MUS-2026-0001", "MUS-2026-0002", "MUS-2026-0003"):
        assert f'data-proposal="{proposal_id}"' in everything.text
    merged = client.get("/perencanaan", params={"stage": "merged", "kecamatan": KEC}).text
    assert 'data-proposal="MUS-2026-0001"' not in merged
    assert merged.count("data-proposal=") == 2
    first = client.get("/perencanaan", params={"year": YEAR, "limit": 10}).text
    assert first.count("data-proposal=") == 3
    other_year = client.get("/perencanaan", params={"year": YEAR + 1}).text
    assert 'id="no-results"' in other_year


def test_a_proposal_title_is_shown_as_text(story: tuple[Kabupaten, dict[str, int]]) -> None:
    kab, _ = story
    kab.do(
        kab.desa["cibiru"],
        st.proposal(
            "MUS-2026-0099",
            fiscal_year=YEAR,
            desa=DESAS["cibiru"],
            sub_kegiatan=SUB,
            volume="1",
            unit="unit",
            estimate_sen=JUTA,
            title='<script>alert("x")</script>',
            description="<img src=x onerror=alert(1)>",
        ),
    )
    with TestClient(create_app(kab.h.ledger)) as client:
        html = client.get(links.proposal("MUS-2026-0099")).text
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (links.proposal("MUS-2026-9999"), 404),
        ("/perencanaan/usulan/-bad", 404),
        ("/perencanaan?stage=funded", 400),
        ("/perencanaan?kecamatan=32.4.5", 400),
        ("/perencanaan?year=1999", 400),
        ("/perencanaan?after=%20x", 400),
    ],
)
def test_unknown_proposals_and_bad_filters_get_html_errors(
    client: TestClient, url: str, status: int
) -> None:
    answer = client.get(url, headers={"Accept": "text/html"})
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/html")
