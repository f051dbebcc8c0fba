"""The tender closer: appends each tender's closing entry at its deadline.

The closing entry is an ordinary signed statement (``procurement.tender.closed``),
signed by the service's own key, which an authority registered with the
``tender_closer`` role: that role may sign closings and nothing else, so the one
procurement key kept on the server cannot open, evaluate, award or plan anything.
It is a convenience, not a guarantee: the bid reducers refuse any bid whose
*logging time* is at or past the deadline whether or not the closing entry was logged
yet, so a late or missing closer can never let a late bid in. Anyone holding the role
(or ``procurement_officer``, ``committee_member``) may log the closing too.

Configuration: ``TERANG_PROCUREMENT_KEY_FILE`` (a Terang client key file, mode 0600,
registered with ``tender_closer``; ``terang demo`` writes ``demo-keys/DEMO-closer.key``) enables
the closer; ``TERANG_PROCUREMENT_CLOSE_INTERVAL_S`` (default 5) sets how often
it looks for tenders past their deadline.
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from nacl.signing import SigningKey

from ledger.authority import META_NAMESPACE
from ledger.clock import Clock
from ledger.errors import TerangError
from ledger.keys import load_client_key
from ledger.service import Ledger
from ledger.signing import make_signed
from ledger.state import Document
from ledger.statement import parse_time
from ledger.time_anchor import WITNESS_POLICY_KEY, WitnessPolicy
from ledger.witnessing import anchor_note
from procurement import lifecycle as lc
from procurement import reads
from procurement.limits import (
    CLOSINGS_PER_PASS_MAX,
)

log = logging.getLogger(__name__)
CLOSE_INTERVAL_S_DEFAULT = 5.0


class Closer:
    def __init__(
        self,
        ledger: Ledger,
        key: SigningKey,
        *,
        interval_s: float = CLOSE_INTERVAL_S_DEFAULT,
        clock: Clock | None = None,
    ) -> None:
        self.ledger = ledger
        self.key = key
        self.interval_s = interval_s
        self.clock = clock or ledger.clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def due(self, now: datetime) -> list[str]:
        """Ocids of active tenders whose bid deadline is at or before ``now``, at most
        ``CLOSINGS_PER_PASS_MAX``: the whole tender namespace is searched, window after
        window (``reads.find_tenders``), so no tender is past the closer's reach."""
        return [doc["ocid"] for doc in self._due(now)]

    def _due(self, now: datetime) -> list[Document]:
        found: list[Document] = []
        active = reads.TenderFilter(state=lc.ACTIVE)
        after: str | None = ""
        with self.ledger.engine.connect() as conn:
            while after is not None and len(found) < CLOSINGS_PER_PASS_MAX:
                page = reads.find_tenders(conn, active, after=after, limit=CLOSINGS_PER_PASS_MAX)
                for doc in page.items:
                    if parse_time(doc["schedule"]["bid_deadline"]) <= now:
                        found.append(doc)
                after = page.next_after
        return found[:CLOSINGS_PER_PASS_MAX]

    def witness_policy(self) -> WitnessPolicy | None:
        with self.ledger.engine.connect() as conn:
            doc = reads.document(conn, META_NAMESPACE, WITNESS_POLICY_KEY)
        return None if doc is None else WitnessPolicy.from_document(doc)

    def closing_body(
        self, tender: Document, policy: WitnessPolicy | None, now: datetime
    ) -> dict[str, Any] | None:
        """``{}`` without a witness policy; with one, ``{"time_anchor": note}`` holding the
        newest checkpoint the quorum cosigned by deadline + grace. None: not yet (the
        grace has not passed, or no such checkpoint exists: then bids are not anchored
        and the tender waits; an officer may cancel it)."""
        if policy is None:
            return {}
        not_after = int(parse_time(tender["schedule"]["bid_deadline"]).timestamp())
        not_after += policy.grace_s
        if now.timestamp() < not_after:
            return None  # late cosignatures of on-time bids may still arrive
        with self.ledger.engine.connect() as conn:
            note = anchor_note(
                conn,
                policy.witnesses,
                policy.quorum,
                not_after,
                tree_size_above=int(tender["seqs"].get("tender.announced", 0)),
            )
        if note is None:
            log.warning(
                "closing %s: no checkpoint cosigned by %d witness(es) by %d; waiting",
                tender["ocid"],
                policy.quorum,
                not_after,
            )
            return None
        return {"time_anchor": note}

    def close_due(self) -> list[str]:
        """Log the closing entry of every tender past its deadline; the ocids closed."""
        now = self.clock()
        closed = []
        policy = self.witness_policy()
        for tender in self._due(now):
            ocid = tender["ocid"]
            body = self.closing_body(tender, policy, now)
            if body is None:
                continue
            statement = make_signed(
                self.key,
                lc.CLOSED_TYPE,
                ocid,
                body,
                at=now,
                origin=self.ledger.origin,
                limits=self.ledger.limits,
            )
            try:
                self.ledger.append([statement])
            except TerangError as error:  # closed by someone else meanwhile: fine
                log.info("closing %s: %s %s", ocid, error.code, error.message)
                continue
            closed.append(ocid)
        return closed

    def run_until(self, stop: threading.Event) -> None:
        while not stop.wait(self.interval_s):
            try:
                self.close_due()
            except Exception:  # keep ticking; the next pass retries
                log.exception("procurement closer pass failed")

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self.run_until, args=(self._stop,), name="terang-closer", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None


def closer_from_env(ledger: Ledger, environ: dict[str, str] | None = None) -> Closer | None:
    env = dict(os.environ if environ is None else environ)
    key_file = env.get("TERANG_PROCUREMENT_KEY_FILE")
    if not key_file:
        return None
    interval = float(env.get("TERANG_PROCUREMENT_CLOSE_INTERVAL_S", CLOSE_INTERVAL_S_DEFAULT))
    return Closer(ledger, load_client_key(Path(key_file)), interval_s=interval)


def install(app: Any, ledger: Ledger) -> None:
    """Start the closer with the app when ``TERANG_PROCUREMENT_KEY_FILE`` is set."""
    closer = closer_from_env(ledger)
    if closer is None:
        return
    app.router.on_startup.append(closer.start)
    app.router.on_shutdown.append(closer.stop)
