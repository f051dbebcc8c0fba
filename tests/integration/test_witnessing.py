"""The log collects witness cosignatures (c2sp.org/tlog-witness) and serves them with its
checkpoint, on both engines; the cosignature table is append-only like the ledger's."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ORIGIN, Harness
from fastapi.testclient import TestClient
from nacl.signing import SigningKey
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from witness_support import add_checkpoint_body

from ledger.checkpoint import open_checkpoint_note
from ledger.errors import ClientError, SignatureError
from ledger.keys import client_key_id
from ledger.limits import Limits
from ledger.note import CosignatureSigner, CosignatureVerifier, generate_cosigner, generate_signer
from ledger.service import Ledger, Settings
from ledger.statement import b64encode
from ledger.tlog_proof import TlogProof, verify_tlog_proof
from ledger.witnessing import (
    WitnessEndpoint,
    WitnessSet,
    cosignatures,
    last_cosigned_size,
    parse_witnesses,
)
from terang.app import all_kinds, create_app
from witness.server import Witness, create_witness_app
from witness.store import WitnessStore

WITNESS_URL = "http://witness.test"


@dataclass
class Rig:
    harness: Harness
    ledger: Ledger
    """A second Ledger on the harness's database, with the witness set attached."""
    witnesses: WitnessSet
    witness: Witness
    cosigner: CosignatureSigner
    witness_client: TestClient

    @property
    def verifier(self) -> CosignatureVerifier:
        return self.cosigner.verifier()

    def append(self, count: int) -> None:
        h = self.harness
        statements = []
        for _ in range(count):
            key = SigningKey.generate()
            body = {"public_key": b64encode(bytes(key.verify_key)), "name": "x", "roles": []}
            statements.append(
                h.sign(h.authority, "registry.key.registered", client_key_id(key), body)
            )
        for statement in statements:
            self.ledger.append_direct([statement])

    def served_checkpoint(self) -> str:
        with TestClient(create_app(self.ledger)) as client:
            response = client.get("/log/checkpoint")
        assert response.status_code == 200
        return response.text


def make_rig(harness: Harness, tmp_path: Path, cosigner: CosignatureSigner | None = None) -> Rig:
    cosigner = cosigner or generate_cosigner("witness.test/w1")
    store = WitnessStore.open(f"sqlite:///{tmp_path / 'witness.db'}")
    witness = Witness(cosigner, {ORIGIN: [harness.log_signer.verifier()]}, store)
    client = TestClient(create_witness_app(witness), base_url=WITNESS_URL)
    witnesses = WitnessSet([WitnessEndpoint(cosigner.verifier(), WITNESS_URL)], client=client)
    ledger = Ledger(
        Settings(
            database_url=harness.ledger.settings.database_url,
            limits=Limits(checkpoint_interval_ms_min=0),
        ),
        all_kinds(),
        clock=harness.clock,
        log_signer=harness.log_signer,
        witnesses=witnesses,
    )
    return Rig(harness, ledger, witnesses, witness, cosigner, client)


@pytest.fixture
def rig(harness: Harness, tmp_path: Path) -> Iterator[Rig]:
    r = make_rig(harness, tmp_path)
    try:
        yield r
    finally:
        r.ledger.close()
        r.witness_client.close()
        r.witness.store.close()


def test_log_collects_and_serves_cosignatures(rig: Rig) -> None:
    # The genesis checkpoint (size 1) is cosigned on the first pass.
    [result] = rig.witnesses.collect()
    assert (result.outcome, result.tree_size) == ("cosigned", 1), result
    cp, note = open_checkpoint_note(
        rig.served_checkpoint(),
        ORIGIN,
        rig.harness.log_signer.verifier(),
        witnesses=[rig.verifier],
        min_witnesses=1,
    )
    assert cp.size == 1 and note.timestamp(rig.verifier)

    # The log grows; the next pass sends old 1 and a consistency proof 1 -> 5.
    rig.append(4)
    assert rig.ledger.size() == 5
    [result] = rig.witnesses.collect()
    assert (result.outcome, result.tree_size) == ("cosigned", 5), result
    latest = rig.witness.store.latest(ORIGIN)
    assert latest is not None and latest.size == 5
    cp, _ = open_checkpoint_note(
        rig.served_checkpoint(),
        ORIGIN,
        rig.harness.log_signer.verifier(),
        witnesses=[rig.verifier],
        min_witnesses=1,
    )
    assert cp.size == 5 and cp.root_hash == latest.root_hash
    with rig.ledger.engine.connect() as conn:
        assert last_cosigned_size(conn, rig.verifier.verifier_key()) == 5
        rows = conn.execute(select(cosignatures.c.tree_size).order_by("tree_size")).all()
    assert [r.tree_size for r in rows] == [1, 5]

    # Nothing new: no request is made.
    [result] = rig.witnesses.collect()
    assert result.outcome == "already"


