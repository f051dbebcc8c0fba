"""Vendors: self-registration, NPWP formats, activation, sanctions and eligibility."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nacl.signing import SigningKey
from procurement_support import MemoryLog, fresh_npwp, register_key, register_vendor, vendor_body

from ledger.authority import KEY_NAMESPACE, MissingRole, UnknownSigner
from ledger.errors import ClientError, TerangError
from ledger.keys import client_key_id
from ledger.kinds import Rejected
from ledger.statement import format_time
from procurement import npwp
from procurement.vendors import VENDOR_NAMESPACE, require_eligible


@pytest.mark.parametrize(
    ("spelling", "digits"),
    [
        ("012345678901000", "012345678901000"),
        ("01.234.567.8-901.000", "012345678901000"),
        ("0012345678901000", "0012345678901000"),
        ("001.234.567.8-901.000", "0012345678901000"),
        ("3174 0123 4567 8901", "3174012345678901"),
        ("3174.0123.4567.8901", "3174012345678901"),
    ],
)
def test_npwp_spellings_normalise_to_digits(spelling: str, digits: str) -> None:
    assert npwp.normalise(spelling) == digits


@pytest.mark.parametrize(
    "spelling",
    [
        "",
        "01234567890100",  # 14 digits
        "01234567890100012",  # 17 digits
        "01.234.567.8.901.000",  # dot where the dash goes
        "01-234-567-8-901-000",
        " 012345678901000",
        "012345678901000 ",
        "000000000000000",
        "０12345678901000",  # full-width digit
        "01.234.5678-901.000",
    ],
)
def test_npwp_bad_spellings_refused(spelling: str) -> None:
    with pytest.raises(npwp.BadNpwp):
        npwp.normalise(spelling)


@given(st.text(alphabet="0123456789.- ", max_size=24))
def test_npwp_normalise_is_digits_of_15_or_16_and_idempotent(text: str) -> None:
    try:
        digits = npwp.normalise(text)
    except npwp.BadNpwp:
        return
    assert digits.isdigit() and len(digits) in (15, 16)
    assert npwp.normalise(digits) == digits
    assert npwp.normalise(npwp.display(digits)) == digits


def test_vendor_registers_itself_and_its_key_gets_the_vendor_role() -> None:
    log = MemoryLog()
    key = SigningKey.generate()
    vendor_id = client_key_id(key)
    body = vendor_body(key, "CV Maju Jaya", "01.234.567.8-901.000")
    log.append([log.sign(key, "procurement.vendor.registered", vendor_id, body)])
    doc = log.state.get(VENDOR_NAMESPACE, vendor_id)
    assert doc is not None
    assert doc["npwp"] == "012345678901000"
    assert doc["status"] == "registered"
    key_doc = log.state.get(KEY_NAMESPACE, vendor_id)
    assert key_doc is not None and key_doc["roles"] == ["vendor"]
    assert key_doc["registered_seq"] == 1


def test_registration_signed_by_another_key_is_refused() -> None:
    log = MemoryLog()
    key, other = SigningKey.generate(), SigningKey.generate()
    body = vendor_body(key, "CV A", fresh_npwp())
    with pytest.raises(UnknownSigner):
        log.append([log.sign(other, "procurement.vendor.registered", client_key_id(key), body)])
    assert log.state.get(VENDOR_NAMESPACE, client_key_id(key)) is None


def test_registration_subject_must_be_the_vendor_id() -> None:
    log = MemoryLog()
    key = SigningKey.generate()
    body = vendor_body(key, "CV A", fresh_npwp())
    with pytest.raises(ClientError) as caught:
        log.append([log.sign(key, "procurement.vendor.registered", "a" * 64, body)])
    assert caught.value.code == "bad_subject"


def test_duplicate_npwp_and_duplicate_vendor_refused() -> None:
    log = MemoryLog()
    number = fresh_npwp()
    first = SigningKey.generate()
    log.append(
        [
            log.sign(
                first,
                "procurement.vendor.registered",
                client_key_id(first),
                vendor_body(first, "CV A", number),
            )
        ]
    )
    second = SigningKey.generate()
    with pytest.raises(Rejected) as caught:
        log.append(
            [
                log.sign(
                    second,
                    "procurement.vendor.registered",
                    client_key_id(second),
                    vendor_body(second, "CV B", number),
                )
            ]
        )
    assert caught.value.code == "npwp_registered"
    with pytest.raises(Rejected) as again:
        log.append(
            [
                log.sign(
                    first,
                    "procurement.vendor.registered",
                    client_key_id(first),
                    vendor_body(first, "CV A", fresh_npwp()),
                )
            ]
        )
    assert again.value.code == "vendor_exists"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"npwp": "12345"}, "bad_npwp"),
        ({"qualification": "raksasa"}, "bad_choice"),
        ({"name": ""}, "bad_field"),
        ({"name": " CV A"}, "bad_field"),
        ({"address": "x" * 501}, "bad_field"),
        ({"extra": "x"}, "unknown_field"),
    ],
)
def test_registration_body_errors(change: dict[str, str], code: str) -> None:
    log = MemoryLog()
    key = SigningKey.generate()
    body = {**vendor_body(key, "CV A", fresh_npwp()), **change}
    with pytest.raises(ClientError) as caught:
        log.append([log.sign(key, "procurement.vendor.registered", client_key_id(key), body)])
    assert caught.value.code == code
    assert log.state.get(VENDOR_NAMESPACE, client_key_id(key)) is None


def test_only_a_procurement_officer_activates() -> None:
    log = MemoryLog()
    finance = register_key(log, log.authority, "finance", ["finance"])
    officer = register_key(log, log.authority, "pokja", ["procurement_officer"])
    vendor = register_vendor(log, None, "CV A")
    vendor_id = client_key_id(vendor)
    with pytest.raises(MissingRole):
        log.append([log.sign(finance, "procurement.vendor.activated", vendor_id, {})])
    with pytest.raises(MissingRole):
        log.append([log.sign(vendor, "procurement.vendor.activated", vendor_id, {})])
    log.append([log.sign(officer, "procurement.vendor.activated", vendor_id, {"note": "ok"})])
    with pytest.raises(Rejected) as caught:
        log.append([log.sign(officer, "procurement.vendor.activated", vendor_id, {})])
    assert caught.value.code == "vendor_already_active"
    with pytest.raises(Rejected) as unknown:
        log.append([log.sign(officer, "procurement.vendor.activated", "b" * 64, {})])
    assert unknown.value.code == "unknown_vendor"


def test_sanctions_cover_their_period_and_can_be_lifted() -> None:
    log = MemoryLog()
    officer = register_key(log, log.authority, "pokja", ["procurement_officer"])
    vendor = register_vendor(log, officer, "CV A")
    vendor_id = client_key_id(vendor)
    now = log.clock()
    require_eligible(log.state, vendor_id, now)
    start, end = now + timedelta(days=1), now + timedelta(days=366)
    log.append(
        [
            log.sign(
                officer,
                "procurement.vendor.sanctioned",
                vendor_id,
                {
                    "kind": "blacklist",
                    "reason": "dokumen palsu",
                    "start": format_time(start),
                    "end": format_time(end),
                    "reference": "SK-001/2026",
                },
            )
        ]
    )
    require_eligible(log.state, vendor_id, now)
    with pytest.raises(Rejected) as caught:
        require_eligible(log.state, vendor_id, start)
    assert caught.value.code == "vendor_not_eligible"
    require_eligible(log.state, vendor_id, end)
    log.append(
        [
            log.sign(
                officer,
                "procurement.vendor.sanctioned",
                vendor_id,
                {"kind": "suspension", "reason": "audit", "start": format_time(now)},
            )
        ]
    )
    with pytest.raises(Rejected):
        require_eligible(log.state, vendor_id, now + timedelta(days=5000))
    log.append(
        [
            log.sign(
                officer,
                "procurement.vendor.sanction_lifted",
                vendor_id,
                {"sanction": 1, "reason": "selesai"},
            )
        ]
    )
    require_eligible(log.state, vendor_id, now + timedelta(days=5000))
    with pytest.raises(Rejected) as twice:
        log.append(
            [
                log.sign(
                    officer,
                    "procurement.vendor.sanction_lifted",
                    vendor_id,
                    {"sanction": 1, "reason": "lagi"},
                )
            ]
        )
    assert twice.value.code == "sanction_already_lifted"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"kind": "blacklist", "reason": "x", "start": "2026-03-02T01:00:00Z"}, "bad_field"),
        (
            {
                "kind": "suspension",
                "reason": "x",
                "start": "2026-03-02T01:00:00Z",
                "end": "2026-03-01T01:00:00Z",
            },
            "bad_field",
        ),
        ({"kind": "warning", "reason": "x", "start": "2026-03-02T01:00:00Z"}, "bad_choice"),
        ({"kind": "suspension", "reason": "x", "start": "yesterday"}, "bad_time"),
    ],
)
def test_sanction_body_errors(body: dict[str, str], code: str) -> None:
    log = MemoryLog()
    officer = register_key(log, log.authority, "pokja", ["procurement_officer"])
    vendor = register_vendor(log, officer, "CV A")
    with pytest.raises(TerangError) as caught:
        log.append(
            [log.sign(officer, "procurement.vendor.sanctioned", client_key_id(vendor), body)]
        )
    assert caught.value.code == code


def test_unactivated_vendor_is_not_eligible() -> None:
    log = MemoryLog()
    vendor = register_vendor(log, None, "CV A")
    with pytest.raises(Rejected) as caught:
        require_eligible(log.state, client_key_id(vendor), log.clock())
    assert caught.value.code == "vendor_not_eligible"
