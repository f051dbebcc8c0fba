"""The ``terang`` command line: run the service, set it up, and act as a client.

Every option can also come from the environment variable shown in ``--help``.
Client commands sign on this machine: private keys never travel to the server.
Errors are printed once, here, as ``error[<code>]: <message>`` with exit code 1.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from ledger.defaults import (
    DB_WAIT_S_DEFAULT,
    DEFAULT_AUTHORITY_KEY_FILE,
    DEFAULT_DATABASE_URL,
    DEFAULT_ORIGIN,
    DEFAULT_WITNESS_KEY_FILE,
    DEMO_KEYS_DIR,
)
from ledger.errors import TerangError
from terang.cli_audit import monitor_command, witness_app
from terang.cli_budgeting import budget_import_command
from terang.cli_rebuild import rebuild_if_requested, rebuild_projections_command
from terang.cli_verify import verify_command

if TYPE_CHECKING:
    from ledger.service import Ledger, Settings

# Startup: this module and the cli_* modules import only what every command needs (typer,
# the defaults shown in --help). Each command imports the rest itself, so `terang --help`
# and a client command (`terang submit`, `terang vendor bid`) never load the database or
# web layers: tests/unit/project/test_cli_startup.py keeps it so, bench/bench_cli_start.py
# times it.

app = typer.Typer(
    help=(
        "Terang: a transparent e-budgeting and e-procurement ledger.\n\n"
        "Quick start: `terang init && terang demo && terang serve`, then open "
        "http://127.0.0.1:8000/ and http://127.0.0.1:8000/docs."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
console = Console(stderr=True)

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar="TERANG_DATABASE_URL",
        help="SQLAlchemy URL: sqlite:///./terang.db (default) or postgresql+psycopg2://...",
    ),
]
UrlOption = Annotated[
    str,
    typer.Option("--url", envvar="TERANG_URL", help="Base URL of a running Terang service."),
]
KeyOption = Annotated[
    Path,
    typer.Option("--key", envvar="TERANG_KEY", help="Your client key file (terang keygen)."),
]


def _settings(db: str) -> Settings:
    from ledger.service import Settings

    return Settings.from_env(database_url=db)


def _ledger(db: str) -> Ledger:
    from ledger.service import Ledger
    from terang.app import all_kinds

    return Ledger(_settings(db), all_kinds())


@app.command()
def keygen(
    out: Annotated[Path, typer.Option(help="Where to write the new key (mode 0600).")],
    log_origin: Annotated[
        str | None,
        typer.Option(
            "--log-origin",
            help="Make a log checkpoint key for this origin instead of a client key.",
        ),
    ] = None,
) -> None:
    """Create a key. Prints the public part: a key id, or a log verifier key."""
    from ledger.keys import client_key_id, generate_client_key, write_secret_file
    from ledger.note import generate_signer
    from ledger.statement import b64encode

    if log_origin is not None:
        signer = generate_signer(log_origin)
        write_secret_file(out, signer.private_key())
        typer.echo(signer.verifier_key())
        return
    key = generate_client_key(out)
    typer.echo(
        json.dumps({"key_id": client_key_id(key), "public_key": b64encode(bytes(key.verify_key))})
    )


@app.command()
def keyinfo(
    file: Annotated[Path, typer.Argument(help="A key file: keygen's, a log key, a box key.")],
) -> None:
    """Print what a key file is and its public part (never the secret).

    A client key gives its key id (what the authority registers and roles are granted
    to) and public key; a log or witness key its verifier key; a committee member's
    X25519 box key its public key. The file must be mode 0600, as keygen writes it."""
    from nacl.public import PrivateKey

    from ledger.keys import (
        CLIENT_KEY_PREFIX,
        KeyFileError,
        client_key_id,
        load_client_key,
        read_secret_file,
    )
    from ledger.note import CosignatureSigner, parse_private_key
    from ledger.statement import b64encode
    from procurement.client import BOX_KEY_PREFIX, load_box_key

    text = read_secret_file(file)
    shown: dict[str, str]
    if text.startswith(CLIENT_KEY_PREFIX):
        key = load_client_key(file)
        public = b64encode(bytes(key.verify_key))
        shown = {"kind": "client", "key_id": client_key_id(key), "public_key": public}
    elif text.startswith(BOX_KEY_PREFIX):
        box: PrivateKey = load_box_key(file)
        shown = {"kind": "x25519_box", "public_key": b64encode(bytes(box.public_key))}
    elif text.startswith("PRIVATE+KEY+"):
        signer = parse_private_key(text.strip())
        kind = "witness" if isinstance(signer, CosignatureSigner) else "log"
        shown = {"kind": kind, "name": signer.name, "verifier_key": signer.verifier_key()}
    else:
        raise KeyFileError(
            f"{file} is not a Terang key file (a client key, a log or witness key, or an"
            " X25519 box key)"
        )
    typer.echo(json.dumps(shown, ensure_ascii=False))


AUTHORITY_KEY_PRINT = "-"
AuthorityKeyOption = Annotated[
    Path,
    typer.Option(
        "--authority-key",
        envvar="TERANG_AUTHORITY_KEY",
        help="The root authority's key file (an offline key; `terang serve` never reads it).",
    ),
]


def _legacy_authority_key_warning(settings: Settings) -> str | None:
    """A warning when a root authority key sits in the service's key directory (the old
    layout), else None."""
    legacy = settings.log_key_file.parent / "authority.key"
    if not legacy.exists():
        return None
    return (
        f"WARNING: {legacy} is a root authority key beside the log key. The service never "
        "needs it: move it off this host (and pass --authority-key PATH where you use it)."
    )


def _warn_legacy_authority_key(settings: Settings) -> None:
    warning = _legacy_authority_key_warning(settings)
    if warning is not None:
        console.print(warning, style="bold red", markup=False, highlight=False, soft_wrap=True)


@app.command()
def init(
    db: DbOption = DEFAULT_DATABASE_URL,
    origin: Annotated[
        str | None,
        typer.Option(
            help="The log's origin line (names the log in checkpoints); set once, when the "
            f"log key is created. Default for a new log: {DEFAULT_ORIGIN}."
        ),
    ] = None,
    authority_key_out: Annotated[
        Path,
        typer.Option(
            "--authority-key-out",
            "--authority-key",
            envvar="TERANG_AUTHORITY_KEY",
            help="Where the new root authority key goes (mode 0600), outside the log key's "
            "directory; move it off this host afterwards. '-' prints it once instead. "
            "An existing file there is used as the authority. Only read or written while the "
            "log is empty (for the genesis).",
        ),
    ] = Path(DEFAULT_AUTHORITY_KEY_FILE),
    witness: Annotated[
        bool,
        typer.Option(
            help="Also set up a local witness (single machine): create its key "
            "(--witness-key) and log the witness policy naming it, so tender deadlines are "
            "anchored by its cosignatures. Run it with `terang witness serve` and list it "
            "in TERANG_WITNESSES (docs/witnesses.md)."
        ),
    ] = False,
    witness_key: Annotated[
        Path, typer.Option(envvar="TERANG_WITNESS_KEY_FILE", help="The local witness's key file.")
    ] = Path(DEFAULT_WITNESS_KEY_FILE),
) -> None:
    """Set up a database: migrations, the log key, the genesis entry. Idempotent."""
    from ledger import storage
    from ledger.bootstrap import init_log
    from terang.app import all_kinds

    settings = _settings(db)
    printed = str(authority_key_out) == AUTHORITY_KEY_PRINT
    result = init_log(
        settings,
        all_kinds(),
        origin=origin,
        authority_key_file=None if printed else authority_key_out,
        local_witness=witness,
        witness_key_file=witness_key,
    )
    engine = storage.make_engine(settings.database_url)
    try:
        rebuild_if_requested(engine)  # an existing log upgraded by init_log's migrations
    finally:
        engine.dispose()
    output: dict[str, Any] = {
        "created_log_key": result.created_log_key,
        "created_authority_key": result.created_authority_key,
        "created_genesis": result.created_genesis,
        "verifier_key": result.verifier_key,
        "tree_size": result.size,
    }
    if result.authority_key_text is not None:
        output["authority_key"] = result.authority_key_text
        console.print(
            'The root authority key is printed once, above, as "authority_key" and stored '
            "nowhere: keep it offline (terang submit --key needs it as a 0600 file).",
            style="bold yellow",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    elif result.created_authority_key:
        output["authority_key_file"] = str(authority_key_out)
        console.print(
            f"The root authority key was written to {authority_key_out} (mode 0600). It signs "
            "key registrations and role grants; `terang serve` never needs it. Move it off "
            "this host (e.g. to an offline machine) once `terang demo` or your first "
            "registrations are done.",
            style="bold yellow",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if result.witness_verifier_key is not None:
        output |= {
            "witness_verifier_key": result.witness_verifier_key,
            "created_witness_key": result.created_witness_key,
            "logged_witness_policy": result.logged_witness_policy,
            "run_the_witness": f"terang witness serve --key {witness_key} "
            f"--log {result.verifier_key} --db sqlite:///./witness.db --port 8001",
            "TERANG_WITNESSES": f"{result.witness_verifier_key}=http://127.0.0.1:8001",
        }
    _warn_legacy_authority_key(settings)
    typer.echo(json.dumps(output, indent=2))


@db_app.command("upgrade")
def db_upgrade(
    db: DbOption = DEFAULT_DATABASE_URL,
    rebuild: Annotated[
        bool,
        typer.Option(
            help="Run `terang rebuild-projections` when a migration asks for it (the "
            "default). --no-rebuild leaves the request standing: `terang serve` then "
            "rebuilds before serving."
        ),
    ] = True,
) -> None:
    """Apply every pending migration (run on start as well), then rebuild the projections
    if a migration changed what reducers write (docs/operating.md, "Upgrades")."""
    from ledger import migrations, storage

    engine = storage.make_engine(db)
    try:
        migrations.upgrade(engine)
        typer.echo(f"schema at {migrations.current_revision(engine)}")
        report = rebuild_if_requested(engine) if rebuild else None
        if report is not None:
            typer.echo(
                f"projections rebuilt at tree size {report.tree_size}: {report.inserted} "
                f"inserted, {report.updated} updated, {report.deleted} deleted, "
                f"{report.unchanged} unchanged"
            )
    finally:
        engine.dispose()


@db_app.command("backup")
def db_backup(
    destination: Annotated[Path, typer.Argument(help="New file to write the copy to.")],
    db: DbOption = DEFAULT_DATABASE_URL,
) -> None:
    """Copy the embedded SQLite database while the service keeps running.

    Uses SQLite's online backup API: the copy is one consistent snapshot (every entry
    committed before it began, nothing half-written). Restore by stopping the service
    and putting the copy in place of the database file; read docs/operating.md
    ("Backups") before serving it. On PostgreSQL use pg_dump (docs/operating-postgresql.md).
    """
    from ledger.backup import backup_sqlite

    result = backup_sqlite(db, destination)
    typer.echo(f"backed up to {result.path} ({result.size_bytes} bytes)")


@db_app.command("catch-up")
def db_catch_up(
    mirror: Annotated[
        str,
        typer.Option(
            "--from",
            help=(
                "A copy of the published log: an http(s):// prefix or a directory holding "
                "`checkpoint` and `tile/entries/...` (c2sp.org/tlog-tiles), e.g. "
                "https://terang.example/log or the static tiles directory."
            ),
        ),
    ],
    db: DbOption = DEFAULT_DATABASE_URL,
) -> None:
    """Append the entries a restored database lacks from a mirror, as they were logged.

    Only the mirror's checkpoint signed by this log's key counts; the entries must hash to
    its root and replay through the same rules as the writer's before anything is
    written, and all of them are written in one transaction. Stop the service first.
    """
    import httpx

    from ledger.catch_up import catch_up
    from ledger.rollback_guard import SOURCE_TIMEOUT_S, Mirror

    ledger = _ledger(db)
    try:
        with httpx.Client(timeout=SOURCE_TIMEOUT_S * 6, follow_redirects=False) as client:
            result = catch_up(ledger, Mirror(mirror, client))
    finally:
        ledger.close()
    if result.to_size == result.from_size:
        typer.echo(f"nothing to catch up: the database holds {result.to_size} entries")
    else:
        typer.echo(
            f"appended entries {result.from_size}..{result.to_size - 1} from {result.source}; "
            f"the log holds {result.to_size} entries"
        )


@app.command()
def serve(
    db: DbOption = DEFAULT_DATABASE_URL,
    host: Annotated[str, typer.Option(envvar="TERANG_HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="TERANG_PORT")] = 8000,
    db_wait: Annotated[
        float,
        typer.Option(
            "--db-wait",
            envvar="TERANG_DB_WAIT_S",
            min=0,
            help=(
                "Seconds to wait for a PostgreSQL server that is not up yet (a reboot, a "
                "failover) before giving up; each try is reported. 0: do not wait."
            ),
        ),
    ] = DB_WAIT_S_DEFAULT,
    log_level: Annotated[
        str,
        typer.Option(
            "--log-level", envvar="TERANG_LOG_LEVEL", help="debug, info, warning or error."
        ),
    ] = "info",
    log_format: Annotated[
        str,
        typer.Option(
            "--log-format",
            envvar="TERANG_LOG_FORMAT",
            help="text (for people) or json (one object per line, for a log shipper).",
        ),
    ] = "text",
    unsafe_ignore_published: Annotated[
        bool,
        typer.Option(
            "--unsafe-ignore-published",
            envvar="TERANG_UNSAFE_IGNORE_PUBLISHED",
            help=(
                "Write even though this database is behind (or disagrees with) a checkpoint "
                "this log already published: the next write FORKS the log, which every "
                "witness and monitor will prove. Logged at ERROR. Read docs/operating.md "
                "(Restore) first."
            ),
        ),
    ] = False,
    time_zone: Annotated[
        str | None,
        typer.Option(
            "--time-zone",
            envvar="TERANG_TIME_ZONE",
            help=(
                "The region's zone, in which the portal shows times: WIB (UTC+7, the "
                "default), WITA (UTC+8) or WIT (UTC+9). Data stays UTC."
            ),
        ),
    ] = None,
) -> None:
    """Serve the write API, the public read API and the portal in one process.

    Started before its PostgreSQL, it waits (up to --db-wait seconds) and says so.
    The service log goes to stderr, as text or JSON lines (--log-format). A database
    behind a checkpoint the log published (a restored older backup) is served
    read-only, and says why (docs/operating.md, "Restore").
    """
    import logging
    import logging.config

    import uvicorn

    from ledger.db_wait import wait_for_database
    from ledger.service import Ledger
    from terang.app import all_kinds, create_app
    from terang.logs import logging_config

    log_config = logging_config(log_level, log_format)
    logging.config.dictConfig(log_config)
    service_log = logging.getLogger("terang")

    def say(line: str) -> None:
        # Plain lines for a person; in JSON mode every line on stderr is a JSON object.
        if log_format == "json":
            service_log.info(line)
        else:
            console.print(line, markup=False, highlight=False, soft_wrap=True)

    settings = _settings(db)
    if unsafe_ignore_published:
        settings = replace(settings, unsafe_ignore_published=True)
    if time_zone is not None:
        settings = replace(settings, time_zone=time_zone)  # refused unless WIB, WITA or WIT
    if (warning := _legacy_authority_key_warning(settings)) is not None:
        if log_format == "json":
            service_log.warning(warning)
        else:
            _warn_legacy_authority_key(settings)
    engine = settings.make_engine()
    wait_for_database(engine, db_wait, report=say)
    ledger = Ledger(settings, all_kinds(), engine=engine)
    # A migration that changed what reducers write asked for a rebuild: do it before the
    # first write is checked against the old rows.
    rebuild_if_requested(ledger.engine, progress=log_format != "json", say=say)
    ledger.start()
    say(f"Terang serving {ledger.origin} on http://{host}:{port}/ (log size {ledger.size()})")
    finding = ledger.guard.finding if ledger.guard is not None else None
    if finding is not None:
        held = finding.error()
        say(f"READ-ONLY [{held.code}]: {held.message}")
    try:
        uvicorn.run(
            create_app(ledger),
            host=host,
            port=port,
            log_config=log_config,
            log_level=log_level.lower(),
            # Slow or idle clients: an idle connection is closed after keep_alive_s_max
            # (a slow body is cut off by terang.limits_middleware); past connections_max
            # open connections and requests, new requests get 503 at once.
            timeout_keep_alive=ledger.limits.keep_alive_s_max,
            limit_concurrency=ledger.limits.connections_max,
        )
    finally:
        ledger.close()


@app.command()
def info(db: DbOption = DEFAULT_DATABASE_URL) -> None:
    """The log's origin, verifier key, size and latest checkpoint, and the SHA-256 of this
    release's standalone verifier (terang-verifier.html) and of the verify.js it embeds."""
    from portal.standalone_verifier import published

    standalone = published()
    ledger = _ledger(db)
    try:
        checkpoint = ledger.latest_checkpoint()
        typer.echo(
            json.dumps(
                {
                    "origin": ledger.origin,
                    "verifier_key": ledger.verifier_key(),
                    "tree_size": ledger.size(),
                    "checkpoint": None if checkpoint is None else checkpoint.note,
                    "verifier_html_sha256": standalone.html_sha256,
                    "verifier_verify_js_sha256": standalone.verify_js_sha256,
                },
                indent=2,
            )
        )
    finally:
        ledger.close()


