"""Parse entry bundles and check their signatures ahead of the replay, on every core.

``terang verify`` replays one entry at a time (the replay is ordered by nature), but most
of an entry's cost is independent of the others: the strict parse (JSON, every field's
format, the bytes re-encoded and compared) was 55% of a verify's CPU time in the profile
of 100,000 entries, and the Ed25519 check most of the rest. So bundles are parsed and
pre-verified in worker processes while the main process replays the bundles before them.

Rules (each keeps what the replay checks unchanged):

1. a worker runs exactly ``LoggedEntry.parse``, the strict parser the replay itself uses;
   what comes back is its result, pickled (a test holds the round trip byte-equal);
2. a bundle's entry that does not parse comes back as its seq and message, and becomes
   the same ``LogFault`` the in-process parse gives, in the same place of the order;
3. a worker checks signatures only under keys already known when the bundle was sent
   (a key id is the SHA-256 of its key, so a known id can only mean that key); a
   success is remembered on the entry, a failure is left for the replay to report in its
   documented order, and a key registered in the last few bundles is checked by the
   replay itself; it also checks the dated text rule (``ledger.replay.check_text_rule``,
   a function of the entry alone), remembered the same way;
4. results are consumed in bundle order, at most ``depth`` bundles ahead, so memory
   holds a bounded window, as the fetch thread's does.

``workers=0`` does the same work on one thread of this process (small logs, where
starting processes costs more than it saves, and tests of both paths).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor

from audit.limits import VERIFY_WORKERS_MAX
from audit.verifier import LogFault
from ledger.errors import SignatureError, TerangError
from ledger.limits import Limits
from ledger.replay import check_text_rule
from ledger.statement import LoggedEntry

ParseFailure = tuple[int, str]
"""An entry that does not parse: its seq and the parser's message."""
Parsed = list[LoggedEntry | LogFault]


def default_workers() -> int:
    """One worker per core: the replay shares a core with one of them."""
    return max(1, min(os.cpu_count() or 1, VERIFY_WORKERS_MAX))


def parse_and_preverify(
    bundle: list[bytes],
    first_seq: int,
    limits: Limits,
    known_keys: dict[str, bytes],
    origin: str,
) -> list[LoggedEntry | ParseFailure]:
    """Strictly parse one bundle's entries and check the signatures of known signers."""
    parsed: list[LoggedEntry | ParseFailure] = []
    for offset, entry_bytes in enumerate(bundle):
        try:
            entry = LoggedEntry.parse(entry_bytes, limits)
        except TerangError as exc:
            parsed.append((first_seq + offset, exc.message))
            continue
        public_key = known_keys.get(entry.signed.statement.signer)
        if public_key is not None:
            with contextlib.suppress(SignatureError):
                entry.verify_signature(public_key, origin=origin)
        with contextlib.suppress(TerangError):  # the replay raises it, in its order
            check_text_rule(entry)
        parsed.append(entry)
    return parsed


def as_parsed(results: list[LoggedEntry | ParseFailure]) -> Parsed:
    """Failures as the ``LogFault`` the replay raises for an entry that does not parse."""
    return [
        item
        if isinstance(item, LoggedEntry)
        else LogFault(f"entry {item[0]}: does not parse: {item[1]}", seq=item[0], fault="malformed")
        for item in results
    ]


class ParseAhead:
    """Parses bundles ahead of the replay: ``workers`` processes, or one thread if 0."""

    def __init__(self, limits: Limits, origin: str, *, workers: int, depth: int) -> None:
        self.limits = limits
        self.origin = origin
        self.depth = max(1, depth)
        self._executor: Executor
        if workers > 0:
            # forkserver: the verifier's fetch thread is running, and forking a process
            # with threads can copy a held lock into the child.
            context = multiprocessing.get_context("forkserver")
            self._executor = ProcessPoolExecutor(
                max_workers=min(workers, VERIFY_WORKERS_MAX), mp_context=context
            )
        else:
            self._executor = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="terang-verify-parse"
            )

    def __enter__(self) -> ParseAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def parsed(
        self, bundles: Iterable[tuple[int, list[bytes]]], known_keys: dict[str, bytes]
    ) -> Iterator[Parsed]:
        """Each bundle's entries, parsed, in order; ``bundles`` gives (first seq, bytes).

        ``known_keys`` is read each time a bundle is sent, so keys the replay learns
        (it adds them as it goes) reach the bundles sent after."""
        pending: deque[Future[list[LoggedEntry | ParseFailure]]] = deque()
        for first_seq, bundle in bundles:
            pending.append(
                self._executor.submit(
                    parse_and_preverify,
                    bundle,
                    first_seq,
                    self.limits,
                    dict(known_keys),
                    self.origin,
                )
            )
            if len(pending) > self.depth:
                yield as_parsed(pending.popleft().result())
        while pending:
            yield as_parsed(pending.popleft().result())
