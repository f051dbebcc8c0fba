"""`terang vendor ...` and `terang committee ...` against a real `terang serve`, both engines.

The service is the shared one (`terang init` + `terang demo` + `terang serve`). Options
come from TERANG_* environment variables where the CLI promises them. The deadline of a
tender announced here cannot be passed in real time, so share release and opening are
run on the demo's closed tender (and, past a deadline on a test clock, in
tests/integration/test_procurement_cli.py).
"""

from __future__ import annotations

import json
import stat
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from conftest import TERANG, run

from budgeting.money import format_amount, parse_amount
from ledger.keys import client_key_id, load_client_key
from ledger.statement import format_time


def fails(cwd: Path, env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [*TERANG, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 1, result.stdout
    return result.stderr


def submit(cwd: Path, env: dict[str, str], key: str, kind: str, subject: str, body: dict) -> None:
    run(
        cwd,
        env,
        "submit",
        "--key",
        key,
        "--type",
        kind,
        "--subject",
        subject,
        "--body",
        json.dumps(body),
    )


def test_vendor_and_committee_against_a_running_service(
    service: tuple[str, Path, dict[str, str]],
) -> None:
    url, cwd, env = service
    keys = cwd / "demo-keys"
    officer = str(keys / "DEMO-procurement.key")
    # Committee members generate their X25519 keys here and register the public half.
    member_ids = []
    for i in (1, 2, 3):
        box = cwd / "member" / f"pokja{i}.box"
        member_env = {
            **env,
            "TERANG_KEY": str(keys / f"DEMO-pokja{i}.key"),
            "TERANG_BOX_KEY": str(box),
        }
        out = json.loads(run(cwd, member_env, "committee", "register-box-key"))
        assert stat.S_IMODE(box.stat().st_mode) == 0o600
        assert out["receipt"]["seq"] > 0
        member_ids.append(client_key_id(load_client_key(keys / f"DEMO-pokja{i}.key")))

    # Two vendors register themselves (options from the environment); the PPK activates.
    vendor_envs = []
    for i in (1, 2):
        key_file = cwd / "vendor" / f"v{i}.key"
        vendor_id = json.loads(run(cwd, env, "keygen", "--out", str(key_file)))["key_id"]
        vendor_env = {
            **env,
            "TERANG_KEY": str(key_file),
            "TERANG_VENDOR_NAME": f"CV Uji Coba {i}",
            "TERANG_VENDOR_NPWP": f"09.876.543.2-109.00{i}",
            "TERANG_VENDOR_ADDRESS": "Jl. Pemuda 7, Kabupaten Contoh",
            "TERANG_VENDOR_QUALIFICATION": "kecil",
            "TERANG_BID_DIR": str(cwd / "vendor" / f"bids{i}"),
        }
        assert json.loads(run(cwd, vendor_env, "vendor", "register"))["vendor_id"] == vendor_id
        submit(cwd, env, officer, "procurement.vendor.activated", vendor_id, {})
        vendor_envs.append(vendor_env)

    # The PPK plans a package on a demo belanja line with room, and announces it.
    lines = httpx.get(url + "/api/v1/budget/lines", params={"account": "5", "limit": 500})
    line = max(lines.json()["items"], key=lambda item: parse_amount(item["amounts"]["available"]))
    hps_sen = min(45_000_000_000, parse_amount(line["amounts"]["available"]))
    assert hps_sen > 20_000_000_000, line  # a tender (above Rp 200 juta) fits
    ocid = "ocds-t3r4ng-e2e-cli-1"
    submit(
        cwd,
        env,
        officer,
        "procurement.package.created",
        ocid,
        {
            "title": "Pengadaan laptop sekolah",
            "budget_line": line["line_id"],
            "category": "goods",
            "hps": format_amount(hps_sen),
            "method": "tender",
        },
    )
    now = datetime.now(UTC)
    submit(
        cwd,
        env,
        officer,
        "procurement.tender.announced",
        ocid,
        {
            "documents": [{"name": "Dokumen pemilihan", "sha256": "ab" * 32}],
            "clarification_end": format_time(now + timedelta(days=3)),
            "bid_deadline": format_time(now + timedelta(days=8)),
            "committee": {"members": member_ids, "threshold": 2},
        },
    )

    v1, v2 = ({**e, "TERANG_OCID": ocid} for e in vendor_envs)
    info = json.loads(run(cwd, v1, "vendor", "tender"))
    assert info["state"] == "active" and info["documents"][0]["sha256"] == "ab" * 32
    run(cwd, {**v1, "TERANG_QUESTION": "Spesifikasi RAM minimal?"}, "vendor", "ask")
    run(cwd, {**v1, "TERANG_BID_PRICE": "210000000.00"}, "vendor", "bid")
    run(cwd, {**v1, "TERANG_BID_PRICE": "205000000.00", "TERANG_BID_REPLACE": "1"}, "vendor", "bid")
    run(cwd, {**v2, "TERANG_BID_PRICE": "201000000.00"}, "vendor", "bid")
    assert "bid_exists" in fails(cwd, {**v2, "TERANG_BID_PRICE": "1"}, "vendor", "bid")
    receipt = json.loads(run(cwd, v1, "vendor", "receipt"))
    assert receipt["before_deadline"] and receipt["tlog_proof"].startswith("c2sp.org/tlog-proof@v1")
    run(cwd, v2, "vendor", "withdraw")
    assert json.loads(run(cwd, v2, "vendor", "receipt"))["status"] == "withdrawn"
    # Before the closing nothing opens: prices stay sealed, a release is refused.
    opening = json.loads(run(cwd, v1, "vendor", "opening"))
    assert all(bid["price_sen"] is None for bid in opening["bids"])
    member_env = {
        **env,
        "TERANG_KEY": str(keys / "DEMO-pokja1.key"),
        "TERANG_BOX_KEY": str(cwd / "member" / "pokja1.box"),
        "TERANG_OCID": ocid,
    }
    assert "transition_not_allowed" in fails(cwd, member_env, "committee", "release")
    # The bid keys stayed here, private.
    kept = list((cwd / "vendor" / "bids1").iterdir())
    assert len(kept) == 2 and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in kept)

    # The demo's closed tender (sealed to the demo Pokja's key files): two members
    # release their shares here, one finishes the opening, anyone re-opens every bid.
    closed = f"ocds-t3r4ng-{datetime.now(UTC).year - 1}-DEMO-006"
    for i in (1, 3):
        member_env = {
            **env,
            "TERANG_KEY": str(keys / f"DEMO-pokja{i}.key"),
            "TERANG_BOX_KEY": str(keys / f"DEMO-pokja{i}.box"),
            "TERANG_OCID": closed,
        }
        out = json.loads(run(cwd, member_env, "committee", "release"))
        assert out["released"] == 2 and out["unopenable_for_me"] == []
    run(cwd, member_env, "committee", "open")
    opening = json.loads(run(cwd, {**env, "TERANG_OCID": closed}, "vendor", "opening"))
    assert opening["state"] == "opened" and len(opening["bids"]) == 2
    assert all(b["price_sen"] == b["reopened_price_sen"] > 0 for b in opening["bids"])
