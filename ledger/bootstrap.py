"""``terang init``: keys, schema and the genesis entry. Idempotent.

Steps, each skipped when already done: migrate the schema; create the log's
checkpoint key (named after the origin) unless one is configured; create the
root authority's client key unless one exists; append the genesis entry naming
the origin, the log's verifier key and the authority; publish a checkpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ledger import migrations, storage
from ledger.client import make_signed
from ledger.errors import ClientError
from ledger.keys import generate_client_key, load_client_key, write_secret_file
from ledger.kinds import KindRegistry
from ledger.note import generate_signer
from ledger.service import Ledger, Settings, utc_now
from ledger.statement import b64encode

DEFAULT_ORIGIN = "terang.example/kabupaten-demo"
DEFAULT_AUTHORITY_KEY_FILE = "keys/authority.key"


@dataclass(frozen=True)
class InitResult:
    created_log_key: bool
    created_authority_key: bool
    created_genesis: bool
    verifier_key: str
    size: int


def init_log(
    settings: Settings,
    kinds: KindRegistry,
    *,
    origin: str | None = None,
    authority_key_file: Path = Path(DEFAULT_AUTHORITY_KEY_FILE),
    authority_name: str = "Root authority",
) -> InitResult:
    engine = storage.make_engine(settings.database_url)
    migrations.upgrade(engine)
    created_log_key = False
    if settings.log_key is None and not settings.log_key_file.exists():
        write_secret_file(
            settings.log_key_file, generate_signer(origin or DEFAULT_ORIGIN).private_key()
        )
        created_log_key = True
    created_authority_key = False
    if authority_key_file.exists():
        authority = load_client_key(authority_key_file)
    else:
        authority = generate_client_key(authority_key_file)
        created_authority_key = True
    ledger = Ledger(settings, kinds, engine=engine, migrate=False)
    if not created_log_key and origin is not None and origin != ledger.origin:
        ledger.close()
        raise ClientError(
            f"--origin {origin!r} differs from the existing log key's origin {ledger.origin!r}; "
            "a log's origin never changes (use another key file for another log)",
            code="origin_mismatch",
        )
    try:
        created_genesis = False
        if ledger.size() == 0:
            genesis = make_signed(
                authority,
                "ledger.genesis",
                "genesis",
                {
                    "origin": ledger.origin,
                    "log_verifier_key": ledger.verifier_key(),
                    "authorities": [
                        {
                            "name": authority_name,
                            "public_key": b64encode(bytes(authority.verify_key)),
                        }
                    ],
                },
                at=utc_now(),
                origin=ledger.origin,
                limits=settings.limits,
            )
            ledger.append_direct([genesis])
            created_genesis = True
        ledger.publisher.publish(force=True)
        return InitResult(
            created_log_key,
            created_authority_key,
            created_genesis,
            ledger.verifier_key(),
            ledger.size(),
        )
    finally:
        ledger.close()
