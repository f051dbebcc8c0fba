"""Standard price lists and komponen through the real ledger on SQLite and PostgreSQL
(issue 15 item 3): published, priced, read back through the API, every refusal changing
nothing, the log replaying to exactly the stored projection; and a rogue operator who
lowers the price a journalist would see (a komponen's unit price in the projection,
behind the service's back) is caught by ``terang verify``."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from log_checks import refused, replay_matches
from log_surgery import behind_the_triggers
from nacl.signing import SigningKey

from audit.remote import VerifyReport, verify_log
from audit.verifier import LogFault
from budgeting import statements as st
from budgeting.demo import structure_postings
from budgeting.namespaces import NS_KOMPONEN
from budgeting.postings import post_postings
from ledger import storage
from terang.app import all_kinds, create_app

YEAR = 2026  # the harness clock is 2026-03-02
RP = 100
DINKES = "1.02.0.00.0.00.01.0000"
PUSKESMAS = f"{YEAR}:{DINKES}:1.02.02.2.01.0003:5.2.03.01.01.0007:DAK-FISIK"
ALKES = f"{YEAR}:{DINKES}:1.02.02.2.01.0014:5.2.02.07.01.0001:DAK-FISIK"
SSH = "SSH-2026"
SEMEN = st.PriceItem("1.1.7.01.01.02.001", "Semen Portland 50 kg", "zak", 78_000 * RP, "SSH")
BATA = st.PriceItem("1.1.7.01.01.03.002", "Bata merah", "buah", 900 * RP, "SSH")
TUKANG = st.PriceItem("3.1.1.01.01.01.002", "Tukang batu", "OH", 150_000 * RP, "HSPK")


def post(h: Harness, key: SigningKey, *postings: st.Posting) -> list[int]:
    signed = [p.sign(key, at=h.clock(), origin=h.origin, limits=h.ledger.limits) for p in postings]
    return [receipt.seq for receipt in h.ledger.append_direct(signed)]


def verify(h: Harness) -> VerifyReport:
    with TestClient(create_app(h.ledger)) as http:
        return verify_log(http, h.log_signer.verifier_key(), all_kinds(), h.ledger.limits)


def specs(semen_price: int = 78_000 * RP, reason: str | None = None) -> list[st.KomponenSpec]:
    return [
        st.KomponenSpec("Semen", "100", "zak", semen_price, SSH, SEMEN.code, reason=reason),
        st.KomponenSpec("Bata merah", "10000", "buah", 900 * RP, SSH, BATA.code),
        st.KomponenSpec("Tukang batu", "40", "OH", 150_000 * RP, SSH, TUKANG.code),
    ]


BUDGET = 100 * 78_000 * RP + 10_000 * 900 * RP + 40 * 150_000 * RP  # Rp 22.800.000


@pytest.fixture
def finance(harness: Harness) -> SigningKey:
    key = harness.register("bpkad", ["finance"])
    post_postings(harness.ledger, key, structure_postings(YEAR))
    post(
        harness,
        key,
        st.price_list(SSH, "SSH-2026-1-1", 1, [SEMEN, BATA], name="SSH Kabupaten Contoh 2026"),
        st.price_list(SSH, "SSH-2026-1-2", 1, [TUKANG]),
        st.appropriation(PUSKESMAS, "DPA-PKM", BUDGET),
        st.allotment(PUSKESMAS, "AK-PKM", [(1, BUDGET)]),
    )
    return key


def test_komponen_are_priced_read_back_and_replay(harness: Harness, finance: SigningKey) -> None:
    post(harness, finance, st.komponen_set(PUSKESMAS, "RINCIAN-PKM-1", specs()))
    cheaper = st.PriceItem(SEMEN.code, SEMEN.uraian, SEMEN.satuan, 70_000 * RP, "SSH")
    post(harness, finance, st.price_list(SSH, "SSH-2026-2-1", 2, [cheaper, BATA, TUKANG]))
    with TestClient(create_app(harness.ledger)) as http:
        page = http.get(f"/api/v1/budget/lines/{PUSKESMAS}/komponen").json()
        assert (page["budget"], page["komponen_total"], page["in_step"]) == (
            "22800000.00",
            "22800000.00",
            True,
        )
        semen = page["komponen"][0]
        assert (semen["version"], semen["standard_price"], semen["above_standard"]) == (
            1,
            "78000.00",
            False,
        )
        listing = http.get(f"/api/v1/budget/price-lists/{SSH}", params={"limit": 2}).json()
        assert listing["latest_version"] == 2 and listing["version"] == 2
        assert [v["superseded"] for v in listing["versions"]] == [True, False]
        assert [i["code"] for i in listing["items"]] == [SEMEN.code, BATA.code]
        rest = http.get(
            f"/api/v1/budget/price-lists/{SSH}", params={"after": listing["next_after"]}
        ).json()
        assert [i["code"] for i in rest["items"]] == [TUKANG.code] and rest["next_after"] is None
        old = http.get(f"/api/v1/budget/price-lists/{SSH}", params={"version": 1}).json()
        assert old["items"][0]["unit_price"] == "78000.00"
        assert http.get(f"/api/v1/budget/price-lists/{SSH}?version=3").json()["code"] == (
            "unknown_version"
        )
        assert http.get("/api/v1/budget/price-lists/HSPK-2026").status_code == 404
        assert http.get("/api/v1/budget/price-lists/a:b").json()["code"] == "bad_subject"
        none = http.get(f"/api/v1/budget/lines/{ALKES}/komponen")
        assert none.json()["code"] == "unknown_line"
        assert (
            http.get("/api/v1/budget/komponen/above-standard", params={"year": YEAR}).json()[
                "items"
            ]
            == []
        )
    # Re-priced under version 2, the semen at the old price is now above the standard.
    refused(
        harness,
        lambda: post(harness, finance, st.komponen_set(PUSKESMAS, "RINCIAN-PKM-2", specs())),
        "price_above_standard",
    )
    post(
        harness,
        finance,
        st.komponen_set(PUSKESMAS, "RINCIAN-PKM-2", specs(reason="harga semen naik Februari")),
    )
    with TestClient(create_app(harness.ledger)) as http:
        above = http.get("/api/v1/budget/komponen/above-standard", params={"year": YEAR}).json()
    (line,) = above["items"]
    (semen,) = line["komponen"]
    assert line["line_id"] == PUSKESMAS
    assert (semen["standard_price"], semen["excess_per_unit"], semen["reason"]) == (
        "70000.00",
        "8000.00",
        "harga semen naik Februari",
    )
    replay_matches(harness)


def test_refusals_change_nothing(harness: Harness, finance: SigningKey) -> None:
    def attempt(posting: st.Posting) -> Any:
        return lambda: post(harness, finance, posting)

    refused(harness, attempt(st.komponen_set(ALKES, "R-1", specs())), "unknown_line")
    refused(
        harness,
        attempt(st.komponen_set(PUSKESMAS, "R-1", specs()[:2])),
        "komponen_sum_mismatch",
    )
    refused(
        harness,
        attempt(st.komponen_set(PUSKESMAS, "R-1", specs(semen_price=80_000 * RP))),
        "price_above_standard",
    )
    refused(
        harness,
        attempt(st.price_list(SSH, "SSH-2026-3-1", 3, [SEMEN])),
        "price_list_version_out_of_order",
    )
    refused(harness, attempt(st.price_list(SSH, "SSH-2026-1-3", 1, [BATA])), "duplicate_price_item")
    post(harness, finance, st.komponen_set(PUSKESMAS, "R-1", specs()))
    post(harness, finance, st.revision(PUSKESMAS, "APBDP-1", -900_000 * RP))
    refused(
        harness,
        attempt(st.commitment(PUSKESMAS, "SPK-1", RP, date(YEAR, 2, 1), "SPK/1")),
        "komponen_out_of_step",
    )
    replay_matches(harness)


def test_a_lowered_unit_price_in_the_projection_is_caught_by_verify(
    harness: Harness, finance: SigningKey
) -> None:
    """The rogue operator makes the lem aibon look standard: the komponen's unit price in
    the projection is lowered (and the flag cleared) behind the service's back."""
    post(
        harness,
        finance,
        st.revision(PUSKESMAS, "APBDP-0", 200_000 * RP),
        st.komponen_set(PUSKESMAS, "R-1", specs(semen_price=80_000 * RP, reason="stok langka")),
    )
    harness.ledger.publisher.publish(force=True)
    verify(harness)  # honest so far
    p = storage.projection_rows.c
    with harness.ledger.engine.connect() as conn:
        value = conn.execute(
            storage.projection_rows.select()
            .with_only_columns(p.value)
            .where(p.namespace == NS_KOMPONEN, p.key == PUSKESMAS)
        ).scalar_one()
    doc = json.loads(value)
    doc["komponen"][0].update(unit_price_sen=78_000 * RP, above_standard=False, reason=None)
    doc["above_standard_count"] = 0
    behind_the_triggers(
        harness,
        "UPDATE projection_rows SET value = :v WHERE namespace = :n AND key = :k",
        v=json.dumps(doc, sort_keys=True, separators=(",", ":")),
        n=NS_KOMPONEN,
        k=PUSKESMAS,
    )
    with TestClient(create_app(harness.ledger)) as http:
        served = http.get(f"/api/v1/budget/lines/{PUSKESMAS}/komponen").json()
    assert served["above_standard_count"] == 0  # the API serves the forgery
    with pytest.raises(LogFault) as caught:
        verify(harness)
    assert caught.value.details["fault"] == "projection_mismatch"
    assert caught.value.details["key"] == PUSKESMAS


