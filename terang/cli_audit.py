"""``terang witness ...`` and ``terang monitor``: the commands of independent auditors.

Mounted by ``terang.cli``. Every option can also come from the environment variable
shown in ``--help``. A witness key is generated on the witness's machine, written
there with mode 0600, and only its verifier key is ever printed or shared.

Exit codes of ``terang monitor``: 0 all checked and consistent; 1 a usage or
configuration error; 2 (with ``--once``) a log or witness that could not be read or
checked, as ``terang verify``; 3 ALARM: a split view or an inconsistent history, with
the evidence written to ``--evidence``.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from ledger.defaults import DEFAULT_WITNESS_DATABASE_URL
from ledger.errors import ClientError

if TYPE_CHECKING:
    from audit.monitor import FollowedLog, PollResult, SplitView, WitnessView
    from ledger.note import CosignatureSigner

# The witness and the monitor are imported inside their commands: `terang --help` and the
# client commands start without the web and database layers (terang/cli.py).

EXIT_UNREADABLE = 2
"""``terang monitor --once`` exit status when something could not be read or checked."""
EXIT_ALARM = 3
"""``terang monitor`` exit status when it has evidence of a split view."""

console = Console(stderr=True)

witness_app = typer.Typer(
    help=(
        "Run a C2SP tlog-witness: cosign checkpoints of the logs you follow, only when "
        "they are consistent with what you cosigned before."
    ),
    no_args_is_help=True,
)

WitnessKeyOption = Annotated[
    Path,
    typer.Option(
        "--key", envvar="TERANG_WITNESS_KEY_FILE", help="The witness's key file (mode 0600)."
    ),
]


@witness_app.command("keygen")
def witness_keygen(
    name: Annotated[
        str,
        typer.Option(
            envvar="TERANG_WITNESS_NAME",
            help="The witness's key name, a schema-less URL such as witness.example/w1.",
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            envvar="TERANG_WITNESS_KEY_FILE",
            help="Where to write the new private key (created with mode 0600, never overwritten).",
        ),
    ],
) -> None:
    """Create a cosignature/v1 witness key here; print its verifier key (share that only)."""
    from ledger.keys import write_secret_file
    from ledger.note import generate_cosigner

    signer = generate_cosigner(name)
    write_secret_file(out, signer.private_key())
    typer.echo(signer.verifier_key())


def _load_witness_key(path: Path) -> CosignatureSigner:
    from ledger.keys import KeyFileError, read_secret_file
    from ledger.note import CosignatureSigner, parse_private_key

    signer = parse_private_key(read_secret_file(path))
    if not isinstance(signer, CosignatureSigner):
        raise KeyFileError(f"{path} is not a cosignature/v1 witness key (terang witness keygen)")
    return signer


@witness_app.command("serve")
def witness_serve(
    key: WitnessKeyOption,
    log: Annotated[
        list[str],
        typer.Option(
            "--log",
            envvar="TERANG_WITNESS_LOGS",
            help=(
                "A log to follow: its verifier key (the origin is the key's name) or "
                "ORIGIN=VKEY. Repeatable; in the environment, separate them with spaces."
            ),
        ),
    ],
    db: Annotated[
        str,
        typer.Option(
            "--db",
            envvar="TERANG_WITNESS_DATABASE_URL",
            help="The witness's own database (SQLAlchemy URL).",
        ),
    ] = DEFAULT_WITNESS_DATABASE_URL,
    host: Annotated[str, typer.Option(envvar="TERANG_WITNESS_HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="TERANG_WITNESS_PORT")] = 8001,
) -> None:
    """Serve POST /add-checkpoint and GET /<origin hash>/checkpoint."""
    import uvicorn

    from witness.server import Witness, create_witness_app, parse_log_keys
    from witness.store import WitnessStore

    if not log:
        raise ClientError("give at least one --log to follow", code="no_logs")
    signer = _load_witness_key(key)
    logs = parse_log_keys(log)
    store = WitnessStore.open(db)
    witness = Witness(signer, logs, store)
    console.print(
        f"witness {signer.name} on http://{host}:{port}/ following {', '.join(sorted(logs))}\n"
        f"verifier key: {signer.verifier_key()}",
        markup=False,
        highlight=False,
    )
    try:
        uvicorn.run(create_witness_app(witness), host=host, port=port, log_level="info")
    finally:
        store.close()


def _followed_logs(urls: list[str], keys: list[str], tiles_only: bool) -> list[FollowedLog]:
    from audit.monitor import FollowedLog
    from ledger.note import Verifier, parse_verifier_key

    if not urls or len(urls) != len(keys):
        raise ClientError("give one --key per --url (the log's verifier key)", code="bad_logs")
    followed = []
    for url, vkey in zip(urls, keys, strict=True):
        verifier = parse_verifier_key(vkey)
        if not isinstance(verifier, Verifier):
            raise ClientError(f"{vkey!r} is not a log (Ed25519 note) verifier key")
        followed.append(FollowedLog(url, verifier, tiles_only=tiles_only))
    return followed


def _witness_views(specs: list[str]) -> list[WitnessView]:
    from audit.monitor import WitnessView
    from ledger.witnessing import parse_witness

    views = []
    for spec in specs:
        if spec.startswith(("http://", "https://")):
            views.append(WitnessView(spec))
        else:
            endpoint = parse_witness(spec)
            views.append(WitnessView(endpoint.url, endpoint.verifier))
    return views


def _print(results: list[PollResult]) -> None:
    for r in results:
        typer.echo(
            json.dumps(
                {
                    "origin": r.origin,
                    "source": r.source,
                    "tree_size": r.tree_size,
                    "status": r.status,
                    **({"detail": r.detail} if r.detail else {}),
                }
            )
        )


def _alarm(error: SplitView, evidence: Path) -> typer.Exit:
    from audit.monitor import write_evidence

    path = write_evidence(evidence, error)
    console.print(
        f"ALARM[{error.code}]: {error.message}\nevidence: {path}",
        style="bold red",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    return typer.Exit(EXIT_ALARM)


def monitor_command(
    url: Annotated[
        list[str],
        typer.Option(
            "--url",
            envvar="TERANG_MONITOR_URLS",
            help="Base URL of a log to follow. Repeatable, paired in order with --key.",
        ),
    ],
    key: Annotated[
        list[str],
        typer.Option(
            "--key",
            envvar="TERANG_MONITOR_KEYS",
            help="The log's verifier key, obtained out of band (never from the log).",
        ),
    ],
    state: Annotated[
        Path,
        typer.Option(
            envvar="TERANG_MONITOR_STATE",
            help="JSON file with the last verified checkpoint of each log.",
        ),
    ] = Path("terang-monitor.json"),
    once: Annotated[
        bool,
        typer.Option(
            "--once", envvar="TERANG_MONITOR_ONCE", help="Check once and exit (for cron)."
        ),
    ] = False,
    interval: Annotated[
        float,
        typer.Option(envvar="TERANG_MONITOR_INTERVAL", min=0.1, help="Seconds between polls."),
    ] = 60.0,
    witness: Annotated[
        list[str],
        typer.Option(
            "--witness",
            envvar="TERANG_MONITOR_WITNESSES",
            help=(
                "A witness's monitoring prefix (URL), or VKEY=URL to also require its "
                "cosignature. Repeatable."
            ),
        ),
    ] = [],  # noqa: B006 (typer reads the default, never mutates it)
    checkpoint: Annotated[
        list[Path],
        typer.Option(
            "--checkpoint",
            envvar="TERANG_MONITOR_CHECKPOINTS",
            help="A file holding a checkpoint note seen elsewhere (e.g. by a witness). Repeatable.",
        ),
    ] = [],  # noqa: B006
    evidence: Annotated[
        Path,
        typer.Option(
            envvar="TERANG_MONITOR_EVIDENCE", help="Where the evidence of an alarm is written."
        ),
    ] = Path("terang-evidence.json"),
    tiles_only: Annotated[
        bool,
        typer.Option(
            "--tiles-only",
            envvar="TERANG_MONITOR_TILES_ONLY",
            help="Every --url is a static tlog-tiles mirror (terang publish-tiles behind any "
            "web server, serving <url>/log/...): consistency proofs are built from its "
            "hash tiles.",
        ),
    ] = False,
) -> None:
    """Follow logs; exit 3 with an evidence file on a split view or rewritten history."""
    from audit.monitor import Monitor, SplitView, iter_checkpoint_files
    from ledger.checkpoint import Checkpoint
    from ledger.note import split_note

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    followed = _followed_logs(url, key, tiles_only)
    by_origin = {f.origin: f for f in followed}
    with Monitor(followed, state_path=state, witnesses=_witness_views(witness)) as monitor:
        try:
            notes: dict[str, list[tuple[str, str]]] = {}
            for source, note in iter_checkpoint_files(checkpoint):
                origin = Checkpoint.parse(split_note(note).text).origin
                if origin not in by_origin:
                    raise ClientError(f"{source}: checkpoint of {origin!r}, a log not followed")
                notes.setdefault(origin, []).append((source, note))
            for origin, pairs in notes.items():
                _print(monitor.check_notes(by_origin[origin], pairs))
            if once:
                results = monitor.poll_once()
                _print(results)
                if any(r.status == "unavailable" for r in results):
                    raise typer.Exit(EXIT_UNREADABLE)
                return
            monitor.run(interval, threading.Event(), on_results=_print)
        except SplitView as error:
            raise _alarm(error, evidence) from None
