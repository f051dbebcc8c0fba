"""``terang verify``: the auditor's tool. Reads only the public API (or a bundle file).

With ``--tiles-only`` URL is a static mirror of the log's tiles (``terang
publish-tiles``): the log is verified from them, the projections are not (a mirror
publishes none), and the report and a warning say so.

Exit status: 0 only when everything holds; 1 with a report naming the first bad
entry and the kind of fault (a held receipt or checkpoint the log contradicts
included); 2 when the log could not be read at all; 3 when an ``--evidence`` file
cannot be used (unreadable, not a receipt or checkpoint of this log, not signed by
its key): the evidence is at fault, and nothing was verified.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from audit.limits import PROCESS_ENTRIES_MIN, VERIFY_WORKERS_MAX
from ledger.errors import ClientError

if TYPE_CHECKING:
    import httpx

    from audit.policy import Policy
    from ledger.limits import Limits
    from ledger.note import Verifier

# The verifier itself is imported inside the command: `terang --help` starts without it.

console = Console(stderr=True)
DEFAULT_STATE_FILE = Path(os.path.expanduser("~/.terang/verify-state.json"))


def verify_command(
    url: Annotated[str, typer.Argument(help="Base URL of the log, e.g. https://terang.example")],
    key: Annotated[
        str | None,
        typer.Option(
            "--key",
            envvar="TERANG_VERIFIER_KEY",
            help="The log's verifier key (name+keyid+base64), obtained out of band.",
        ),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option(
            envvar="TERANG_VERIFY_POLICY",
            help="A C2SP tlog-policy file: trusted logs, witnesses and the cosigning quorum "
            "(k of n) a checkpoint must meet. Instead of, or with, --key.",
        ),
    ] = None,
    record: Annotated[
        str | None,
        typer.Option(
            help="Check one record's proof bundle only: a subject (fetched from URL) or "
            "@file.json (a downloaded bundle, checked offline).",
        ),
    ] = None,
    state: Annotated[
        Path,
        typer.Option(
            envvar="TERANG_VERIFY_STATE",
            help="Where the last verified checkpoint is kept, to prove the next one consistent.",
        ),
    ] = DEFAULT_STATE_FILE,
    projections: Annotated[
        bool, typer.Option(help="Compare replayed state with the published projections.")
    ] = True,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    evidence: Annotated[
        list[Path] | None,
        typer.Option(
            "--evidence",
            envvar="TERANG_VERIFY_EVIDENCE",
            help="A receipt (.tlog-proof, or the write API's JSON receipt) or a saved "
            "checkpoint you hold, or a directory of them (searched recursively); "
            "repeatable. Each must agree with the log served now.",
        ),
    ] = None,
    tiles_only: Annotated[
        bool,
        typer.Option(
            "--tiles-only",
            envvar="TERANG_VERIFY_TILES_ONLY",
            help="URL is a static tlog-tiles mirror (terang publish-tiles behind any web "
            "server, serving URL/log/...): verify the log from its tiles alone. It publishes "
            "no projections, so they are not compared, and the report says so.",
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=VERIFY_WORKERS_MAX,
            envvar="TERANG_VERIFY_WORKERS",
            help="Processes that parse entries and check signatures ahead of the replay "
            "(default: one per core; 0: none, a thread of this process does it). Used when "
            f"there are at least {PROCESS_ENTRIES_MIN} entries to replay.",
        ),
    ] = None,
) -> None:
    """Verify a Terang log as an outsider: signatures, hashes, proofs, authority, replay.

    Checks the signed checkpoint against the key you give, its consistency with the
    last checkpoint you verified, every entry (bytes, chain, signature, signer's
    role, module rules) by replaying the whole log, the Merkle root, and every
    published balance and registry row against the replay.
    """
    import httpx
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    from audit.evidence import EvidenceError
    from audit.policy import parse_policy
    from audit.remote import FetchError, StateFile, verify_log
    from audit.verifier import LogFault
    from ledger.limits import Limits
    from ledger.note import Verifier, parse_verifier_key
    from terang.app import all_kinds

    trust = parse_policy(policy.read_bytes()) if policy is not None else None
    log_key: Verifier | None = None
    if key is not None:
        parsed = parse_verifier_key(key)
        if not isinstance(parsed, Verifier):
            raise ClientError("--key must be an Ed25519 log verifier key", code="bad_key")
        if trust is not None and parsed not in trust.logs:
            raise ClientError("--key is not one of the policy's logs", code="bad_key")
        log_key = parsed
    elif trust is None:
        raise ClientError("give --key (the log's verifier key) or --policy", code="no_key")
    limits = Limits()
    held = _read_evidence(evidence or [])
    try:
        with httpx.Client(base_url=url.rstrip("/"), timeout=60) as client:
            if record is not None:
                if tiles_only:
                    raise ClientError(
                        "--record needs the service's JSON API; a tiles-only mirror has none",
                        code="bad_option",
                    )
                _verify_record(client, record, log_key, limits, trust)
                return
            started = time.monotonic()
            with Progress(
                TextColumn("verifying"),
                BarColumn(),
                TaskProgressColumn(),
                TextColumn("{task.completed}/{task.total} entries"),
                TextColumn("{task.fields[rate]:,.0f}/s"),
                TimeRemainingColumn(),
                console=console,
                disable=not progress,
            ) as bar:
                task = bar.add_task("verify", total=0, rate=0.0)

                def on_progress(done: int, total: int) -> None:
                    elapsed = max(time.monotonic() - started, 1e-6)
                    bar.update(task, completed=done, total=total, rate=done / elapsed)

                report = verify_log(
                    client,
                    key,
                    all_kinds(),
                    limits,
                    state=StateFile(state),
                    compare_projections=projections,
                    on_progress=on_progress,
                    policy=trust,
                    evidence=held,
                    tiles_only=tiles_only,
                    workers=workers,
                )
    except FetchError as error:
        console.print(f"error[{error.code}]: {error.message}", markup=False, highlight=False)
        if not tiles_only and "/api/v1/" in error.message and error.details.get("status") == 404:
            console.print(
                "hint: if URL is a static tiles mirror (terang publish-tiles), add --tiles-only",
                markup=False,
                highlight=False,
            )
        sys.exit(2)
    except LogFault as error:
        # The kind of fault is part of the verdict: say it, not only the message.
        fault = error.details.get("fault")
        suffix = f" (fault: {fault})" if fault else ""
        console.print(
            f"error[{error.code}]: {error.message}{suffix}", markup=False, highlight=False
        )
        sys.exit(1)
    except EvidenceError as error:
        console.print(f"error[{error.code}]: {error.message}", markup=False, highlight=False)
        sys.exit(3)
    elapsed = time.monotonic() - started
    if report.projections_not_checked is not None:
        console.print(
            f"warning: projections NOT checked: {report.projections_not_checked}",
            markup=False,
            highlight=False,
        )
    if report.simulated_clock:
        console.print(
            "warning: this log declares a simulated clock (ledger.clock.simulated, right "
            "after the genesis): "
            "its logging times vouch for nothing and were not checked for order",
            markup=False,
            highlight=False,
        )
    typer.echo(
        json.dumps(
            {
                "ok": True,
                "origin": report.origin,
                "tree_size": report.tree_size,
                "root_hash": report.root_hash.hex(),
                "consistent_with_size": report.previous_size,
                "projections_checked": report.projections_not_checked is None,
                "projections_not_checked": report.projections_not_checked,
                "projections_compared": report.projections_compared,
                "projections_newer_than_checkpoint": report.projections_newer,
                "projections_caught_up_to": report.caught_up_to,
                "evidence_checked": report.evidence_checked,
                "legacy_unbound_entries": report.legacy_entries,
                "simulated_clock": report.simulated_clock,
                "seconds": round(elapsed, 3),
                "entries_per_second": round(report.tree_size / max(elapsed, 1e-6)),
            },
            indent=2,
        )
    )


def _read_evidence(paths: list[Path]) -> list[tuple[str, bytes]]:
    """(name, bytes) of every evidence file: the paths, and the files under directories."""
    from audit.limits import EVIDENCE_FILE_BYTES_MAX, EVIDENCE_FILES_MAX

    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            console.print(f"error[bad_evidence]: {path}: no such file or directory", markup=False)
            sys.exit(3)
        if len(files) > EVIDENCE_FILES_MAX:
            console.print(f"error[bad_evidence]: over {EVIDENCE_FILES_MAX} files", markup=False)
            sys.exit(3)
    held = []
    for file in files:
        if file.stat().st_size > EVIDENCE_FILE_BYTES_MAX:
            console.print(f"error[bad_evidence]: {file}: too large to be evidence", markup=False)
            sys.exit(3)
        held.append((str(file), file.read_bytes()))
    return held


def _verify_record(
    client: httpx.Client,
    record: str,
    log_key: Verifier | None,
    limits: Limits,
    trust: Policy | None,
) -> None:
    from audit.bundle import verify_record_bundle
    from audit.remote import FetchError

    if record.startswith("@"):
        bundle = json.loads(Path(record[1:]).read_text(encoding="utf-8"))
    else:
        response = client.get(f"/api/v1/records/{record}/bundle")
        if response.status_code != 200:
            raise FetchError(f"no bundle for {record!r}: HTTP {response.status_code}")
        bundle = response.json()
    if trust is not None:
        # The bundle's checkpoint must meet the policy: one of its logs, and the quorum.
        checkpoint = trust.verify_checkpoint(str(bundle.get("checkpoint", "")))
        verifier = next(v for v in trust.logs if v.name == checkpoint.origin)
    elif log_key is not None:
        verifier = log_key
    else:
        raise ClientError("give --key or --policy", code="no_key")
    verified = verify_record_bundle(bundle, verifier.name, verifier, limits)
    typer.echo(
        json.dumps(
            {
                "ok": True,
                "subject": verified.subject,
                "checkpoint_size": verified.checkpoint.size,
                "entries": [e.seq for e in verified.entries],
            },
            indent=2,
        )
    )
