"""A writer process for the crash test: appends batches forever until killed.

Usage: python crash_writer.py DATABASE_URL LOG_SEED_HEX AUTHORITY_SEED_HEX
Prints "committed <size>" after every batch commit.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from nacl.signing import SigningKey

from ledger.keys import client_key_id
from ledger.limits import Limits
from ledger.note import Signer
from ledger.service import Ledger, Settings
from ledger.signing import make_signed
from ledger.statement import b64encode
from terang.app import all_kinds


def main() -> None:
    url, log_seed, authority_seed = sys.argv[1:4]
    signer = Signer("terang.test/log", SigningKey(bytes.fromhex(log_seed)))
    authority = SigningKey(bytes.fromhex(authority_seed))
    ledger = Ledger(
        Settings(database_url=url, limits=Limits(checkpoint_interval_ms_min=0)),
        all_kinds(),
        log_signer=signer,
    )
    while True:
        batch = []
        for _ in range(200):
            key = SigningKey.generate()
            body = {
                "public_key": b64encode(bytes(key.verify_key)),
                "name": "v",
                "roles": ["vendor"],
            }
            batch.append(
                make_signed(
                    authority,
                    "registry.key.registered",
                    client_key_id(key),
                    body,
                    at=datetime.now(UTC),
                    origin=ledger.origin,
                )
            )
        ledger.append_direct(batch)
        ledger.publisher.publish(force=True)
        print("committed", ledger.size(), flush=True)


if __name__ == "__main__":
    main()
