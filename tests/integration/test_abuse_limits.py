"""Issue 10, item 8: what one anonymous client can cost the service, attack by attack.

Each test acts as the attacker would (a chunked body that never ends, a trickled body,
a flood of requests or self-registrations, a batch the log would reject, a crowd of
bulk reads) and checks the service refuses it cheaply, with a problem document, and
without changing anything. Storage is involved, so every test runs on both engines.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import httpx
from conftest import Harness
from fastapi.testclient import TestClient
from nacl.signing import SigningKey

from ledger.keys import client_key_id
from ledger.limits import Limits
from ledger.statement import SignedStatement, b64encode
from procurement.client import registration
from terang.app import create_app

BODY_BYTES_MAX = 64 * 1024
CHUNK_BYTES = 16 * 1024
T = TypeVar("T")


def run_in_own_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on a thread of its own: the browser tests' Playwright leaves an
    event loop running on the main thread for the rest of the session."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def limits(**overrides: int) -> Limits:
    return Limits(checkpoint_interval_ms_min=0, **overrides)


def statements_json(signed: list[SignedStatement]) -> dict[str, Any]:
    return {"statements": [s.to_json() for s in signed]}


def new_key_statement(harness: Harness, signer: SigningKey, label: str) -> SignedStatement:
    key = SigningKey.generate()
    body = {"public_key": b64encode(bytes(key.verify_key)), "name": label}
    return harness.sign(signer, "registry.key.registered", client_key_id(key), body)


def vendor(harness: Harness, n: int) -> SignedStatement:
    return registration(
        SigningKey.generate(),
        f"CV Vendor {n}",
        f"{100_000_000_000_000 + n:015d}",
        "Jl. Merdeka 1",
        "kecil",
        at=harness.clock(),
        origin=harness.ledger.origin,
    )


def count_sequencer_jobs(harness: Harness) -> list[int]:
    """Behind the service's back: how many jobs reach the sequencer's transaction."""
    seen: list[int] = []
    original = harness.ledger.sequencer.append_batch

    def spy(jobs: Any) -> Any:
        seen.extend(len(job) for job in jobs)
        return original(jobs)

    harness.ledger.sequencer.append_batch = spy  # type: ignore[method-assign]
    return seen


# -- 1. bodies: a size limit while streaming, and a deadline -----------------------------


class EndlessBody:
    """An ASGI ``receive`` that offers chunk after chunk and counts what was taken."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.delay_s = delay_s
        self.taken_bytes = 0

    async def __call__(self) -> dict[str, Any]:
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        self.taken_bytes += CHUNK_BYTES
        if self.taken_bytes > 64 * BODY_BYTES_MAX:  # the attacker's patience, 4 MiB
            return {"type": "http.request", "body": b" ", "more_body": False}
        return {"type": "http.request", "body": b" " * CHUNK_BYTES, "more_body": True}


def call_asgi(
    app: Any, method: str, path: str, headers: list[tuple[bytes, bytes]], receive: Any
) -> tuple[int, dict[str, str], bytes]:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"terang.test"), *headers],
        "client": ("198.51.100.7", 40000),
        "server": ("terang.test", 80),
    }

    async def run() -> None:
        await asyncio.wait_for(app(scope, receive, send), timeout=10)

    run_in_own_loop(run())
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    headers_out = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    return start["status"], headers_out, body


