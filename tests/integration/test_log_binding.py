"""Statement signatures are bound to one log (issue 10, 6c).

A statement's signature covers the log's origin (``terang.statement.v2`` domain), so
one signed for another log, by a key this log knows, is refused at the door and, if
the operator writes it into the database anyway, fails the auditor's replay. Nor can
the operator relabel it as a legacy v1 entry, or slip a v1 entry into a v2 log.
"""

from __future__ import annotations

import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from log_surgery import append_behind_the_back, stored_entries

from audit.remote import VerifyReport, verify_log
from audit.verifier import LogFault
from ledger.keys import client_key_id
from ledger.signing import make_signed
from ledger.statement import (
    STATEMENT_SIGNATURE_DOMAIN_V1,
    LoggedEntry,
    SignedStatement,
    b64encode,
    format_time,
)
from terang.app import all_kinds, create_app

OTHER_LOG = "terang.test/another-kabupaten"


def verify(h: Harness) -> VerifyReport:
    with TestClient(create_app(h.ledger)) as client:
        return verify_log(client, h.log_signer.verifier_key(), all_kinds(), h.ledger.limits)


def grant(h: Harness, *, origin: str) -> SignedStatement:
    """The root authority (the same key in both logs) grants a role, signed for ``origin``."""
    officer = h.keys.get("officer") or h.register("officer", ["finance"])
    return make_signed(
        h.authority,
        "registry.role.granted",
        client_key_id(officer),
        {"role": "auditor"},
        at=h.clock(),
        origin=origin,
        limits=h.ledger.limits,
    )


def next_entry(h: Harness, signed: SignedStatement, *, version: int = 2) -> LoggedEntry:
    last = stored_entries(h)[-1]
    return LoggedEntry(last.seq + 1, format_time(h.clock()), last.leaf_hash(), signed, version)


def test_a_statement_signed_for_another_log_is_refused_at_the_door(harness: Harness) -> None:
    signed = grant(harness, origin=OTHER_LOG)
    size = harness.ledger.size()
    with TestClient(create_app(harness.ledger)) as client:
        response = client.post("/api/v1/statements", json=signed.to_json())
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["code"] == "bad_signature"
        assert problem["details"]["origin"] == harness.ledger.origin
        assert harness.ledger.origin in problem["detail"]
        assert harness.ledger.size() == size  # nothing logged
        # The same statement signed for this log is accepted: the origin made the difference.
        ours = grant(harness, origin=harness.ledger.origin)
        assert client.post("/api/v1/statements", json=ours.to_json()).status_code == 201
    assert harness.ledger.size() == size + 1


def test_another_logs_statement_written_behind_the_back_fails_verify(harness: Harness) -> None:
    signed = grant(harness, origin=OTHER_LOG)
    verify(harness)  # honest so far
    entry = next_entry(harness, signed)
    append_behind_the_back(harness, entry)  # and a checkpoint over it, signed by the log key
    with pytest.raises(LogFault) as caught:
        verify(harness)
    assert caught.value.details["fault"] == "bad_signature"
    assert caught.value.details["seq"] == entry.seq


def test_relabelling_it_as_a_legacy_v1_entry_does_not_help(harness: Harness) -> None:
    """The v1 message has another prefix, so no v2 signature verifies as v1."""
    signed = grant(harness, origin=OTHER_LOG)
    entry = next_entry(harness, signed, version=1)
    append_behind_the_back(harness, entry)
    with pytest.raises(LogFault) as caught:
        verify(harness)
    assert caught.value.details["fault"] in {"bad_signature", "version_downgrade"}
    assert caught.value.details["seq"] == entry.seq


def test_a_genuine_legacy_v1_statement_cannot_be_slipped_into_a_v2_log(harness: Harness) -> None:
    """A statement the authority once signed with the unbound v1 domain (for any old log)
    verifies as v1, but a log whose entries are v2 never accepts a v1 entry again."""
    statement = grant(harness, origin=OTHER_LOG).statement
    legacy = SignedStatement(
        statement,
        bytes(
            harness.authority.sign(STATEMENT_SIGNATURE_DOMAIN_V1 + statement.canonical()).signature
        ),
    )
    entry = next_entry(harness, legacy, version=1)
    append_behind_the_back(harness, entry)
    with pytest.raises(LogFault) as caught:
        verify(harness)
    assert caught.value.details["fault"] == "version_downgrade"
    assert caught.value.details["seq"] == entry.seq
    assert b64encode(legacy.signature)  # a well-formed signature: only the version rule caught it


def test_an_honest_log_passes_and_has_no_legacy_entries(harness: Harness) -> None:
    harness.ledger.append_direct([grant(harness, origin=harness.ledger.origin)])
    harness.ledger.publisher.publish(force=True)
    report = verify(harness)
    assert report.tree_size == harness.ledger.size()
    assert report.legacy_entries == 0
