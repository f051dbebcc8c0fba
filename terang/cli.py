"""The ``terang`` command line: run the service, set it up, and act as a client.

Every option can also come from the environment variable shown in ``--help``.
Client commands sign on this machine: private keys never travel to the server.
Errors are printed once, here, as ``error[<code>]: <message>`` with exit code 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from ledger import migrations, storage
from ledger.bootstrap import (
    DEFAULT_AUTHORITY_KEY_FILE,
    DEFAULT_ORIGIN,
    DEFAULT_WITNESS_KEY_FILE,
    init_log,
)
from ledger.client import LedgerClient, make_signed
from ledger.errors import TerangError
from ledger.keys import client_key_id, generate_client_key, load_client_key, write_secret_file
from ledger.note import generate_signer
from ledger.service import DEFAULT_DATABASE_URL, Ledger, Settings, utc_now
from ledger.statement import b64encode
from terang.cli_audit import monitor_command, witness_app
from terang.cli_budgeting import budget_import_command
from terang.cli_rebuild import rebuild_if_requested, rebuild_projections_command
from terang.cli_verify import verify_command
from terang.demo import DEMO_KEYS_DIR, DEMO_KEYS_WARNING

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
    return Settings.from_env(database_url=db)


def _ledger(db: str) -> Ledger:
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
    if log_origin is not None:
        signer = generate_signer(log_origin)
        write_secret_file(out, signer.private_key())
        typer.echo(signer.verifier_key())
        return
    key = generate_client_key(out)
    typer.echo(
        json.dumps({"key_id": client_key_id(key), "public_key": b64encode(bytes(key.verify_key))})
    )


AUTHORITY_KEY_PRINT = "-"
AuthorityKeyOption = Annotated[
    Path,
    typer.Option(
        "--authority-key",
        envvar="TERANG_AUTHORITY_KEY",
        help="The root authority's key file (an offline key; `terang serve` never reads it).",
    ),
]


def _warn_legacy_authority_key(settings: Settings) -> None:
    """Say so when a root authority key sits in the service's key directory (the old layout)."""
    legacy = settings.log_key_file.parent / "authority.key"
    if legacy.exists():
        console.print(
            f"WARNING: {legacy} is a root authority key beside the log key. The service never "
            "needs it: move it off this host (and pass --authority-key PATH where you use it).",
            style="bold red",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


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


@app.command()
def serve(
    db: DbOption = DEFAULT_DATABASE_URL,
    host: Annotated[str, typer.Option(envvar="TERANG_HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="TERANG_PORT")] = 8000,
) -> None:
    """Serve the write API, the public read API and the portal in one process."""
    import uvicorn

    from terang.app import all_kinds, create_app

    settings = _settings(db)
    _warn_legacy_authority_key(settings)
    ledger = Ledger(settings, all_kinds())
    # A migration that changed what reducers write asked for a rebuild: do it before the
    # first write is checked against the old rows.
    rebuild_if_requested(ledger.engine)
    ledger.start()
    console.print(
        f"Terang serving {ledger.origin} on http://{host}:{port}/ (log size {ledger.size()})"
    )
    try:
        uvicorn.run(
            create_app(ledger),
            host=host,
            port=port,
            log_level="info",
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
    from terang.demo import load_demo

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
    from ledger.statement import b64decode_strict, key_id_of

    subject = key_id_of(b64decode_strict(public_key, field="public_key"))
    body = {"public_key": public_key, "name": name, "roles": role}
    with LedgerClient(url) as client:
        signed = make_signed(
            load_client_key(key),
            "registry.key.registered",
            subject,
            body,
            at=utc_now(),
            origin=client.origin(),
        )
        typer.echo(json.dumps(client.submit(signed), indent=2))


@app.command()
def proof(
    seq: Annotated[int, typer.Argument(help="The entry's seq (from its receipt).")],
    url: UrlOption = "http://127.0.0.1:8000",
) -> None:
    """Print the C2SP tlog-proof of an entry (save it as entry.tlog-proof)."""
    with LedgerClient(url) as client:
        sys.stdout.write(client.tlog_proof(seq))


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
