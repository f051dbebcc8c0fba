"""Issue 17, items 5 and 10 (PostgreSQL part): the documented backup runs as written.

The block between ``<!-- backup-drill -->`` markers in docs/operating-postgresql.md is run
by bash, unchanged, against a throwaway cluster holding a small log; the restored
database must hold the same entries, byte for byte, and the same newest checkpoint. A
doc whose commands drift (a SQLAlchemy URL handed to libpq, a restore into a database
that was never created) fails here.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

from conftest import make_harness
from doc_blocks import marked_block
from sqlalchemy import create_engine, make_url, text

PG_BIN = os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")


def documented_block() -> str:
    return marked_block("operating-postgresql.md", "backup-drill")


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_the_documented_backup_restores_the_same_log(
    postgres_database_url: str, tmp_path: Path
) -> None:
    harness = make_harness(postgres_database_url)
    restored_name = "restored_" + uuid.uuid4().hex[:12]
    admin_url = make_url(postgres_database_url).set(database="postgres")
    try:
        for n in range(3):
            harness.register(f"officer-{n}", ["procurement_officer"])
        harness.ledger.publisher.publish(force=True)
        env = {
            **os.environ,
            "PATH": f"{PG_BIN}:{os.environ.get('PATH', '')}",
            "PGURL": libpq(postgres_database_url),
            "PGADMIN_URL": libpq(admin_url.render_as_string(hide_password=False)),
            "RESTORE_DB": restored_name,
        }
        done = subprocess.run(
            ["bash", "-c", documented_block()],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert list(tmp_path.glob("terang-*.pgc")) and list(tmp_path.glob("roles-*.sql"))

        restored_url = make_url(postgres_database_url).set(database=restored_name)
        restored = make_harness(
            restored_url.render_as_string(hide_password=False),
            log_signer=harness.log_signer,
            genesis=False,
        )
        try:
            size = harness.ledger.size()
            assert restored.ledger.size() == size == 4
            for seq in range(size):
                assert restored.ledger.entry(seq) == harness.ledger.entry(seq)
            assert restored.ledger.latest_checkpoint() == harness.ledger.latest_checkpoint()
        finally:
            restored.ledger.close()
    finally:
        harness.ledger.close()
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)'))
        admin.dispose()
