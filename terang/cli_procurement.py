"""``terang vendor ...`` and ``terang committee ...``: procurement from the client's side.

Everything is signed here, with keys that never leave this machine: the vendor's
Ed25519 key (``terang keygen``), the bid's one-time key and envelope (kept in
``--bid-dir``, mode 0600, so the vendor can prove its own bid later), and a committee
member's X25519 key (``--box-key``, generated here, mode 0600). The server receives
public keys, signatures, ciphertexts and sealed shares only. Every option also reads
the ``TERANG_*`` environment variable shown in ``--help``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from nacl.public import PrivateKey

from budgeting.money import parse_positive_amount
from ledger.client import LedgerClient
from ledger.clock import utc_now
from ledger.errors import ClientError, TerangError
from ledger.keys import client_key_id, load_client_key, read_secret_file, write_secret_file
from ledger.signing import make_signed
from ledger.statement import SignedStatement, b64encode
from procurement import client as pc
from procurement import contracts as ct
from procurement import lifecycle as lc
from procurement.errors import OpeningFailed
from procurement.limits import RELEASES_PER_STATEMENT_MAX
from procurement.members import BOX_KEY_REGISTERED

API = "/api/v1/procurement"

vendor_app = typer.Typer(
    help="As a vendor: register, read a tender, ask, bid sealed, replace, withdraw, receipts.",
    no_args_is_help=True,
)
committee_app = typer.Typer(
    help="As a Pokja member: register your X25519 key, release your shares after closing.",
    no_args_is_help=True,
)

UrlOption = Annotated[
    str, typer.Option("--url", envvar="TERANG_URL", help="Base URL of a running Terang service.")
]
KeyOption = Annotated[
    Path, typer.Option("--key", envvar="TERANG_KEY", help="Your client key file (terang keygen).")
]
OcidOption = Annotated[str, typer.Option("--ocid", envvar="TERANG_OCID", help="The tender's ocid.")]
BidDirOption = Annotated[
    Path,
    typer.Option(
        "--bid-dir",
        envvar="TERANG_BID_DIR",
        help="Where your bids' keys and envelopes are kept (mode 0600; never sent).",
    ),
]
BoxKeyOption = Annotated[
    Path,
    typer.Option(
        "--box-key",
        envvar="TERANG_BOX_KEY",
        help="Your X25519 key file (created by register-box-key; mode 0600; never sent).",
    ),
]
DEFAULT_URL = "http://127.0.0.1:8000"


def connect(url: str) -> LedgerClient:
    """The HTTP client (tests replace this to talk to an in-process service)."""
    return LedgerClient(url)


def _get(client: LedgerClient, path: str) -> Any:
    return client.get(path).json()


def _echo(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False))


def _tender(client: LedgerClient, ocid: str) -> dict[str, Any]:
    found: dict[str, Any] = _get(client, f"{API}/tenders/{ocid}")
    return found


def _bids(client: LedgerClient, ocid: str) -> list[dict[str, Any]]:
    """Every bid of the tender, all pages (the release and the opening need them all)."""
    return list(pc.iter_bids(client, ocid))


def _submit(client: LedgerClient, statements: list[Any]) -> dict[str, Any]:
    if len(statements) == 1:
        return client.submit(statements[0])
    return client.submit_batch(statements)


# -- vendor ---------------------------------------------------------------------------


@vendor_app.command("register")
def vendor_register(
    name: Annotated[str, typer.Option(envvar="TERANG_VENDOR_NAME", help="Business name.")],
    npwp: Annotated[str, typer.Option(envvar="TERANG_VENDOR_NPWP", help="NPWP (15/16 digits).")],
    address: Annotated[str, typer.Option(envvar="TERANG_VENDOR_ADDRESS", help="Address.")],
    qualification: Annotated[
        str,
        typer.Option(envvar="TERANG_VENDOR_QUALIFICATION", help="mikro, kecil, menengah or besar."),
    ] = "kecil",
    key: KeyOption = Path("keys/vendor.key"),
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Register yourself as a vendor, self-signed with your own key."""
    signing = load_client_key(key)
    with connect(url) as client:
        signed = pc.registration(
            signing, name, npwp, address, qualification, at=utc_now(), origin=client.origin()
        )
        _echo({"vendor_id": client_key_id(signing), "receipt": client.submit(signed)})


