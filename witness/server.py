"""A C2SP tlog-witness (c2sp.org/tlog-witness) with Ed25519 cosignature/v1 keys.

A witness follows a configured set of logs (origin -> the log's Ed25519 verifier
keys), remembers the latest checkpoint it cosigned for each (``witness.store``),
and cosigns a new checkpoint only when it is signed by the log and provably
consistent with that one. So no two parties can be shown different histories of a
log (a *split view*) that both carry this witness's cosignature.

HTTP interface (``create_witness_app``), submission and monitoring prefix both ``/``:

``POST /add-checkpoint``, body ``old <size>\\n``, up to 63 base64 consistency proof
lines, an empty line, then the checkpoint note. Answers, in the order checked:

==== ==========================================================================
400  malformed body or note (not UTF-8, bad ``old`` line or proof line, more than
     63 proof lines, not a checkpoint), or ``old`` larger than the checkpoint size
404  unknown log origin (SPEC: "If the checkpoint origin is unknown, the witness
     MUST respond with a 404 Not Found")
403  no signature by a trusted key of that origin, or such a signature fails
409  ``old`` is not the size this witness last cosigned (0 if none); body: that
     size and a newline, ``Content-Type: text/x.tlog.size``
422  a size-0 checkpoint whose root is not SHA-256(""), a proof sent with
     ``old 0``, a consistency proof that does not verify, or the same size as the
     stored checkpoint with another root hash
413  body larger than ``WITNESS_REQUEST_BYTES_MAX``
200  the cosignature line ``— <witness name> <base64>\\n`` (text/plain)
==== ==========================================================================

``GET /<sha256(origin) hex>/checkpoint``: the latest cosigned checkpoint of that log
with the log signature(s) the witness verified and its own cosignature; 404 if none.

Every check-and-store is one atomic compare-and-swap (``WitnessStore.update``), and
the cosignature is persisted before the answer is sent. Refused requests that carry a
valid log signature are kept as evidence (``WitnessStore.refusals``).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.concurrency import run_in_threadpool

from ledger.checkpoint import Checkpoint
from ledger.errors import (
    ClientError,
    Forbidden,
    FormatError,
    InvariantBroken,
    NotFound,
    PayloadTooLarge,
    ProofError,
    SignatureError,
    TerangError,
)
from ledger.limits import HASH_BYTES
from ledger.merkle import EMPTY_ROOT, verify_consistency
from ledger.note import (
    CosignatureSigner,
    Note,
    Signature,
    Verifier,
    b64decode_strict,
    b64encode,
    open_note,
    parse_decimal,
    parse_verifier_key,
    split_note,
)
from witness.limits import WITNESS_PROOF_LINES_MAX, WITNESS_REQUEST_BYTES_MAX
from witness.store import (
    Refusal,
    SizeMismatch,
    StoredCheckpoint,
    WitnessStore,
    origin_hash,
)

log = logging.getLogger(__name__)

SIZE_CONTENT_TYPE = "text/x.tlog.size"
TEXT = "text/plain; charset=utf-8"
_ORIGIN_HASH = re.compile(r"[0-9a-f]{64}")


class BadRequest(ClientError):
    http_status = 400
    code = "bad_request"


class UnknownLog(NotFound):
    code = "unknown_log"


class LogSignatureRefused(Forbidden):
    code = "bad_log_signature"


class NotConsistent(ClientError):
    """422: the checkpoint is not provably consistent with the one the witness holds."""

    http_status = 422
    code = "not_consistent"


def posix_now() -> int:
    """The witness's clock: POSIX seconds (the cosignature timestamp)."""
    return int(time.time())


# ---------------------------------------------------------------------------------------
# The request format.


@dataclass(frozen=True)
class AddCheckpointRequest:
    old_size: int
    proof: tuple[bytes, ...]
    note: str
    """The checkpoint note, signatures included."""

    def to_bytes(self) -> bytes:
        lines = [f"old {self.old_size}", *(b64encode(h) for h in self.proof)]
        return ("\n".join(lines) + "\n\n" + self.note).encode("utf-8")


