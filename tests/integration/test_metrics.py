"""``GET /metrics`` (issue 17, item 9): what an operator graphs and alerts on.

Read with Prometheus's own parser, as a scraper would, on both engines.
"""

from __future__ import annotations

from conftest import Harness, make_harness
from fastapi.testclient import TestClient
from nacl.signing import SigningKey
from prometheus_client.parser import text_string_to_metric_families

from ledger.keys import client_key_id
from ledger.limits import Limits
from ledger.statement import b64encode
from terang.app import create_app


def scrape(client: TestClient) -> dict[str, float]:
    """``name{label="v",...}`` -> value, for every sample of the exposition."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples: dict[str, float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return samples


def _register(harness: Harness, client: TestClient, label: str) -> None:
    key = SigningKey.generate()
    body = {"public_key": b64encode(bytes(key.verify_key)), "name": label, "roles": []}
    statement = harness.sign(harness.authority, "registry.key.registered", client_key_id(key), body)
    assert client.post("/api/v1/statements", json=statement.to_json()).status_code == 201


def test_requests_batches_and_checkpoints_are_counted(harness: Harness) -> None:
    harness.ledger.start()
    with TestClient(create_app(harness.ledger), raise_server_exceptions=False) as client:
        for seq in (0, 0, 10**9):
            client.get(f"/api/v1/entries/{seq}")
        client.get("/no/such/page/at/all")
        for n in range(3):
            _register(harness, client, f"vendor-{n}")
        harness.ledger.publisher.publish(force=True)
        samples = scrape(client)

    route = 'method="GET",route="/api/v1/entries/{seq}"'
    assert samples[f'terang_http_requests_total{{{route},status="200"}}'] == 2
    assert samples[f'terang_http_requests_total{{{route},status="404"}}'] == 1
    # The raw path never becomes a label: a scanner cannot grow the series.
    assert samples['terang_http_requests_total{method="GET",route="unmatched",status="404"}'] == 1
    assert not any("/no/such" in name for name in samples)
    assert samples[f"terang_http_request_duration_seconds_count{{{route}}}"] == 3
    assert samples["terang_group_commit_statements_count"] == 3
    assert samples["terang_group_commit_statements_sum"] == 3
    assert samples["terang_group_commit_jobs_sum"] == 3
    size = harness.ledger.size()
    assert samples["terang_tree_size"] == size
    assert samples["terang_checkpoint_size"] == size
    assert samples["terang_checkpoint_lag_seconds"] == 0
    assert samples["terang_checkpoint_age_seconds"] >= 0
    assert samples["terang_sequencer_queue_jobs"] == 0
    assert samples["terang_database_up"] == 1


def test_an_entry_no_checkpoint_covers_shows_as_lag(database_url: str) -> None:
    # A publisher that signs at most once an hour stands in for a stuck one.
    harness = make_harness(database_url, limits=Limits(checkpoint_interval_ms_min=3_600_000))
    try:
        with TestClient(create_app(harness.ledger), raise_server_exceptions=False) as client:
            before = scrape(client)
            harness.register("officer", ["procurement_officer"])  # logged, no checkpoint yet
            harness.clock.advance(42)
            after = scrape(client)
    finally:
        harness.ledger.close()
    assert before["terang_checkpoint_lag_seconds"] == 0
    assert after["terang_tree_size"] == before["terang_tree_size"] + 1
    assert after["terang_checkpoint_size"] == before["terang_checkpoint_size"]
    assert after["terang_checkpoint_lag_seconds"] == 42
    assert after["terang_checkpoint_age_seconds"] == before["terang_checkpoint_age_seconds"] + 42
