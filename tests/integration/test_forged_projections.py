"""Forged projection rows are caught by the auditor (issue 10, item 5).

The operator edits ``projection_rows`` behind the service's back; the API serves the
edited rows, so ``terang verify`` must compare every published row with the replay:
rows claiming an entry the log does not have, rows written after the checkpoint
(compared on a catch-up replay), rows the replay lacks, and replayed documents that
are not published.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from log_surgery import behind_the_triggers
from sqlalchemy import text

from audit.remote import VerifyReport, verify_log
from audit.verifier import LogFault
from ledger.keys import client_key_id
from terang.app import all_kinds, create_app


class PublishingWhileVerifying(TestClient):
    """The log publishes its next checkpoint just as the auditor starts on the
    projections, i.e. after the first checkpoint was fetched and replayed."""

    def __init__(self, app: Any, harness: Harness) -> None:
        super().__init__(app)
        self.harness = harness
        self.published = False

    def get(self, url: Any, **kwargs: Any) -> Any:
        if str(url) == "/api/v1/projections" and not self.published:
            self.published = True
            self.harness.ledger.publisher.publish(force=True)
        return super().get(url, **kwargs)


def verify(h: Harness, *, catch_up_s_max: float = 5.0, publish_later: bool = False) -> VerifyReport:
    app = create_app(h.ledger)
    with PublishingWhileVerifying(app, h) if publish_later else TestClient(app) as client:
        return verify_log(
            client,
            h.log_signer.verifier_key(),
            all_kinds(),
            h.ledger.limits,
            catch_up_s_max=catch_up_s_max,
        )


def a_key_row(h: Harness, label: str) -> tuple[str, dict[str, object], int]:
    key_id = client_key_id(h.keys[label])
    with h.ledger.engine.connect() as conn:
        value, updated_seq = conn.execute(
            text(
                "SELECT value, updated_seq FROM projection_rows "
                "WHERE namespace = 'registry.key' AND key = :k"
            ),
            {"k": key_id},
        ).one()
    return key_id, json.loads(value), int(updated_seq)


def forge(h: Harness, key: str, value: dict[str, object], updated_seq: int) -> None:
    behind_the_triggers(
        h,
        "UPDATE projection_rows SET value = :v, updated_seq = :s "
        "WHERE namespace = 'registry.key' AND key = :k",
        v=json.dumps(value, sort_keys=True, separators=(",", ":")),
        s=updated_seq,
        k=key,
    )


def served_row(h: Harness, key: str) -> dict[str, object]:
    with TestClient(create_app(h.ledger)) as client:
        page = client.get(
            "/api/v1/projections", params={"namespace": "registry.key", "limit": 1000}
        ).json()
    return next(row for row in page["items"] if row["key"] == key)


@pytest.fixture
def log(harness: Harness) -> Harness:
    harness.register("officer", ["finance"])
    harness.register("vendor", ["vendor"])
    harness.ledger.publisher.publish(force=True)
    return harness


def test_an_honest_log_passes_with_every_row_compared(log: Harness) -> None:
    report = verify(log)
    assert report.projections_newer == 0 and report.caught_up_to is None
    with log.ledger.engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM projection_rows")).scalar_one()
    assert report.projections_compared == rows


def test_a_row_claiming_a_seq_beyond_the_log_is_a_fault(log: Harness) -> None:
    """The issue's attack: a forged value with updated_seq past the log, once skipped."""
    key, value, _ = a_key_row(log, "officer")
    forged = {**value, "roles": ["authority", "finance"]}
    forge(log, key, forged, 10**9)
    assert served_row(log, key)["value"] == forged  # the API serves the forgery
    with pytest.raises(LogFault) as caught:
        verify(log)
    assert caught.value.details["fault"] == "projection_beyond_log"
    assert caught.value.details["key"] == key
    assert key in caught.value.message


def test_a_row_claiming_an_entry_no_checkpoint_covers_is_a_fault(log: Harness) -> None:
    """A forged row hides in the window between sequenced and published entries."""
    log.ledger.publisher.interval_s_min = 3600.0  # nothing published from now on
    log.register("late", ["vendor"])  # sequenced, not covered by a checkpoint
    key, value, _ = a_key_row(log, "officer")
    forge(log, key, {**value, "name": "someone else"}, log.ledger.size() - 1)
    with pytest.raises(LogFault) as caught:
        verify(log, catch_up_s_max=0.5)
    assert caught.value.details["fault"] == "projection_not_covered"
    # It names a row claiming the uncovered entry (the forged one, or the late key's).
    assert caught.value.details["updated_seq"] == log.ledger.size() - 1


def test_a_forged_row_in_the_window_is_caught_once_a_checkpoint_covers_it(log: Harness) -> None:
    log.ledger.publisher.interval_s_min = 3600.0
    log.register("late", ["vendor"])
    key, value, _ = a_key_row(log, "officer")
    forge(log, key, {**value, "name": "someone else"}, log.ledger.size() - 1)
    with pytest.raises(LogFault) as caught:
        verify(log, publish_later=True)
    assert caught.value.details["fault"] == "projection_mismatch"
    assert caught.value.details["key"] == key


def test_honest_rows_written_after_the_checkpoint_are_compared_on_a_catch_up(
    log: Harness,
) -> None:
    log.ledger.publisher.interval_s_min = 3600.0
    log.register("late", ["vendor"])
    size = log.ledger.size()
    report = verify(log, publish_later=True)
    assert report.tree_size == size - 1  # the checkpoint first fetched
    assert report.projections_newer >= 1  # the late key's row (and the registry count)
    assert report.caught_up_to == size


def test_a_row_the_replay_does_not_have_is_a_fault(log: Harness) -> None:
    behind_the_triggers(
        log,
        "INSERT INTO projection_rows (namespace, key, value, updated_seq) "
        "VALUES ('registry.key', :k, :v, 1)",
        k="f" * 64,
        v='{"key_id":"' + "f" * 64 + '","name":"ghost","roles":["authority"]}',
    )
    with pytest.raises(LogFault) as caught:
        verify(log)
    assert caught.value.details["fault"] == "projection_unknown"
    assert caught.value.details["key"] == "f" * 64


def test_a_replayed_document_that_is_not_published_is_a_fault(log: Harness) -> None:
    key, _, _ = a_key_row(log, "vendor")
    behind_the_triggers(
        log, "DELETE FROM projection_rows WHERE namespace = 'registry.key' AND key = :k", k=key
    )
    with pytest.raises(LogFault) as caught:
        verify(log)
    assert caught.value.details["fault"] == "projection_missing"
    assert caught.value.details["key"] == key