def parse_add_checkpoint(body: bytes) -> AddCheckpointRequest:
    """Strictly parse an add-checkpoint body; ``BadRequest`` (400) for any fault."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest("request body is not UTF-8") from exc
    # Header lines are never empty, so the first blank line ends them.
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise BadRequest("request body needs an old size line, proof lines and an empty line")
    lines = head.split("\n")
    old_line, proof_lines = lines[0], lines[1:]
    if not old_line.startswith("old "):
        raise BadRequest("the first line must be 'old <size>'")
    if len(proof_lines) > WITNESS_PROOF_LINES_MAX:
        raise BadRequest(f"more than {WITNESS_PROOF_LINES_MAX} consistency proof lines")
    try:
        old_size = parse_decimal(old_line[len("old ") :], "old size")
        proof = tuple(b64decode_strict(line, "consistency proof line") for line in proof_lines)
    except FormatError as exc:
        raise BadRequest(exc.message) from exc
    if any(len(h) != HASH_BYTES for h in proof):
        raise BadRequest(f"each consistency proof line must be a {HASH_BYTES}-byte hash")
    if not note:
        raise BadRequest("no checkpoint after the empty line")
    return AddCheckpointRequest(old_size, proof, note)


def parse_log_key(spec: str) -> tuple[str, Verifier]:
    """``VKEY`` (the origin is the key's name) or ``ORIGIN=VKEY``: a log the witness follows."""
    candidates = [("", spec)] + [
        (spec[:i], spec[i + 1 :]) for i in range(len(spec)) if spec[i] == "="
    ]
    for origin, vkey in candidates:
        try:
            verifier = parse_verifier_key(vkey)
        except TerangError:
            continue
        if not isinstance(verifier, Verifier):
            raise ClientError(f"log key {vkey!r} is not an Ed25519 (type 0x01) note key")
        return origin or verifier.name, verifier
    raise ClientError(f"log {spec!r}: expected VKEY or ORIGIN=VKEY", code="bad_log_key")


def parse_log_keys(specs: Sequence[str]) -> dict[str, tuple[Verifier, ...]]:
    """Several ``--log`` values; one origin may have several keys (rotation)."""
    logs: dict[str, list[Verifier]] = {}
    for spec in specs:
        origin, verifier = parse_log_key(spec.strip())
        keys = logs.setdefault(origin, [])
        if any((v.name, v.key_id) == (verifier.name, verifier.key_id) for v in keys):
            raise ClientError(f"log key {verifier.verifier_key()} is listed twice")
        keys.append(verifier)
    return {origin: tuple(keys) for origin, keys in logs.items()}


# ---------------------------------------------------------------------------------------
# The witness.


class Witness:
    """The add-checkpoint logic over a ``WitnessStore``; no HTTP here."""

    def __init__(
        self,
        signer: CosignatureSigner,
        logs: Mapping[str, Sequence[Verifier]],
        store: WitnessStore,
        *,
        clock: Callable[[], int] = posix_now,
    ) -> None:
        if not isinstance(signer, CosignatureSigner):
            raise ClientError("a witness signs with a cosignature/v1 key")
        self.signer = signer
        self.logs = {origin: tuple(keys) for origin, keys in logs.items() if keys}
        self.store = store
        self.clock = clock

    @property
    def verifier_key(self) -> str:
        return self.signer.verifier_key()

    def add_checkpoint(self, body: bytes) -> str:
        """Handle one add-checkpoint body; return the cosignature line(s) to send.

        Raises ``BadRequest`` (400), ``UnknownLog`` (404), ``LogSignatureRefused``
        (403), ``SizeMismatch`` (409, with ``latest_size``) or ``NotConsistent`` (422).
        """
        request = parse_add_checkpoint(body)
        try:
            parsed = split_note(request.note)
            checkpoint = Checkpoint.parse(parsed.text)
        except FormatError as exc:
            raise BadRequest(f"not a checkpoint note: {exc.message}") from exc
        verifiers = self.logs.get(checkpoint.origin)
        if verifiers is None:
            raise UnknownLog("this witness does not follow that log", origin=checkpoint.origin)
        try:
            note = open_note(request.note, verifiers)
        except SignatureError as exc:
            raise LogSignatureRefused(f"log signature: {exc.message}") from exc
        if request.old_size > checkpoint.size:
            raise BadRequest(
                f"old size {request.old_size} is larger than the checkpoint size {checkpoint.size}"
            )
        log_signatures = tuple(v.signature for v in note.verified)
        cosignature: list[Signature] = []

        def make(current: StoredCheckpoint | None) -> StoredCheckpoint:
            self._check_consistency(request, checkpoint, current)
            timestamp = self.clock()
            if not 0 < timestamp < 2**63:
                raise InvariantBroken("the witness clock gave a timestamp out of range")
            cosig = self.signer.cosign(parsed.text, timestamp)
            cosignature.append(cosig)
            stored = Note(parsed.text, (*log_signatures, cosig)).to_text()
            return StoredCheckpoint(
                checkpoint.origin, checkpoint.size, checkpoint.root_hash, stored, timestamp
            )

        try:
            self.store.update(checkpoint.origin, request.old_size, make)
        except SizeMismatch:
            latest = self.store.latest(checkpoint.origin)
            if (
                latest is not None
                and latest.size == checkpoint.size
                and latest.root_hash != checkpoint.root_hash
            ):
                self._refuse(
                    request, checkpoint, "same size as the cosigned checkpoint, other root"
                )
            raise
        except NotConsistent as refusal:
            self._refuse(request, checkpoint, refusal.message)
            raise
        log.info(
            "cosigned %s size %d (old %d)", checkpoint.origin, checkpoint.size, request.old_size
        )
        return "".join(sig.line for sig in cosignature)

    @staticmethod
    def _check_consistency(
        request: AddCheckpointRequest, checkpoint: Checkpoint, current: StoredCheckpoint | None
    ) -> None:
        # SPEC: tlog-witness: a size-0 checkpoint must have the empty tree's root.
        if checkpoint.size == 0 and checkpoint.root_hash != EMPTY_ROOT:
            raise NotConsistent("a checkpoint of size 0 must have the root SHA-256('')")
        if request.old_size == 0:
            # SPEC: "If the old size is zero, the consistency proof MUST be empty".
            if request.proof:
                raise NotConsistent("old size 0 takes no consistency proof")
            return
        if current is None:  # old_size == stored size > 0 means a row exists
            raise InvariantBroken("old size matched a stored checkpoint that is not there")
        try:
            # Equal sizes: the proof must be empty and the roots equal.
            verify_consistency(
                current.size,
                checkpoint.size,
                request.proof,
                current.root_hash,
                checkpoint.root_hash,
            )
        except ProofError as exc:
            raise NotConsistent(
                f"not consistent with the cosigned checkpoint of size {current.size}: {exc.message}"
            ) from exc

    def _refuse(self, request: AddCheckpointRequest, checkpoint: Checkpoint, reason: str) -> None:
        """Keep a validly signed, refused checkpoint as evidence of misbehaviour."""
        log.warning(
            "refused a checkpoint signed by %s (size %d, old %d): %s",
            checkpoint.origin,
            checkpoint.size,
            request.old_size,
            reason,
        )
        try:
            self.store.record_refusal(
                Refusal(
                    origin_hash(checkpoint.origin),
                    request.old_size,
                    checkpoint.size,
                    checkpoint.root_hash,
                    reason,
                    request.to_bytes().decode("utf-8"),
                    self.clock(),
                )
            )
        except Exception:  # evidence is best effort; the refusal itself stands
            log.exception("could not record a refused checkpoint")

    def latest_note(self, ohash: str) -> str | None:
        """The latest cosigned checkpoint of the log whose origin hashes to ``ohash``."""
        stored = self.store.latest_by_hash(ohash)
        return None if stored is None else stored.note


# ---------------------------------------------------------------------------------------
# HTTP.


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"request body larger than {limit} bytes")
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise PayloadTooLarge(f"request body larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _error(error: TerangError) -> Response:
    if isinstance(error, SizeMismatch):
        # SPEC: exactly this Content-Type (Starlette would add a charset to text/*).
        return Response(
            f"{error.latest_size}\n",
            status_code=409,
            headers={"Content-Type": SIZE_CONTENT_TYPE},
        )
    if error.http_status >= 500:
        log.error("witness error %s: %s", error.code, error.message)
    return PlainTextResponse(error.message + "\n", status_code=error.http_status)


def create_witness_app(
    witness: Witness, *, max_request_bytes: int = WITNESS_REQUEST_BYTES_MAX
) -> FastAPI:
    """The witness's HTTP API (see the module docstring)."""
    app = FastAPI(
        title="Terang witness",
        description="A C2SP tlog-witness: cosigns checkpoints of the logs it follows.",
        version="0.1.0",
    )
    app.state.witness = witness

    @app.post("/add-checkpoint", response_class=PlainTextResponse)
    async def add_checkpoint(request: Request) -> Response:
        try:
            body = await _read_body(request, max_request_bytes)
            lines = await run_in_threadpool(witness.add_checkpoint, body)
        except TerangError as error:
            return _error(error)
        return Response(lines, media_type=TEXT)

    @app.get("/{ohash}/checkpoint", response_class=PlainTextResponse)
    def get_checkpoint(ohash: str) -> Response:
        if _ORIGIN_HASH.fullmatch(ohash) is None:
            return PlainTextResponse("not a lowercase hex SHA-256 origin hash\n", 404)
        note = witness.latest_note(ohash)
        if note is None:
            return PlainTextResponse("this witness has not cosigned that log\n", 404)
        return Response(note, media_type=TEXT, headers={"Cache-Control": "no-cache"})

    @app.get("/")
    def about() -> JSONResponse:
        return JSONResponse(
            {
                "name": witness.signer.name,
                "verifier_key": witness.verifier_key,
                "logs": {
                    origin: {
                        "origin_hash": origin_hash(origin),
                        "verifier_keys": [v.verifier_key() for v in keys],
                    }
                    for origin, keys in sorted(witness.logs.items())
                },
            }
        )

    return app