def test_tlog_proofs_carry_the_collected_cosignatures(rig: Rig) -> None:
    """A receipt's tlog-proof, fetched after the witnesses cosigned, satisfies a witness
    policy on its own; before they cosign it carries the log's signature alone."""
    rig.append(3)
    with TestClient(create_app(rig.ledger)) as client:
        before = TlogProof.parse(client.get("/api/v1/entries/2/tlog-proof").text)
        [result] = rig.witnesses.collect()
        assert result.outcome == "cosigned"
        after = TlogProof.parse(client.get("/api/v1/entries/2/tlog-proof").text)
        leaf = client.get("/api/v1/entries/2").json()["leaf_hash"]
    log_key = rig.harness.log_signer.verifier()
    with pytest.raises(SignatureError, match="too few witness cosignatures"):
        verify_tlog_proof(
            before, bytes.fromhex(leaf), ORIGIN, log_key, witnesses=[rig.verifier], min_witnesses=1
        )
    checkpoint = verify_tlog_proof(
        after, bytes.fromhex(leaf), ORIGIN, log_key, witnesses=[rig.verifier], min_witnesses=1
    )
    assert checkpoint.size == 4
    assert after.inclusion == before.inclusion


def test_background_collection_after_publish(rig: Rig) -> None:
    rig.witnesses.retry_interval_s = 60  # only the publish hook may wake it in time
    rig.ledger.start()
    rig.append(2)
    size = rig.ledger.size()
    deadline = time.monotonic() + 20
    while True:
        with rig.ledger.engine.connect() as conn:
            if last_cosigned_size(conn, rig.verifier.verifier_key()) == size:
                break
        assert time.monotonic() < deadline, "the witness thread did not collect"
        time.sleep(0.05)
    assert rig.verifier.name in rig.served_checkpoint()


def test_409_is_answered_with_the_witness_size(rig: Rig) -> None:
    """The witness saw our size-1 checkpoint before, but our database has no cosignature
    (say, it was collected by a process that crashed before storing it)."""
    with rig.ledger.engine.connect() as conn:
        genesis = conn.execute(text("SELECT note FROM ledger_checkpoints")).scalar_one()
    rig.witness.add_checkpoint(add_checkpoint_body(0, [], genesis))
    rig.append(3)
    [result] = rig.witnesses.collect()  # old 0 -> 409 "1" -> old 1 with proof -> 200
    assert result.outcome == "cosigned", result
    latest = rig.witness.store.latest(ORIGIN)
    assert latest is not None and latest.size == 4


def test_witness_already_at_our_size_recosigns(harness: Harness, tmp_path: Path) -> None:
    rig = make_rig(harness, tmp_path)
    try:
        rig.append(2)
        note = rig.ledger.latest_checkpoint()
        assert note is not None
        rig.witness.add_checkpoint(add_checkpoint_body(0, [], note.note))
        [result] = rig.witnesses.collect()  # old 0 -> 409 "3" -> old 3, empty proof
        assert result.outcome == "cosigned", result
    finally:
        rig.ledger.close()
        rig.witness.store.close()


def test_unreachable_witness_never_blocks_appends(harness: Harness) -> None:
    cosigner = generate_cosigner("witness.test/down")
    witnesses = WitnessSet(
        [WitnessEndpoint(cosigner.verifier(), "http://127.0.0.1:9")], timeout_s=0.5
    )
    ledger = Ledger(
        Settings(
            database_url=harness.ledger.settings.database_url,
            limits=Limits(checkpoint_interval_ms_min=0),
        ),
        all_kinds(),
        clock=harness.clock,
        log_signer=harness.log_signer,
        witnesses=witnesses,
    )
    try:
        ledger.start()
        key = SigningKey.generate()
        body = {"public_key": b64encode(bytes(key.verify_key)), "name": "x", "roles": []}
        started = time.monotonic()
        ledger.append(
            [harness.sign(harness.authority, "registry.key.registered", client_key_id(key), body)]
        )
        assert time.monotonic() - started < 5
        [result] = witnesses.collect()
        assert result.outcome == "failed" and "ConnectError" in result.detail
        with ledger.engine.connect() as conn:
            assert conn.execute(select(cosignatures)).all() == []
    finally:
        ledger.close()


