"""``terang init``: keys, schema and the genesis entry. Idempotent.

Steps, each skipped when already done: migrate the schema; create the log's
checkpoint key (named after the origin) unless one is configured; if the log is
empty, load the root authority's client key, or create it, and append the genesis
entry naming the origin, the log's verifier key and the authority; with
``local_witness`` (``terang init --witness``, the documented single-machine
deployment), create a witness key beside the log key (``keys/witness.key``,
cosignature/v1, named ``<origin>/witness``) and log the witness policy naming it
(quorum 1, default grace), right after the genesis on a new log; publish a
checkpoint.

The root authority key is an offline key: it signs key registrations and role
grants, and the service never needs it (``terang serve`` does not read it). So it is
never written beside the log key, where whoever holds the server holds both: a path
inside the log key's directory is refused (``authority_key_beside_log_key``), and the
default, ``offline-keys/authority.key``, is a separate directory the operator is
told to move off the host. Once the genesis is logged the key is not touched again,
so ``terang init`` keeps working after it has left the machine. With
``authority_key_file=None`` the key is only returned (printed once by the CLI) and
never written.

The local witness is run beside the service with ``terang witness serve`` and
listed in ``TERANG_WITNESSES`` (docs/witnesses.md). One witness on the operator's own
machine anchors deadlines against a clock set back on the *service* only; real
independence needs witnesses run by others, added by a new policy entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nacl.signing import SigningKey

from ledger import migrations, storage
from ledger.authority import GENESIS_TYPE
from ledger.clock import utc_now
from ledger.defaults import DEFAULT_AUTHORITY_KEY_FILE, DEFAULT_ORIGIN, DEFAULT_WITNESS_KEY_FILE
from ledger.errors import ClientError
from ledger.keys import (
    CLIENT_KEY_PREFIX,
    KeyFileError,
    generate_client_key,
    load_client_key,
    read_secret_file,
    write_secret_file,
)
from ledger.kinds import KindRegistry
from ledger.note import CosignatureSigner, generate_cosigner, generate_signer, parse_private_key
from ledger.service import Ledger, Settings
from ledger.signing import make_signed
from ledger.statement import b64encode
from ledger.time_anchor import WITNESS_POLICY_KEY, WITNESS_POLICY_TYPE
from ledger.witnessing import logged_witness_policy


@dataclass(frozen=True)
class InitResult:
    created_log_key: bool
    created_authority_key: bool
    created_genesis: bool
    verifier_key: str
    size: int
    # The new root authority key's text, only when it was created with no file to hold it.
    authority_key_text: str | None = None
    witness_verifier_key: str | None = None
    created_witness_key: bool = False
    logged_witness_policy: bool = False


def _inside(path: Path, directory: Path) -> bool:
    return path.resolve().is_relative_to(directory.resolve())


def check_authority_key_placement(authority_key_file: Path, settings: Settings) -> None:
    """Refuse a root authority key file inside the service's key directory (the log key's)."""
    service_keys = settings.log_key_file.parent
    if _inside(authority_key_file, service_keys):
        raise ClientError(
            f"the root authority key {str(authority_key_file)!r} would sit in the service's key "
            f"directory {str(service_keys)!r}, beside the log key: whoever holds the server "
            "would hold both; write it elsewhere (--authority-key-out PATH, then move it off "
            "this host) or print it once (--authority-key-out -)",
            code="authority_key_beside_log_key",
        )


def init_log(
    settings: Settings,
    kinds: KindRegistry,
    *,
    origin: str | None = None,
    authority_key_file: Path | None = Path(DEFAULT_AUTHORITY_KEY_FILE),
    authority_name: str = "Root authority",
    local_witness: bool = False,
    witness_key_file: Path = Path(DEFAULT_WITNESS_KEY_FILE),
) -> InitResult:
    if authority_key_file is not None:
        check_authority_key_placement(authority_key_file, settings)
    engine = storage.make_engine(settings.database_url)
    migrations.upgrade(engine)
    created_log_key = False
    if settings.log_key is None and not settings.log_key_file.exists():
        write_secret_file(
            settings.log_key_file, generate_signer(origin or DEFAULT_ORIGIN).private_key()
        )
        created_log_key = True
    created_authority_key = False
    authority_key_text = None
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
            if authority_key_file is None:
                authority = SigningKey.generate()
                authority_key_text = CLIENT_KEY_PREFIX + b64encode(bytes(authority))
                created_authority_key = True
            elif authority_key_file.exists():
                authority = load_client_key(authority_key_file)
            else:
                authority = generate_client_key(authority_key_file)
                created_authority_key = True
            genesis = make_signed(
                authority,
                GENESIS_TYPE,
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
        witness = None
        if local_witness:
            if not created_genesis:
                # The witness policy is signed by the root authority: on a log begun
                # earlier, its key must be brought back (it is not kept on the host).
                if authority_key_file is None or not authority_key_file.exists():
                    raise ClientError(
                        "logging the witness policy on an existing log needs the root "
                        "authority key: pass --authority-key-out PATH pointing at it",
                        code="authority_key_needed",
                    )
                authority = load_client_key(authority_key_file)
            witness = _local_witness(ledger, authority, witness_key_file)
        ledger.publisher.publish(force=True)
        return InitResult(
            created_log_key,
            created_authority_key,
            created_genesis,
            ledger.verifier_key(),
            ledger.size(),
            authority_key_text,
            None if witness is None else witness[0],
            witness is not None and witness[1],
            witness is not None and witness[2],
        )
    finally:
        ledger.close()


def _local_witness(ledger: Ledger, authority: SigningKey, key_file: Path) -> tuple[str, bool, bool]:
    """The local witness's verifier key; whether its key was created, and the policy logged."""
    created = False
    if key_file.exists():
        signer = parse_private_key(read_secret_file(key_file))
        if not isinstance(signer, CosignatureSigner):
            raise KeyFileError(f"{key_file} is not a cosignature/v1 witness key")
    else:
        signer = generate_cosigner(f"{ledger.origin}/witness")
        write_secret_file(key_file, signer.private_key())
        created = True
    vkey = signer.verifier_key()
    with ledger.engine.connect() as conn:
        policy = logged_witness_policy(conn)
    if policy is not None and vkey in [w.verifier_key() for w in policy.witnesses]:
        return vkey, created, False
    body = {"log_verifier_key": ledger.verifier_key(), "witnesses": [vkey], "quorum": 1}
    ledger.append_direct(
        [
            make_signed(
                authority,
                WITNESS_POLICY_TYPE,
                WITNESS_POLICY_KEY,
                body,
                at=utc_now(),
                origin=ledger.origin,
                limits=ledger.limits,
            )
        ]
    )
    return vkey, created, True