@app.command()
def demo(
    db: DbOption = DEFAULT_DATABASE_URL,
    keys_dir: Annotated[
        Path,
        typer.Option(
            help="Where the demo people's private keys go (DEMO-<label>.key); never the "
            "service's key directory."
        ),
    ] = Path(DEMO_KEYS_DIR),
    authority_key: AuthorityKeyOption = Path(DEFAULT_AUTHORITY_KEY_FILE),
) -> None:
    """Load demo data (a believable kabupaten). Idempotent: a second run adds nothing."""
    from ledger.keys import load_client_key
    from terang.demo import DEMO_KEYS_WARNING, load_demo

    ledger = _ledger(db)
    rebuild_if_requested(ledger.engine)  # before writing against the old rows
    try:
        summary = load_demo(ledger, load_client_key(authority_key), keys_dir)
        ledger.publisher.publish(force=True)
    finally:
        ledger.close()
    console.print(
        DEMO_KEYS_WARNING.format(keys_dir=keys_dir),
        style="bold yellow",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    typer.echo(json.dumps(summary, indent=2))


@app.command()
def submit(
    statement_type: Annotated[str, typer.Option("--type", help="e.g. registry.role.granted")],
    subject: Annotated[str, typer.Option(help="What the statement is about (a key id, a code).")],
    body: Annotated[str, typer.Option(help="The body as a JSON object, or @file.json.")],
    key: KeyOption = Path(DEFAULT_AUTHORITY_KEY_FILE),
    url: UrlOption = "http://127.0.0.1:8000",
) -> None:
    """Sign a statement with your key, here, and log it. Prints the receipt."""
    from ledger.client import LedgerClient
    from ledger.clock import utc_now
    from ledger.keys import load_client_key
    from ledger.signing import make_signed

    raw = Path(body[1:]).read_text(encoding="utf-8") if body.startswith("@") else body
    try:
        parsed: Any = json.loads(raw)
    except ValueError as exc:
        raise TerangError(f"--body is not JSON: {exc}", code="bad_json") from exc
    with LedgerClient(url) as client:
        signed = make_signed(
            load_client_key(key),
            statement_type,
            subject,
            parsed,
            at=utc_now(),
            origin=client.origin(),
        )
        typer.echo(json.dumps(client.submit(signed), indent=2))


@app.command("register-key")
def register_key(
    public_key: Annotated[str, typer.Option(help="The new key's Ed25519 public key, base64.")],
    name: Annotated[str, typer.Option(help="Who holds it, e.g. 'BPKAD — Bendahara Umum'.")],
    role: Annotated[list[str], typer.Option(help="Role to grant (repeatable).")] = [],  # noqa: B006
    key: KeyOption = Path(DEFAULT_AUTHORITY_KEY_FILE),
    url: UrlOption = "http://127.0.0.1:8000",
) -> None:
    """As an authority: register someone's public key with roles."""
    from ledger.authority import KEY_REGISTERED_TYPE
    from ledger.client import LedgerClient
    from ledger.clock import utc_now
    from ledger.keys import load_client_key
    from ledger.signing import make_signed
    from ledger.statement import b64decode_strict, key_id_of

    subject = key_id_of(b64decode_strict(public_key, field="public_key"))
    body = {"public_key": public_key, "name": name, "roles": role}
    with LedgerClient(url) as client:
        signed = make_signed(
            load_client_key(key),
            KEY_REGISTERED_TYPE,
            subject,
            body,
            at=utc_now(),
            origin=client.origin(),
        )
        typer.echo(json.dumps(client.submit(signed), indent=2))


def _authority_submit(
    key: Path, url: str, statement_type: str, subject: str, body: dict[str, str]
) -> None:
    from ledger.client import LedgerClient
    from ledger.clock import utc_now
    from ledger.keys import load_client_key
    from ledger.signing import make_signed

    with LedgerClient(url) as client:
        signed = make_signed(
            load_client_key(key),
            statement_type,
            subject,
            body,
            at=utc_now(),
            origin=client.origin(),
        )
        typer.echo(json.dumps(client.submit(signed), indent=2))


@app.command("rotate-log-key")
def rotate_log_key(
    new_key: Annotated[
        Path,
        typer.Option(
            "--new-key",
            help="The new log key file (terang keygen --log-origin ORIGIN --out FILE): the "
            "same file the service reads as TERANG_NEXT_LOG_KEY_FILE. Only its proof of "
            "possession is sent, never the key.",
        ),
    ],
    key: KeyOption = Path(DEFAULT_AUTHORITY_KEY_FILE),
    url: UrlOption = "http://127.0.0.1:8000",
) -> None:
    """As the root authority: hand the log over to a new log key (same log).

    Logs ledger.log_key.rotated, naming the new key and proving it is held.
    The first checkpoint after it is signed by both keys (the hand-over),
    every later one by the new key alone. Auditors keep their genesis key:
    terang verify and terang monitor follow the rotation in the log.

    Before: write the new key (terang keygen --log-origin ORIGIN --out
    keys/log-next.key), set TERANG_NEXT_LOG_KEY_FILE to it and restart the
    service; ask the witnesses to add the new key beside the old one. The
    service refuses a rotation to a key it does not hold.

    After: check GET /log/key-history for the hand-over; later make the new
    key the log key file. Steps: docs/runbook.md, "Rotate the log key".
    """
    from ledger.client import LedgerClient
    from ledger.clock import utc_now
    from ledger.keys import load_client_key, read_secret_file
    from ledger.log_keys import LOG_KEY_SUBJECT, ROTATED_TYPE, rotation_body
    from ledger.note import Signer, parse_private_key
    from ledger.signing import make_signed

    signer = parse_private_key(read_secret_file(new_key))
    if not isinstance(signer, Signer):
        raise typer.BadParameter(
            "--new-key must be an Ed25519 log key (terang keygen --log-origin)"
        )
    with LedgerClient(url) as client:
        origin = client.origin()
        body = rotation_body(origin, client.verifier_key(), signer)
        signed = make_signed(
            load_client_key(key), ROTATED_TYPE, LOG_KEY_SUBJECT, body, at=utc_now(), origin=origin
        )
        typer.echo(json.dumps(client.submit(signed), indent=2))


KeyIdArgument = Annotated[str, typer.Argument(help="The key id (terang keyinfo FILE prints it).")]


@app.command("grant-role")
def grant_role(
    key_id: KeyIdArgument,
    role: Annotated[str, typer.Option(help="The role, e.g. procurement_officer, finance.")],
    key: KeyOption = Path(DEFAULT_AUTHORITY_KEY_FILE),
    url: UrlOption = "http://127.0.0.1:8000",
) -> None:
    """As an authority: grant a role to a registered key."""
    from ledger.authority import ROLE_GRANTED_TYPE

    _authority_submit(key, url, ROLE_GRANTED_TYPE, key_id, {"role": role})


@app.command("revoke-role")
def revoke_role(
    key_id: KeyIdArgument,
    role: Annotated[str, typer.Option(help="The role to take away.")],
    key: KeyOption = Path(DEFAULT_AUTHORITY_KEY_FILE),
    url: UrlOption = "http://127.0.0.1:8000",
) -> None:
    """As an authority: revoke one role of a key (the key stays registered)."""
    from ledger.authority import ROLE_REVOKED_TYPE

    _authority_submit(key, url, ROLE_REVOKED_TYPE, key_id, {"role": role})


@app.command("revoke-key")
def revoke_key(
    key_id: KeyIdArgument,
    reason: Annotated[str, typer.Option(help="Why, e.g. 'key lost (laptop stolen)'.")],
    key: KeyOption = Path(DEFAULT_AUTHORITY_KEY_FILE),
    url: UrlOption = "http://127.0.0.1:8000",
) -> None:
    """As an authority: revoke a key for good (a lost or stolen key): it signs nothing
    more; what it signed before stays in the log. Register the person's new key after."""
    from ledger.authority import KEY_REVOKED_TYPE

    _authority_submit(key, url, KEY_REVOKED_TYPE, key_id, {"reason": reason})


@app.command()
def proof(
    seq: Annotated[int, typer.Argument(help="The entry's seq (from its receipt).")],
    url: UrlOption = "http://127.0.0.1:8000",
) -> None:
    """Print the C2SP tlog-proof of an entry (save it as entry.tlog-proof)."""
    from ledger.client import LedgerClient

    with LedgerClient(url) as client:
        sys.stdout.write(client.tlog_proof(seq))


@app.command("publish-tiles")
def publish_tiles(
    directory: Annotated[
        Path, typer.Argument(help="Where the tree goes (served as <base>/log/ by a web server).")
    ],
    db: DbOption = DEFAULT_DATABASE_URL,
    follow: Annotated[
        bool,
        typer.Option(
            "--follow",
            envvar="TERANG_PUBLISH_FOLLOW",
            help="Keep publishing each new checkpoint until interrupted (Ctrl-C, SIGTERM).",
        ),
    ] = False,
    interval: Annotated[
        float,
        typer.Option(
            envvar="TERANG_PUBLISH_INTERVAL",
            min=0.1,
            help="With --follow: seconds between looks at the database.",
        ),
    ] = 2.0,
) -> None:
    """Write the log as static C2SP tlog-tiles files: checkpoint, hash tiles, entry bundles.

    Full tiles are written once and never rewritten, the checkpoint last (a reader never
    sees a checkpoint whose tiles are missing); a rerun writes only what is new. Any web
    server serving DIR under <base>/log/ is then a read API for `terang verify
    --tiles-only` and `terang monitor --tiles-only` (docs/operating.md, "Static tiles").
    """
    import signal
    import threading

    from audit import static_tiles
    from ledger import storage

    engine = storage.make_engine(db)

    def say(report: static_tiles.PublishReport) -> None:
        typer.echo(
            json.dumps(
                {
                    "tree_size": report.tree_size,
                    "previous_size": report.previous_size,
                    "files_written": len(report.files_written),
                    "partial_tiles_removed": report.partial_tiles_removed,
                    "checkpoint_written": report.checkpoint_written,
                }
            )
        )

    try:
        if not follow:
            say(static_tiles.publish_once(engine, directory))
            return
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            # A publish under way finishes (files are renamed whole, the checkpoint last);
            # the loop then ends.
            signal.signal(signum, lambda *_: stop.set())
        console.print(
            f"publishing {directory} every {interval:g} s; Ctrl-C to stop",
            markup=False,
            highlight=False,
        )
        static_tiles.follow(
            engine,
            directory,
            interval,
            stop,
            on_report=say,
            on_error=lambda error: console.print(
                f"waiting: error[{error.code}]: {error.message}", markup=False, highlight=False
            ),
        )
        console.print("stopped", markup=False, highlight=False)
    finally:
        engine.dispose()


app.command("verify")(verify_command)
app.command("monitor")(monitor_command)
app.command("budget-import")(budget_import_command)
app.command("rebuild-projections")(rebuild_projections_command)
app.add_typer(witness_app, name="witness")
__import__("terang.cli_procurement").cli_procurement.mount(app)


def main() -> None:
    try:
        app()
    except TerangError as error:
        console.print(
            f"error[{error.code}]: {error.message}",
            style="red",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