def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_limit(
    harness_factory: Callable[..., Harness],
) -> None:
    harness = harness_factory(limits=limits(request_body_bytes_max=BODY_BYTES_MAX))
    app = create_app(harness.ledger)
    body = EndlessBody()
    chunked = [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")]
    status, headers, problem = call_asgi(app, "POST", "/api/v1/statements", chunked, body)
    # Not read whole: at most the limit and the chunk that broke it.
    assert body.taken_bytes <= BODY_BYTES_MAX + CHUNK_BYTES
    assert status == 413
    assert headers["content-type"] == "application/problem+json"
    assert b'"code":"request_too_large"' in problem
    assert headers["connection"] == "close"  # the unread rest cannot be skipped over
    assert harness.ledger.size() == 1


def test_a_declared_oversized_body_is_refused_before_a_byte_is_read(
    harness_factory: Callable[..., Harness],
) -> None:
    harness = harness_factory(limits=limits(request_body_bytes_max=BODY_BYTES_MAX))
    app = create_app(harness.ledger)
    body = EndlessBody()
    declared = [(b"content-length", str(256 * 1024 * 1024).encode())]
    status, headers, _ = call_asgi(app, "POST", "/api/v1/statements/batch", declared, body)
    assert body.taken_bytes == 0
    assert status == 413 and headers["connection"] == "close"


def test_a_trickled_body_is_cut_off_at_the_read_deadline(
    harness_factory: Callable[..., Harness],
) -> None:
    harness = harness_factory(limits=limits(request_body_read_ms_max=300))
    app = create_app(harness.ledger)
    slowloris = EndlessBody(delay_s=0.1)  # a chunk every 100 ms, for ever
    chunked = [(b"transfer-encoding", b"chunked")]
    status, headers, problem = call_asgi(app, "POST", "/api/v1/statements", chunked, slowloris)
    assert status == 408
    assert b'"code":"request_timeout"' in problem
    assert headers["connection"] == "close"
    assert slowloris.taken_bytes <= 5 * CHUNK_BYTES


# -- 2. rate limits per client and per signer --------------------------------------------


def test_a_client_that_spent_its_write_rate_gets_429_and_others_do_not(
    harness_factory: Callable[..., Harness],
) -> None:
    harness = harness_factory(limits=limits(client_write_requests_per_min_max=3))
    app = create_app(harness.ledger)
    with (
        TestClient(app, client=("203.0.113.9", 1)) as abuser,
        TestClient(app, client=("198.51.100.20", 1)) as honest,
    ):
        for i in range(3):
            statement = new_key_statement(harness, harness.authority, f"k{i}")
            assert abuser.post("/api/v1/statements", json=statement.to_json()).status_code == 201
        refused = abuser.post(
            "/api/v1/statements", json=new_key_statement(harness, harness.authority, "x").to_json()
        )
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] == "too_many_requests"
        assert refused.json()["details"]["limit"] == "client_write_requests_per_min_max"
        assert int(refused.headers["retry-after"]) >= 1
        statement = new_key_statement(harness, harness.authority, "h")
        assert honest.post("/api/v1/statements", json=statement.to_json()).status_code == 201
        assert abuser.get("/log/checkpoint").status_code == 200  # reads have their own rate
    assert harness.ledger.size() == 1 + 3 + 1


def test_a_client_that_spent_its_read_rate_gets_429(
    harness_factory: Callable[..., Harness],
) -> None:
    harness = harness_factory(limits=limits(client_read_requests_per_min_max=5))
    with TestClient(create_app(harness.ledger), client=("203.0.113.9", 1)) as client:
        statuses = [client.get("/log/checkpoint").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]


def test_a_signer_that_spent_its_rate_gets_429_from_any_client(
    harness_factory: Callable[..., Harness],
) -> None:
    harness = harness_factory(
        limits=limits(batch_statements_max=4, signer_statements_per_min_max=4)
    )
    app = create_app(harness.ledger)
    batch = [new_key_statement(harness, harness.authority, f"k{i}") for i in range(4)]
    with (
        TestClient(app, client=("203.0.113.1", 1)) as first,
        TestClient(app, client=("203.0.113.2", 1)) as second,
    ):
        assert first.post("/api/v1/statements/batch", json=statements_json(batch)).status_code == (
            201
        )
        one_more = new_key_statement(harness, harness.authority, "k5")
        refused = second.post("/api/v1/statements", json=one_more.to_json())
    assert refused.status_code == 429
    assert refused.json()["details"]["limit"] == "signer_statements_per_min_max"
    assert harness.ledger.size() == 1 + 4


def test_statements_that_merely_name_a_signer_do_not_spend_its_rate(
    harness_factory: Callable[..., Harness],
) -> None:
    """Only admitted (correctly signed) statements count against their signer: an
    attacker cannot lock an officer out by sending forgeries under the officer's key id."""
    harness = harness_factory(
        limits=limits(batch_statements_max=4, signer_statements_per_min_max=4)
    )
    app = create_app(harness.ledger)
    forged = [
        SignedStatement(new_key_statement(harness, harness.authority, f"f{i}").statement, bytes(64))
        for i in range(4)
    ]
    with (
        TestClient(app, client=("203.0.113.9", 1)) as attacker,
        TestClient(app, client=("198.51.100.20", 1)) as officer,
    ):
        for _ in range(3):
            refused = attacker.post("/api/v1/statements/batch", json=statements_json(forged))
            assert refused.json()["code"] == "bad_signature"
        real = new_key_statement(harness, harness.authority, "real")
        assert officer.post("/api/v1/statements", json=real.to_json()).status_code == 201