@vendor_app.command("tender")
def vendor_tender(ocid: OcidOption, url: UrlOption = DEFAULT_URL) -> None:
    """The tender's public information: state, schedule, HPS, documents (SHA-256), committee."""
    with connect(url) as client:
        found = _tender(client, ocid)
    doc = found["tender"]
    _echo(
        {
            "ocid": doc["ocid"],
            "title": doc["title"],
            "state": doc["state"],
            "method": doc["method"],
            "category": doc["category"],
            "hps_sen": doc["hps_sen"],
            "budget_line": doc["budget_line"],
            "schedule": doc["schedule"],
            "addenda": doc["addenda"],
            "documents": doc["documents"],
            "committee": doc["committee"],
            "allowed_next": found["allowed_next"],
            "tree_size": found["tree_size"],
        }
    )


@vendor_app.command("documents")
def vendor_documents(
    ocid: OcidOption,
    check: Annotated[
        list[Path],
        typer.Option(
            "--check",
            envvar="TERANG_DOCUMENT_FILES",
            help="A downloaded document to check against the logged SHA-256 (repeatable).",
        ),
    ] = [],  # noqa: B006
    url: UrlOption = DEFAULT_URL,
) -> None:
    """The tender documents' names and SHA-256; with --check, verify downloaded files."""
    with connect(url) as client:
        documents = _tender(client, ocid)["tender"]["documents"]
    logged = {d["sha256"] for d in documents}
    checked = []
    for path in check:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        checked.append({"file": str(path), "sha256": digest, "logged": digest in logged})
    _echo({"documents": documents, "checked": checked})
    if any(not c["logged"] for c in checked):
        raise TerangError("a file does not match any logged document", code="document_mismatch")