def test_a_cosignature_by_another_key_is_not_stored(harness: Harness, tmp_path: Path) -> None:
    rig = make_rig(harness, tmp_path)
    try:
        # Configure the log with a different key of the same witness name.
        impostor = generate_cosigner("witness.test/w1")
        rig.witnesses.witnesses = (WitnessEndpoint(impostor.verifier(), WITNESS_URL),)
        [result] = rig.witnesses.collect()
        assert result.outcome == "failed" and "no cosignature" in result.detail
        with rig.ledger.engine.connect() as conn:
            assert conn.execute(select(cosignatures)).all() == []
        assert rig.served_checkpoint().count("\u2014") == 1  # the log's signature only
    finally:
        rig.ledger.close()
        rig.witness.store.close()


def test_cosignatures_are_append_only(rig: Rig) -> None:
    rig.witnesses.collect()
    for statement in (
        "UPDATE ledger_cosignatures SET cosigned_at = 1",
        "DELETE FROM ledger_cosignatures",
    ):
        with pytest.raises(DBAPIError, match="append-only"), rig.ledger.engine.begin() as conn:
            conn.execute(text(statement))
    with rig.ledger.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM ledger_cosignatures")).scalar_one() == 1


def test_postgres_cosignatures_refuse_truncate_and_grant_append_only(
    postgres_harness: Harness,
) -> None:
    engine = postgres_harness.ledger.engine
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("TRUNCATE ledger_cosignatures"))
    with engine.connect() as conn:
        privileges = {
            p: conn.execute(
                text("SELECT has_table_privilege('terang_appender', 'ledger_cosignatures', :p)"),
                {"p": p},
            ).scalar_one()
            for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
        }
    assert privileges == {
        "SELECT": True,
        "INSERT": True,
        "UPDATE": False,
        "DELETE": False,
        "TRUNCATE": False,
    }


def test_terang_witnesses_setting(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    one, two = generate_cosigner("w.example/one"), generate_cosigner("w.example/two")
    value = f" {one.verifier_key()}=https://one.example/w/ , {two.verifier_key()}=http://two:8001"
    monkeypatch.setenv("TERANG_WITNESSES", value)
    settings = Settings.from_env(database_url=harness.ledger.settings.database_url)
    ledger = Ledger(settings, all_kinds(), clock=harness.clock, log_signer=harness.log_signer)
    try:
        assert ledger.witnesses is not None
        assert [(w.url, w.verifier) for w in ledger.witnesses.witnesses] == [
            ("https://one.example/w", one.verifier()),
            ("http://two:8001", two.verifier()),
        ]
    finally:
        ledger.close()


def test_parse_witnesses_refuses_bad_values() -> None:
    cosigner = generate_cosigner("w.example/one")
    assert parse_witnesses("") == ()
    assert parse_witnesses(" , ") == ()
    with pytest.raises(ClientError):
        parse_witnesses(cosigner.verifier_key())  # no URL
    with pytest.raises(ClientError):
        parse_witnesses(f"{cosigner.verifier_key()}=ftp://x")
    with pytest.raises(ClientError):  # a log key is not a witness key
        parse_witnesses(f"{generate_signer('log.example/x').verifier_key()}=http://x")
    with pytest.raises(ClientError):
        parse_witnesses(f"{cosigner.verifier_key()}=http://a,{cosigner.verifier_key()}=http://b")


def test_metrics_show_each_witness_lag(rig: Rig) -> None:
    """``terang_witness_lag_entries`` grows when a witness falls behind (issue 17, item 9)."""

    def lag() -> float:
        with TestClient(create_app(rig.ledger)) as client:
            text = client.get("/metrics").text
        [line] = [ln for ln in text.splitlines() if ln.startswith("terang_witness_lag_entries{")]
        assert 'witness="witness.test/w1"' in line
        return float(line.rsplit(" ", 1)[1])

    rig.witnesses.collect()
    assert lag() == 0
    rig.append(3)
    rig.ledger.publisher.publish(force=True)
    assert lag() == 3  # published, not yet cosigned
    rig.witnesses.collect()
    assert lag() == 0