def test_one_request_cannot_add_a_thousand_self_registrations(
    harness_factory: Callable[..., Harness],
) -> None:
    harness = harness_factory(limits=limits(self_registrations_per_request_max=10))
    jobs = count_sequencer_jobs(harness)
    batch = [vendor(harness, i) for i in range(11)]
    with TestClient(create_app(harness.ledger)) as client:
        refused = client.post("/api/v1/statements/batch", json=statements_json(batch))
        assert refused.status_code == 413
        assert refused.json()["code"] == "too_many_self_registrations"
        ten = client.post("/api/v1/statements/batch", json=statements_json(batch[:10]))
        assert ten.status_code == 201
    assert jobs == [10]  # the refused batch never reached the sequencer
    assert harness.ledger.size() == 1 + 10


def test_one_client_cannot_keep_adding_self_registrations(
    harness_factory: Callable[..., Harness],
) -> None:
    harness = harness_factory(
        limits=limits(
            self_registrations_per_request_max=2, client_self_registrations_per_hour_max=3
        )
    )
    app = create_app(harness.ledger)
    with (
        TestClient(app, client=("203.0.113.9", 1)) as abuser,
        TestClient(app, client=("198.51.100.20", 1)) as other,
    ):
        statuses = [
            abuser.post("/api/v1/statements", json=vendor(harness, i).to_json()).status_code
            for i in range(4)
        ]
        refused = abuser.post("/api/v1/statements", json=vendor(harness, 9).to_json())
        assert other.post("/api/v1/statements", json=vendor(harness, 10).to_json()).status_code == (
            201
        )
    assert statuses == [201, 201, 201, 429]
    assert refused.json()["details"]["limit"] == "client_self_registrations_per_hour_max"
    assert harness.ledger.size() == 1 + 3 + 1


# -- 3. admission: what the sequencer would reject never waits in its queue --------------


def test_batches_the_log_would_reject_never_reach_the_sequencer(harness: Harness) -> None:
    stranger = SigningKey.generate()
    officer = harness.register("officer", ["procurement_officer"])
    jobs = count_sequencer_jobs(harness)
    unknown = [new_key_statement(harness, stranger, f"s{i}") for i in range(50)]
    good = [new_key_statement(harness, harness.authority, f"a{i}") for i in range(3)]
    forged = new_key_statement(harness, harness.authority, "forged")
    forged = SignedStatement(forged.statement, bytes(64))
    no_role = new_key_statement(harness, officer, "needs authority")
    with TestClient(create_app(harness.ledger)) as client:
        post = client.post
        first_unknown = post("/api/v1/statements/batch", json=statements_json(unknown))
        bad_signature = post("/api/v1/statements/batch", json=statements_json([*good, forged]))
        missing_role = post("/api/v1/statements/batch", json=statements_json([*good, no_role]))
    assert (first_unknown.status_code, first_unknown.json()["code"]) == (403, "unknown_signer")
    assert first_unknown.json()["details"]["statement_index"] == 0
    assert (bad_signature.status_code, bad_signature.json()["code"]) == (422, "bad_signature")
    assert bad_signature.json()["details"]["statement_index"] == 3
    assert (missing_role.status_code, missing_role.json()["code"]) == (403, "missing_role")
    assert missing_role.json()["details"]["statement_index"] == 3
    assert jobs == []
    assert harness.ledger.size() == 2  # genesis and the officer's key


def test_admission_lets_a_job_register_a_key_and_use_it(harness: Harness) -> None:
    """A key registered (with its role) earlier in the same job may sign later in it."""
    newcomer = SigningKey.generate()
    body = {
        "public_key": b64encode(bytes(newcomer.verify_key)),
        "name": "new authority",
        "roles": ["authority"],
    }
    register = harness.sign(
        harness.authority, "registry.key.registered", client_key_id(newcomer), body
    )
    used = new_key_statement(harness, newcomer, "registered by the newcomer")
    with TestClient(create_app(harness.ledger)) as client:
        done = client.post("/api/v1/statements/batch", json=statements_json([register, used]))
    assert done.status_code == 201, done.json()
    assert harness.ledger.size() == 3