def test_the_line_page_shows_the_komponen_and_flags_prices_above_the_standard(
    harness: Harness, finance: SigningKey
) -> None:
    with TestClient(create_app(harness.ledger)) as http:
        assert 'id="line-komponen"' not in http.get(f"/anggaran/baris/{PUSKESMAS}").text
    post(
        harness,
        finance,
        st.revision(PUSKESMAS, "APBDP-0", 200_000 * RP),
        st.komponen_set(PUSKESMAS, "R-1", specs(semen_price=80_000 * RP, reason="stok langka")),
    )
    with TestClient(create_app(harness.ledger)) as http:
        html = http.get(f"/anggaran/baris/{PUSKESMAS}?lang=en").text
    table = html[
        html.index('id="line-komponen"') : html.index("</table>", html.index("line-komponen"))
    ]
    assert table.count("<tr data-komponen=") == 3
    assert table.count('data-above-standard="true"') == 1 and "stok langka" in table
    assert 'value="80000.00"' in table and 'value="78000.00"' in table  # price and standard
    assert "SSH-2026 v1" in table
    assert 'id="komponen-above"' in html and 'id="komponen-out-of-step"' not in html
    post(harness, finance, st.revision(PUSKESMAS, "APBDP-1", -RP))
    with TestClient(create_app(harness.ledger)) as http:
        assert 'id="komponen-out-of-step"' in http.get(f"/anggaran/baris/{PUSKESMAS}").text