@vendor_app.command("download")
def vendor_download(
    ocid: OcidOption,
    out: Annotated[
        Path,
        typer.Option(
            "--out", envvar="TERANG_DOCUMENT_DIR", help="Directory to write the documents to."
        ),
    ] = Path("documents"),
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Download the tender's documents, each checked against the SHA-256 in the log.

    Only files whose bytes match the logged hash are written. Exit 1 if any document
    does not match (document_mismatch) or was not uploaded yet (document_missing).
    """
    with connect(url) as client:
        results = pc.download_documents(client, ocid, out)
    _echo({"ocid": ocid, "documents": [vars(r) for r in results]})
    statuses = {r.status for r in results}
    if "mismatch" in statuses:
        raise TerangError(
            "a downloaded document does not match its logged SHA-256: it was not kept",
            code="document_mismatch",
        )
    if "missing" in statuses:
        raise TerangError("a document's bytes are not on the service yet", code="document_missing")


@vendor_app.command("ask")
def vendor_ask(
    ocid: OcidOption,
    question: Annotated[str, typer.Option(envvar="TERANG_QUESTION", help="Your question.")],
    key: KeyOption = Path("keys/vendor.key"),
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Ask a clarification question (aanwijzing)."""
    with connect(url) as client:
        signed = make_signed(
            load_client_key(key),
            lc.QUESTION_ASKED,
            ocid,
            {"question": question},
            at=utc_now(),
            origin=client.origin(),
        )
        _echo(client.submit(signed))


def _document_refs(documents: list[str]) -> list[dict[str, str]]:
    refs = []
    for item in documents:
        name, sep, digest = item.rpartition("=")
        if not sep or not name:
            raise ClientError(f"--document {item!r}: use name=sha256", code="bad_document")
        refs.append({"name": name, "sha256": digest})
    return refs


def _bid_file(bid_dir: Path, ocid: str, bidder: str, version: int) -> Path:
    return bid_dir / f"{ocid}.{bidder[:16]}.v{version}.json"


@vendor_app.command("bid")
def vendor_bid(
    ocid: OcidOption,
    price: Annotated[
        str, typer.Option(envvar="TERANG_BID_PRICE", help='Your price in rupiah, "430000000.00".')
    ],
    document: Annotated[
        list[str],
        typer.Option(
            envvar="TERANG_BID_DOCUMENTS",
            help="A bid document as name=sha256 (repeatable); sealed inside the bid.",
        ),
    ] = [],  # noqa: B006
    replace: Annotated[
        bool,
        typer.Option(envvar="TERANG_BID_REPLACE", help="Replace your earlier bid."),
    ] = False,
    bid_dir: BidDirOption = Path("bids"),
    key: KeyOption = Path("keys/vendor.key"),
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Encrypt your bid here, split its key among the committee, seal, sign and submit."""
    signing = load_client_key(key)
    bidder = client_key_id(signing)
    price_sen = parse_positive_amount(price, field="--price")
    with connect(url) as client:
        tender = _tender(client, ocid)["tender"]
        committee = tender["committee"]
        sealed = pc.seal_bid(
            ocid,
            bidder,
            price_sen,
            committee["members"],
            committee["threshold"],
            documents=_document_refs(document),
            addendum=tender["addenda"],
        )
        # Keep the bid key and envelope before sending: they prove the bid is ours.
        version = 1
        while _bid_file(bid_dir, ocid, bidder, version).exists():
            version += 1
        write_secret_file(
            _bid_file(bid_dir, ocid, bidder, version),
            json.dumps(
                {
                    "ocid": ocid,
                    "bidder": bidder,
                    "price_sen": price_sen,
                    "key": b64encode(sealed.key),
                    "envelope": b64encode(sealed.envelope),
                    "content_sha256": sealed.body["content_sha256"],
                },
                sort_keys=True,
            ),
        )
        receipt = client.submit(
            pc.bid_statement(
                signing, ocid, sealed, at=utc_now(), origin=client.origin(), replace=replace
            )
        )
    _echo({"bidder": bidder, "content_sha256": sealed.body["content_sha256"], "receipt": receipt})


@vendor_app.command("withdraw")
def vendor_withdraw(
    ocid: OcidOption, key: KeyOption = Path("keys/vendor.key"), url: UrlOption = DEFAULT_URL
) -> None:
    """Withdraw your bid (only before the deadline)."""
    with connect(url) as client:
        signed = make_signed(
            load_client_key(key), lc.BID_WITHDRAWN, ocid, {}, at=utc_now(), origin=client.origin()
        )
        _echo(client.submit(signed))


@vendor_app.command("confirm")
def vendor_confirm(
    ocid: OcidOption, key: KeyOption = Path("keys/vendor.key"), url: UrlOption = DEFAULT_URL
) -> None:
    """Re-confirm your bid against the latest addendum."""
    with connect(url) as client:
        addendum = _tender(client, ocid)["tender"]["addenda"]
        signed = make_signed(
            load_client_key(key),
            lc.BID_CONFIRMED,
            ocid,
            {"addendum": addendum},
            at=utc_now(),
            origin=client.origin(),
        )
        _echo(client.submit(signed))


def _my_bid(client: LedgerClient, ocid: str, bidder: str) -> dict[str, Any]:
    for bid in pc.iter_bids(client, ocid):  # stops at the page that holds it
        if bid["bidder"] == bidder:
            return bid
    raise ClientError(f"{bidder} has no bid in {ocid}", code="unknown_bid")


@vendor_app.command("receipt")
def vendor_receipt(
    ocid: OcidOption,
    out: Annotated[
        Path | None,
        typer.Option(envvar="TERANG_RECEIPT_OUT", help="Also write the tlog-proof here."),
    ] = None,
    witnessed: Annotated[
        bool,
        typer.Option(
            help="Prove the time with the witnesses: the proof is against the earliest "
            "checkpoint a quorum of the log's witnesses cosigned (their timestamps say "
            "when the bid existed; keep it for an objection)."
        ),
    ] = False,
    key: KeyOption = Path("keys/vendor.key"),
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Your bid's latest entry and its tlog-proof: proof it was logged before the deadline."""
    bidder = client_key_id(load_client_key(key))
    with connect(url) as client:
        bid = _my_bid(client, ocid, bidder)
        seq = bid.get("withdrawn_seq") or bid["seq"]
        entry = client.entry(seq)
        proof = client.tlog_proof(seq, witnessed=witnessed)
        deadline = _tender(client, ocid)["tender"]["schedule"]["bid_deadline"]
    if out is not None:
        out.write_text(proof, encoding="utf-8")
    _echo(
        {
            "seq": seq,
            "status": bid["status"],
            "logged_at": bid["logged_at"],
            "bid_deadline": deadline,
            "before_deadline": bid["logged_at"] < deadline,
            "time_vouched_by": "witnesses" if witnessed else "operator",
            "ciphertext_sha256": bid["ciphertext_sha256"],
            "entry": entry,
            "tlog_proof": proof,
        }
    )


@vendor_app.command("opening")
def vendor_opening(
    ocid: OcidOption,
    bid_dir: BidDirOption = Path("bids"),
    key: Annotated[
        Path | None,
        typer.Option("--key", envvar="TERANG_KEY", help="Your key, to check your own bid."),
    ] = None,
    url: UrlOption = DEFAULT_URL,
) -> None:
    """The public opening: each bid re-opened here from the released shares.

    With --key, your own bid is also checked against the envelope you kept.
    """
    with connect(url) as client:
        tender = _tender(client, ocid)["tender"]
        bids = _bids(client, ocid)
    threshold = tender["committee"]["threshold"]
    mine = None if key is None else client_key_id(load_client_key(key))
    results = []
    for bid in bids:
        item: dict[str, Any] = {
            "bidder": bid["bidder"],
            "status": bid["status"],
            "validity": bid["validity"],
            "released": len(bid["released"]),
            "price_sen": None if bid["opening"] is None else bid["opening"].get("price_sen"),
        }
        if bid["status"] == "submitted" and len(bid["released"]) >= threshold:
            try:
                item["reopened_price_sen"] = pc.open_bid(bid, threshold).price_sen
            except OpeningFailed as failed:
                item["reopened_error"] = failed.code
        if mine is not None and bid["bidder"] == mine:
            kept = sorted(bid_dir.glob(f"{ocid}.{mine[:16]}.v*.json"))
            matching = [
                p
                for p in kept
                if json.loads(read_secret_file(p))["content_sha256"] == bid["content_sha256"]
            ]
            item["mine"] = True
            item["matches_kept_envelope"] = bool(matching)
        results.append(item)
    _echo({"ocid": ocid, "state": tender["state"], "threshold": threshold, "bids": results})


@vendor_app.command("countersign")
def vendor_countersign(
    ocid: OcidOption,
    terms: Annotated[
        Path,
        typer.Option(envvar="TERANG_CONTRACT_TERMS", help="The contract body (JSON) to sign."),
    ],
    amendment: Annotated[
        bool,
        typer.Option(envvar="TERANG_CONTRACT_AMENDMENT", help="The terms are an amendment."),
    ] = False,
    key: KeyOption = Path("keys/vendor.key"),
) -> None:
    """Countersign a contract or amendment offline: prints vendor_signature for the PPK."""
    body = json.loads(terms.read_text(encoding="utf-8"))
    statement_type = ct.AMENDED if amendment else ct.SIGNED
    _echo({"vendor_signature": pc.countersign(load_client_key(key), statement_type, ocid, body)})


@vendor_app.command("request-payment")
def vendor_request_payment(
    ocid: OcidOption,
    request: Annotated[int, typer.Option(envvar="TERANG_PAYMENT_REQUEST", help="Next number.")],
    milestone: Annotated[int, typer.Option(envvar="TERANG_MILESTONE", help="Milestone (1-).")],
    amount: Annotated[str, typer.Option(envvar="TERANG_PAYMENT_AMOUNT", help="Rupiah.")],
    key: KeyOption = Path("keys/vendor.key"),
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Request payment of (part of) a contract milestone."""
    with connect(url) as client:
        signed = pc.payment_request(
            load_client_key(key),
            ocid,
            request,
            milestone,
            parse_positive_amount(amount, field="--amount"),
            at=utc_now(),
            origin=client.origin(),
        )
        _echo(client.submit(signed))


# -- officer and finance: the two-key batches -----------------------------------------

officer_app = typer.Typer(
    help="As the procurement officer (PPK, Pokja): every step of a tender, and the award"
    " and payment batches that finance (BPKAD) co-signs; your key signs here and never"
    " leaves.",
    no_args_is_help=True,
)
finance_app = typer.Typer(
    help="As finance (BPKAD): read a batch file the officer prepared, see what you are"
    " asked to sign, sign your part and submit the whole batch.",
    no_args_is_help=True,
)
OutOption = Annotated[
    Path, typer.Option("--out", help="Where to write the batch file for finance.")
]


def _write_batch(
    out: Path, origin: str, what: str, ocid: str, at: Any, statements: Any, stand_in: Any
) -> None:
    from procurement.batch_file import BatchFile, split_batch, write_batch_file

    write_batch_file(out, BatchFile(origin, what, ocid, at, split_batch(statements, stand_in)))


@officer_app.command("award", rich_help_panel="Award and payment (with finance)")
def officer_award(
    ocid: OcidOption,
    posting_id: Annotated[
        str,
        typer.Option(
            "--posting-id", help="The budget commitment's posting id, e.g. KONTRAK-2026-0001."
        ),
    ],
    out: OutOption = Path("award.batch.json"),
    key: KeyOption = Path("keys/officer.key"),
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Prepare the award: the commitment (finance signs it) and the award, one batch.

    The tender's winner is announced and its masa sanggah is over.

    Finance then runs `terang finance sign-batch FILE` within 5 minutes: the log refuses
    a statement signed more than clock_skew_s_max (300 s) before it arrives."""
    from nacl.signing import SigningKey

    with connect(url) as client:
        tender = _tender(client, ocid)["tender"]
        origin, now, stand_in = client.origin(), utc_now(), SigningKey.generate()
        statements = pc.award_batch(
            load_client_key(key), stand_in, tender, posting_id, at=now, origin=origin
        )
    _write_batch(out, origin, "award", ocid, now, statements, stand_in)
    _echo(
        {
            "batch_file": str(out),
            "what": "award",
            "ocid": ocid,
            "next": f"terang finance sign-batch {out} --key KEYFILE --url {url}",
        }
    )


@officer_app.command("pay", rich_help_panel="Award and payment (with finance)")
def officer_pay(
    ocid: OcidOption,
    request: Annotated[
        int, typer.Option("--request", help="The vendor's payment request number (1-).")
    ],
    posting_id: Annotated[
        str, typer.Option("--posting-id", help="The SP2D's posting id, e.g. SP2D-2026-0001.")
    ],
    out: OutOption = Path("payment.batch.json"),
    key: KeyOption = Path("keys/officer.key"),
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Prepare a payment: the SP2D postings (finance signs them) and contract.paid.

    The postings are against the contract's commitments, for the vendor's request."""
    from nacl.signing import SigningKey

    with connect(url) as client:
        contract = _get(client, f"{API}/tenders/{ocid}/contract")["contract"]
        room = {c: _get(client, f"/api/v1/budget/commitments/{c}") for c in contract["commitments"]}
        origin, now, stand_in = client.origin(), utc_now(), SigningKey.generate()
        statements = pc.payment_batch(
            load_client_key(key),
            stand_in,
            contract,
            request,
            posting_id,
            room,
            at=now,
            origin=origin,
        )
    _write_batch(out, origin, "payment", ocid, now, statements, stand_in)
    _echo(
        {
            "batch_file": str(out),
            "what": "payment",
            "ocid": ocid,
            "next": f"terang finance sign-batch {out} --key KEYFILE --url {url}",
        }
    )


@finance_app.command("sign-batch")
def finance_sign_batch(
    file: Annotated[Path, typer.Argument(help="The batch file the officer wrote.")],
    key: KeyOption = Path("keys/finance.key"),
    url: UrlOption = DEFAULT_URL,
    yes: Annotated[
        bool, typer.Option("--yes", help="Sign without asking (after reading what is shown).")
    ] = False,
) -> None:
    """Show what the batch asks you to sign, in rupiah; sign your part; submit it all."""
    from budgeting.money import parse_amount
    from ledger.limits import Limits
    from portal.formatting import rupiah
    from procurement.batch_file import read_batch_file

    limits = Limits()
    batch = read_batch_file(file, limits)
    now = utc_now()
    age = batch.age_s(now)
    if age > limits.clock_skew_s_max - 30:
        raise ClientError(
            f"{file.name} was prepared {age:.0f} s ago; the log takes statements signed at most"
            f" {limits.clock_skew_s_max} s before they arrive. Ask the procurement officer to"
            " prepare it again (nothing was signed or sent)",
            code="batch_file_expired",
        )
    typer.echo(f"{batch.what} of {batch.ocid}, prepared {age:.0f} s ago. You are asked to sign:")
    for template in batch.templates:
        body = template.body
        amount = body.get("amount")
        shown = rupiah(parse_amount(amount), "id") if isinstance(amount, str) else "-"
        typer.echo(
            f"  {template.type}  line {template.subject}  {shown}"
            f"  posting {body.get('posting_id')}  ({body.get('document') or ''})"
        )
    typer.echo("Signed already, by the officer (checked by the log when you submit):")
    for item in batch.items:
        if isinstance(item, SignedStatement):
            statement = item.statement
            shown_body = json.dumps(statement.body, ensure_ascii=False)[:200]
            typer.echo(f"  {statement.type}  {statement.subject}  {shown_body}")
    with connect(url) as client:
        # Another log's file is refused before finance is asked anything.
        if client.origin() != batch.origin:
            raise ClientError(
                f"{file.name} was prepared for the log {batch.origin!r}, not {client.origin()!r}",
                code="bad_batch_file",
            )
        if not yes and not typer.confirm("Sign and submit?", default=False):
            raise typer.Exit(1)
        _echo(client.submit_batch(batch.complete(load_client_key(key), at=utc_now())))


# -- documents ------------------------------------------------------------------------

documents_app = typer.Typer(
    help="Tender documents: store the bytes a logged tender or contract statement names.",
    no_args_is_help=True,
)


@documents_app.command("upload")
def documents_upload(
    files: Annotated[list[Path], typer.Argument(help="Document files to store.")],
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Store documents on the service under their SHA-256.

    Needs no key: the service only accepts bytes whose SHA-256 a logged tender
    announcement or addendum names (signed by the procurement officer).
    """
    with connect(url) as client:
        stored = [
            {"file": str(path), **pc.upload_document(client, path.read_bytes())} for path in files
        ]
    _echo({"stored": stored})


# -- committee ------------------------------------------------------------------------


load_box_key = pc.load_box_key
write_box_key = pc.write_box_key


@committee_app.command("register-box-key")
def committee_register_box_key(
    box_key: BoxKeyOption = Path("keys/box.key"),
    key: KeyOption = Path("keys/member.key"),
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Generate your X25519 key here (if --box-key does not exist) and register its public half."""
    if box_key.exists():
        private = load_box_key(box_key)
    else:
        private = PrivateKey.generate()
        write_box_key(box_key, private)
    signing = load_client_key(key)
    public = b64encode(bytes(private.public_key))
    with connect(url) as client:
        signed = make_signed(
            signing,
            BOX_KEY_REGISTERED,
            client_key_id(signing),
            {"x25519_public_key": public},
            at=utc_now(),
            origin=client.origin(),
        )
        _echo({"x25519_public_key": public, "receipt": client.submit(signed)})


@committee_app.command("release")
def committee_release(
    ocid: OcidOption,
    box_key: BoxKeyOption = Path("keys/box.key"),
    key: KeyOption = Path("keys/member.key"),
    url: UrlOption = DEFAULT_URL,
) -> None:
    """After the closing: open your sealed shares here and publish them (signed)."""
    signing = load_client_key(key)
    member = client_key_id(signing)
    private = load_box_key(box_key)
    with connect(url) as client:
        releases, bad = pc.release_shares(member, private, ocid, _bids(client, ocid))
        origin = client.origin()
        receipts = []
        for start in range(0, len(releases), RELEASES_PER_STATEMENT_MAX):
            chunk = releases[start : start + RELEASES_PER_STATEMENT_MAX]
            signed = make_signed(
                signing, lc.SHARES_RELEASED, ocid, {"shares": chunk}, at=utc_now(), origin=origin
            )
            receipts.append(client.submit(signed))
    _echo({"released": len(releases), "unopenable_for_me": bad, "receipts": receipts})


@committee_app.command("open")
def committee_open(
    ocid: OcidOption, key: KeyOption = Path("keys/member.key"), url: UrlOption = DEFAULT_URL
) -> None:
    """Open every bid: accepted once each has k releases, or after the release window
    (then the bids still short are listed with the members who did not release)."""
    with connect(url) as client:
        signed = make_signed(
            load_client_key(key), lc.OPENED_TYPE, ocid, {}, at=utc_now(), origin=client.origin()
        )
        _echo(client.submit(signed))


def mount(app: typer.Typer) -> None:
    """Add ``vendor``, ``committee``, ``officer``, ``finance`` and ``documents`` to ``terang``.

    The officer's one-statement steps live in
    ``terang.cli_officer``, which adds them to ``officer_app`` when imported."""
    __import__("terang.cli_officer")
    app.add_typer(vendor_app, name="vendor")
    app.add_typer(committee_app, name="committee")
    app.add_typer(officer_app, name="officer")
    app.add_typer(finance_app, name="finance")
    app.add_typer(documents_app, name="documents")