def test_a_repeat_is_still_answered_after_its_signer_lost_the_role(harness: Harness) -> None:
    """Idempotency comes first: a retry of a logged statement gets its first receipt,
    even though admission would now refuse the same statement as new."""
    deputy = harness.register("deputy", ["authority"])
    first = new_key_statement(harness, deputy, "by the deputy")
    revoke = harness.sign(
        harness.authority, "registry.role.revoked", client_key_id(deputy), {"role": "authority"}
    )
    with TestClient(create_app(harness.ledger)) as client:
        assert client.post("/api/v1/statements", json=first.to_json()).status_code == 201
        assert client.post("/api/v1/statements", json=revoke.to_json()).status_code == 201
        again = client.post("/api/v1/statements", json=first.to_json())
        fresh = client.post(
            "/api/v1/statements", json=new_key_statement(harness, deputy, "new").to_json()
        )
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert (fresh.status_code, fresh.json()["code"]) == (403, "missing_role")


def test_a_revoked_key_is_told_it_is_revoked_not_that_it_lacks_a_role(harness: Harness) -> None:
    """The sequencer checks revocation before roles; admission says the same, so the
    holder of a lost key is told to get a new key registered, not to ask for a role. A
    retry of what the key logged before its revocation still gets its first receipt."""
    deputy = harness.register("deputy", ["authority"])
    before = new_key_statement(harness, deputy, "before the revocation")
    revoke = harness.sign(
        harness.authority, "registry.key.revoked", client_key_id(deputy), {"reason": "hilang"}
    )
    with TestClient(create_app(harness.ledger)) as client:
        assert client.post("/api/v1/statements", json=before.to_json()).status_code == 201
        assert client.post("/api/v1/statements", json=revoke.to_json()).status_code == 201
        jobs = count_sequencer_jobs(harness)
        after = client.post(
            "/api/v1/statements", json=new_key_statement(harness, deputy, "after").to_json()
        )
        again = client.post("/api/v1/statements", json=before.to_json())
    assert (after.status_code, after.json()["code"]) == (403, "revoked_signer")
    assert "registers the holder's new key" in after.json()["detail"]
    assert jobs == [1]  # the refused statement never queued; only the retry did
    assert again.status_code == 200 and again.json()["duplicate"] is True


# -- 4. heavy reads wait their turn; light reads do not wait behind them -----------------


def test_heavy_reads_are_bounded_and_light_reads_stay_fast(
    harness_factory: Callable[..., Harness],
) -> None:
    harness = harness_factory(
        limits=limits(heavy_reads_max=1, heavy_reads_queued_max=1, heavy_read_wait_ms_max=200)
    )
    app = create_app(harness.ledger)
    entered = threading.Event()
    release = threading.Event()

    # A heavy read that holds its turn until told (a report route's path: heavy).
    def slow_report() -> dict[str, str]:
        entered.set()
        release.wait(10)
        return {"done": "yes"}

    app.add_api_route("/api/v1/budget/reports/slow", slow_report)

    async def scenario() -> tuple[int, int, int, str, int]:
        transport = httpx.ASGITransport(app=app, client=("198.51.100.1", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            holder = asyncio.create_task(client.get("/api/v1/budget/reports/slow"))
            while not entered.is_set():
                await asyncio.sleep(0.01)
            waiter = asyncio.create_task(client.get("/api/v1/budget/reports/slow"))
            await asyncio.sleep(0.05)
            refused = await client.get("/api/v1/budget/reports/slow")  # queue is full
            light = await client.get("/log/checkpoint")
            timed_out = await waiter  # waited 200 ms for a turn
            release.set()
            held = await holder
            return (
                held.status_code,
                refused.status_code,
                light.status_code,
                refused.json()["code"],
                timed_out.status_code,
            )

    held, refused, light, code, timed_out = run_in_own_loop(scenario())
    assert (held, light) == (200, 200)
    assert (refused, code) == (503, "heavy_reads_busy")
    assert timed_out == 503
