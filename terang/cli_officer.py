"""``terang officer ...``: every step of the procurement officer's (PPK's, Pokja's) job.

The two-key batches (award, payment) are in ``terang.cli_procurement``; here are the
steps the officer signs alone, one statement each, so that nobody has to write JSON
for ``terang submit`` by hand. Each command:

* takes amounts as people write them (``Rp 814.000.000,00``) or in the wire form
  (``814000000.00``), and times in the region's zone (``2026-12-10 14:00``, read in
  ``--time-zone``), with a zone label (``14:00 WITA``), an offset or ``Z``; what is
  signed is always UTC and sen;
* prints, before it signs, what it is about to sign in plain words (amounts in
  rupiah, times in the region's zone) on stderr, and the receipt as JSON on stdout;
* signs with the officer's key here (``--key``); the key never leaves this machine.

The log checks everything again (role, state, rules); a refusal comes back as
``error[CODE]: message`` with the code documented in docs/procurement.md.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from budgeting.money import format_amount, parse_typed_amount
from ledger.clock import utc_now
from ledger.errors import ClientError
from ledger.keys import load_client_key
from ledger.region_time import TIME_ZONE_DEFAULT, local_time_text, parse_local_time
from ledger.signing import make_signed
from ledger.statement import format_time
from procurement import client as pc
from procurement import contracts as ct
from procurement import lifecycle as lc
from procurement import rup, vendors
from procurement.fields import sha256_hex
from terang.cli_procurement import (
    DEFAULT_URL,
    KeyOption,
    OcidOption,
    UrlOption,
    _document_refs,
    _echo,
    _get,
    _tender,
    connect,
    officer_app,
)

OFFICER_KEY = Path("keys/officer.key")
EVALUATION_ROWS_MAX = 100
"""Results per ``procurement.tender.evaluated`` statement (the body's own bound)."""

ZoneOption = Annotated[
    str,
    typer.Option(
        "--time-zone",
        envvar="TERANG_TIME_ZONE",
        help="The region's zone for times typed without one: WIB, WITA or WIT.",
    ),
]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why (published with the entry).")]


def _say(line: str) -> None:
    """What is about to be signed, for the person (stderr; stdout stays JSON)."""
    typer.echo(line, err=True)


def _rupiah(sen: int) -> str:
    from portal.formatting import rupiah

    return rupiah(sen, "id")


def _time(text: str, zone: str, field: str) -> str:
    """A typed time as the UTC wire string, told back in the region's zone."""
    moment = parse_local_time(text, zone, field=field)
    _say(f"  {field}: {local_time_text(moment, zone)} ({format_time(moment)})")
    return format_time(moment)


def _sign_and_submit(
    key: Path,
    url: str,
    statement_type: str,
    subject: str,
    body: Mapping[str, Any],
    *,
    files: list[Path] | None = None,
) -> None:
    """Sign one statement here and log it; with ``files``, store their bytes once the
    statement naming them is logged (the service accepts only bytes a logged entry names)."""
    signing = load_client_key(key)
    with connect(url) as client:
        signed = make_signed(
            signing, statement_type, subject, dict(body), at=utc_now(), origin=client.origin()
        )
        receipt = client.submit(signed)
        if files is None:
            _echo(receipt)
        else:
            _echo({"receipt": receipt, "stored": _upload(client, files)})


# -- vendors --------------------------------------------------------------------------


@officer_app.command("activate-vendor", rich_help_panel="Vendors")
def officer_activate_vendor(
    vendor: Annotated[str, typer.Argument(help="The vendor's key id (from its registration).")],
    note: Annotated[str | None, typer.Option(help="A note, e.g. the documents checked.")] = None,
    key: KeyOption = OFFICER_KEY,
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Activate a registered vendor, after checking its identity and NPWP off line."""
    _say(f"Activating vendor {vendor}")
    _sign_and_submit(key, url, vendors.ACTIVATED, vendor, {"note": note} if note else {})


# -- the package and the tender -------------------------------------------------------


# -- the procurement plan (RUP) -------------------------------------------------------

rup_app = typer.Typer(
    help="The procurement plan (RUP, as SiRUP publishes it): publish, revise, withdraw items.",
    no_args_is_help=True,
)
officer_app.add_typer(rup_app, name="rup", rich_help_panel="The procurement plan")
RupCode = Annotated[str, typer.Argument(help="The RUP code (SiRUP's kode RUP).")]
MonthHelp = "A month, YYYY-MM."


def _rup_item(
    *,
    name: str | None,
    value: str | None,
    procurement_type: str | None,
    category: str | None,
    method: str | None,
    pdn: bool | None,
    umk: bool | None,
    selection_start: str | None,
    contract_start: str | None,
    justification: str | None,
    current: Mapping[str, Any],
) -> dict[str, Any]:
    """The item's wire fields: each option given, else the current item's (revise)."""
    given = {
        "name": name,
        "value": format_amount(parse_typed_amount(value, field="--value")) if value else None,
        "procurement_type": procurement_type,
        "category": category,
        "method": method,
        "pdn": pdn,
        "umk": umk,
        "selection_start": selection_start,
        "contract_start": contract_start,
    }
    body = {k: (v if v is not None else current.get(k)) for k, v in given.items()}
    if body["procurement_type"] == "swakelola":
        body["method"] = None
    missing = [k for k, v in body.items() if v is None and k != "method"]
    if missing:
        raise ClientError(
            "missing " + ", ".join("--" + k.replace("_", "-") for k in missing),
            code="missing_field",
            fields=missing,
        )
    if justification is not None:
        body["justification"] = justification
    return {k: v for k, v in body.items() if v is not None}


def _say_item(code: str, body: Mapping[str, Any]) -> None:
    value = parse_typed_amount(body["value"], field="value")
    _say(
        f"RUP {code}: {body['name']!r}, {body['procurement_type']}, {body['category']}"
        + (f", {body['method']}" if "method" in body else "")
        + f", {_rupiah(value)}"
    )
    _say(
        f"  PDN {'ya' if body['pdn'] else 'tidak'}, UMK {'ya' if body['umk'] else 'tidak'};"
        f" pemilihan {body['selection_start']}, kontrak {body['contract_start']}"
    )


NameOption = Annotated[str | None, typer.Option(help="The package's name, as planned.")]
ValueOption = Annotated[
    str | None, typer.Option(help='The planned value: "Rp 814.000.000,00" or "814000000.00".')
]
TypeOption = Annotated[
    str | None, typer.Option("--type", help="penyedia (by a provider) or swakelola.")
]
CategoryOption = Annotated[
    str | None, typer.Option(help="goods, works, consulting or other_services.")
]
MethodOption = Annotated[str | None, typer.Option(help="The method (penyedia only).")]
PdnOption = Annotated[
    bool | None, typer.Option("--pdn/--no-pdn", help="Produk dalam negeri (domestic products).")
]
UmkOption = Annotated[
    bool | None, typer.Option("--umk/--no-umk", help="Reserved for usaha mikro dan kecil.")
]
SelectionOption = Annotated[str | None, typer.Option(help="Selection starts: " + MonthHelp)]
ContractOption = Annotated[str | None, typer.Option(help="Contract starts: " + MonthHelp)]
JustificationOption = Annotated[
    str | None, typer.Option(help="Why this method (required by the rules for some).")
]


@rup_app.command("publish")
def officer_rup_publish(
    code: RupCode,
    budget_line: Annotated[str, typer.Option(help="The budgeting line id that funds it.")],
    name: NameOption = None,
    value: ValueOption = None,
    procurement_type: TypeOption = "penyedia",
    category: CategoryOption = None,
    method: MethodOption = None,
    pdn: PdnOption = None,
    umk: UmkOption = None,
    selection_start: SelectionOption = None,
    contract_start: ContractOption = None,
    justification: JustificationOption = None,
    key: KeyOption = OFFICER_KEY,
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Publish a RUP item: the OPD's planned procurement on a budget line (its OPD and
    fiscal year are the line's)."""
    from budgeting.codes import parse_line_id

    line = parse_line_id(budget_line)
    body = _rup_item(
        name=name,
        value=value,
        procurement_type=procurement_type,
        category=category,
        method=method,
        pdn=pdn,
        umk=umk,
        selection_start=selection_start,
        contract_start=contract_start,
        justification=justification,
        current={},
    )
    _say_item(code, body)
    _say(f"  on budget line {line.text} (OPD {line.opd.text}, TA {line.year})")
    body.update(opd=line.opd.text, budget_line=line.text, fiscal_year=line.year)
    _sign_and_submit(key, url, rup.PUBLISHED, code, body)


@rup_app.command("revise")
def officer_rup_revise(
    code: RupCode,
    reason: ReasonOption,
    name: NameOption = None,
    value: ValueOption = None,
    procurement_type: TypeOption = None,
    category: CategoryOption = None,
    method: MethodOption = None,
    pdn: PdnOption = None,
    umk: UmkOption = None,
    selection_start: SelectionOption = None,
    contract_start: ContractOption = None,
    justification: JustificationOption = None,
    key: KeyOption = OFFICER_KEY,
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Revise a RUP item: the options given change, the rest stays as published."""
    with connect(url) as client:
        current = dict(_get(client, f"{API_RUP}/{code}")["rup"])
    body = _rup_item(
        name=name,
        value=value,
        procurement_type=procurement_type,
        category=category,
        method=method,
        pdn=pdn,
        umk=umk,
        selection_start=selection_start,
        contract_start=contract_start,
        justification=justification,
        current=current,
    )
    _say_item(code, body)
    _say(f"  revision {current['revision'] + 1}, because: {reason}")
    _sign_and_submit(key, url, rup.REVISED, code, {**body, "reason": reason})


@rup_app.command("withdraw")
def officer_rup_withdraw(
    code: RupCode, reason: ReasonOption, key: KeyOption = OFFICER_KEY, url: UrlOption = DEFAULT_URL
) -> None:
    """Withdraw a RUP item that no package cites."""
    _say(f"Withdrawing RUP {code}, because: {reason}")
    _sign_and_submit(key, url, rup.WITHDRAWN, code, {"reason": reason})


API_RUP = "/api/v1/procurement/rup"


@officer_app.command("package", rich_help_panel="The tender")
def officer_package(
    ocid: OcidOption,
    title: Annotated[str, typer.Option(help="The package's name, as published.")],
    budget_line: Annotated[str, typer.Option(help="The budgeting line id that funds it.")],
    category: Annotated[str, typer.Option(help="goods, works, consulting or other_services.")],
    hps: Annotated[str, typer.Option(help='The HPS: "Rp 814.000.000,00" or "814000000.00".')],
    method: Annotated[str, typer.Option(help="The method, e.g. tender, tender_cepat.")],
    justification: Annotated[
        str | None, typer.Option(help="Why this method (required by the rules for some).")
    ] = None,
    description: Annotated[str | None, typer.Option(help="What is bought.")] = None,
    rup_code: Annotated[str | None, typer.Option(help="The package's SiRUP code.")] = None,
    items: Annotated[
        Path | None,
        typer.Option(
            help="A JSON file: the list of items bought, each with its KBLI 2020"
            " classification (docs/procurement.md, Package items).",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    key: KeyOption = OFFICER_KEY,
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Create a procurement package on a budget line.

    The log checks the HPS against the line's room and the method against the rules in
    force."""
    hps_sen = parse_typed_amount(hps, field="--hps")
    _say(f"Package {ocid}: {title!r}, {category}, {method}, HPS {_rupiah(hps_sen)}")
    _say(f"  on budget line {budget_line}")
    body: dict[str, Any] = {
        "title": title,
        "budget_line": budget_line,
        "category": category,
        "hps": format_amount(hps_sen),
        "method": method,
    }
    optional = {"justification": justification, "description": description, "rup_code": rup_code}
    body.update({name: value for name, value in optional.items() if value is not None})
    if items is not None:
        body["items"] = _items_file(items)
        _say(f"  {len(body['items'])} item(s) from {items.name}")
    _sign_and_submit(key, url, lc.PACKAGE_CREATED, ocid, body)


def _items_file(path: Path) -> list[Any]:
    """The package's items as the file lists them; the log checks each one."""
    try:
        found: Any = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ClientError(f"{path.name}: not JSON ({error})", code="bad_items_file") from error
    if not isinstance(found, list):
        raise ClientError(f"{path.name}: a JSON list of items", code="bad_items_file")
    return found


def _documents(files: list[Path], refs: list[str]) -> list[dict[str, str]]:
    """Documents named by file (hashed here) and by name=sha256."""
    named = [{"name": path.name, "sha256": sha256_hex(path.read_bytes())} for path in files]
    return named + _document_refs(refs)


def _upload(client: Any, files: list[Path]) -> list[dict[str, Any]]:
    """Store the files' bytes once the statement naming them is logged."""
    return [{"file": str(p), **pc.upload_document(client, p.read_bytes())} for p in files]


FileOption = Annotated[
    list[Path],
    typer.Option(
        "--file", help="A document file: hashed here, named, uploaded after the entry (repeatable)."
    ),
]
DocumentOption = Annotated[
    list[str],
    typer.Option("--document", help="A document already stored, as name=sha256 (repeatable)."),
]


@officer_app.command("announce", rich_help_panel="The tender")
def officer_announce(
    ocid: OcidOption,
    clarification_end: Annotated[str, typer.Option(help="End of questions (aanwijzing).")],
    bid_deadline: Annotated[str, typer.Option(help="Bids close at, e.g. 2026-12-10 14:00.")],
    member: Annotated[
        list[str], typer.Option("--member", help="A Pokja member's key id (repeatable).")
    ],
    threshold: Annotated[int, typer.Option(help="Members whose shares open a bid (k of n).")],
    file: FileOption = [],  # noqa: B006
    document: DocumentOption = [],  # noqa: B006
    award_criteria: Annotated[
        str | None, typer.Option(help="price_only (default) or rated.")
    ] = None,
    objection_days: Annotated[
        int | None, typer.Option(help="Masa sanggah in days (default: the rules').")
    ] = None,
    time_zone: ZoneOption = TIME_ZONE_DEFAULT,
    key: KeyOption = OFFICER_KEY,
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Announce the tender: documents (hashed here), schedule, and the Pokja that opens it."""
    _say(f"Announcing {ocid}: {len(member)} Pokja members, {threshold} of them open a bid")
    body: dict[str, Any] = {
        "clarification_end": _time(clarification_end, time_zone, "clarification_end"),
        "bid_deadline": _time(bid_deadline, time_zone, "bid_deadline"),
        "committee": {"members": member, "threshold": threshold},
    }
    if award_criteria is not None:
        body["award_criteria"] = award_criteria
    if objection_days is not None:
        body["objection_days"] = objection_days
    body["documents"] = _documents(file, document)
    for ref in body["documents"]:
        _say(f"  document {ref['name']}  sha256 {ref['sha256']}")
    _sign_and_submit(key, url, lc.ANNOUNCED, ocid, body, files=file)


@officer_app.command("answer", rich_help_panel="The tender")
def officer_answer(
    ocid: OcidOption,
    question: Annotated[int, typer.Option(help="The question's number (1-).")],
    answer: Annotated[str, typer.Option(help="The answer, as published.")],
    key: KeyOption = OFFICER_KEY,
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Answer a vendor's clarification question (published with the question)."""
    _say(f"Answering question {question} of {ocid}")
    _sign_and_submit(key, url, lc.QUESTION_ANSWERED, ocid, {"question": question, "answer": answer})


@officer_app.command("addendum", rich_help_panel="The tender")
def officer_addendum(
    ocid: OcidOption,
    description: Annotated[str, typer.Option(help="What the addendum changes.")],
    file: FileOption = [],  # noqa: B006
    document: DocumentOption = [],  # noqa: B006
    bid_deadline: Annotated[str | None, typer.Option(help="A later bid deadline.")] = None,
    clarification_end: Annotated[str | None, typer.Option(help="A new end of questions.")] = None,
    time_zone: ZoneOption = TIME_ZONE_DEFAULT,
    key: KeyOption = OFFICER_KEY,
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Issue the next addendum (its number is read from the tender); vendors re-confirm."""
    signing = load_client_key(key)
    with connect(url) as client:
        number = int(_tender(client, ocid)["tender"]["addenda"]) + 1
        _say(f"Addendum {number} to {ocid}: {description}")
        body: dict[str, Any] = {"addendum": number, "description": description}
        if bid_deadline is not None:
            body["bid_deadline"] = _time(bid_deadline, time_zone, "bid_deadline")
        if clarification_end is not None:
            body["clarification_end"] = _time(clarification_end, time_zone, "clarification_end")
        documents = _documents(file, document)
        if documents:
            body["documents"] = documents
        signed = make_signed(signing, lc.AMENDED, ocid, body, at=utc_now(), origin=client.origin())
        receipt = client.submit(signed)
        _echo({"receipt": receipt, "stored": _upload(client, file)})


@officer_app.command("close", rich_help_panel="The tender")
def officer_close(
    ocid: OcidOption, key: KeyOption = OFFICER_KEY, url: UrlOption = DEFAULT_URL
) -> None:
    """Close the tender once its bid deadline has passed.

    The server's closer does this too; closing by hand is for a deployment without one."""
    _say(f"Closing {ocid}")
    _sign_and_submit(key, url, lc.CLOSED_TYPE, ocid, {})


# -- evaluation and result ------------------------------------------------------------


def read_results(path: Path) -> list[dict[str, Any]]:
    """Evaluation results from a CSV (columns bidder, passed, score, reasons) or a JSON list.

    ``passed`` is yes/no (or true/false, ya/tidak); ``score`` is optional ("0"-"100")."""
    if path.suffix.lower() == ".json":
        rows: Any = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(rows, list):
            raise ClientError(f"{path.name}: a JSON list of results", code="bad_results")
        return rows
    truths = {"yes": True, "ya": True, "true": True, "no": False, "tidak": False, "false": False}
    results = []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            passed = truths.get((row.get("passed") or "").strip().lower())
            if passed is None or not row.get("bidder"):
                raise ClientError(
                    f"{path.name} line {number}: needs bidder and passed (yes/no)",
                    code="bad_results",
                )
            result: dict[str, Any] = {
                "bidder": row["bidder"].strip(),
                "passed": passed,
                "reasons": (row.get("reasons") or "").strip(),
            }
            if (row.get("score") or "").strip():
                result["score"] = row["score"].strip()
            results.append(result)
    return results


@officer_app.command("evaluate", rich_help_panel="Evaluation and result")
def officer_evaluate(
    ocid: OcidOption,
    results: Annotated[
        Path, typer.Option(help="CSV (bidder,passed,score,reasons) or JSON list of results.")
    ],
    key: KeyOption = OFFICER_KEY,
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Record the evaluation of the opened bids, with reasons (100 bids per statement)."""
    rows = read_results(results)
    if not rows:
        raise ClientError(f"{results.name} holds no results", code="bad_results")
    for row in rows:
        verdict = "lulus" if row.get("passed") else "gugur"
        _say(f"  {row.get('bidder')}: {verdict} {row.get('score', '')} {row.get('reasons', '')}")
    signing = load_client_key(key)
    with connect(url) as client:
        origin = client.origin()
        statements = [
            make_signed(
                signing,
                lc.EVALUATED,
                ocid,
                {"results": rows[start : start + EVALUATION_ROWS_MAX]},
                at=utc_now(),
                origin=origin,
            )
            for start in range(0, len(rows), EVALUATION_ROWS_MAX)
        ]
        if len(statements) == 1:
            _echo(client.submit(statements[0]))
        else:
            _echo(client.submit_batch(statements))


@officer_app.command("winner", rich_help_panel="Evaluation and result")
def officer_winner(
    ocid: OcidOption,
    winner: Annotated[str, typer.Option(help="The winning bidder's key id.")],
    key: KeyOption = OFFICER_KEY,
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Announce the winner (the best passing bid); masa sanggah starts."""
    _say(f"Announcing {winner} as the winner of {ocid}")
    _sign_and_submit(key, url, lc.WINNER_ANNOUNCED_TYPE, ocid, {"winner": winner})


@officer_app.command("answer-objection", rich_help_panel="Evaluation and result")
def officer_answer_objection(
    ocid: OcidOption,
    objection: Annotated[int, typer.Option(help="The objection's number (1-).")],
    outcome: Annotated[str, typer.Option(help="upheld or rejected.")],
    answer: Annotated[str, typer.Option(help="The answer, as published.")],
    key: KeyOption = OFFICER_KEY,
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Answer a sanggah (objection): upheld or rejected, with the reasons."""
    _say(f"Objection {objection} of {ocid}: {outcome}")
    body = {"objection": objection, "outcome": outcome, "answer": answer}
    _sign_and_submit(key, url, lc.OBJECTION_ANSWERED, ocid, body)


def _reason_step(name: str, statement_type: str, saying: str, help_text: str) -> None:
    """Register ``terang officer NAME --ocid OCID --reason TEXT``: one statement whose body
    is its reason (reopen-evaluation, cancel, fail)."""

    def step(
        ocid: OcidOption,
        reason: ReasonOption,
        key: KeyOption = OFFICER_KEY,
        url: UrlOption = DEFAULT_URL,
    ) -> None:
        _say(f"{saying.format(ocid=ocid)}: {reason}")
        _sign_and_submit(key, url, statement_type, ocid, {"reason": reason})

    step.__doc__ = help_text
    officer_app.command(name, rich_help_panel="Evaluation and result")(step)


_reason_step(
    "reopen-evaluation",
    lc.EVALUATION_REOPENED,
    "Reopening the evaluation of {ocid}",
    "Start a new evaluation round after an upheld objection.",
)
_reason_step(
    "cancel",
    lc.CANCELLED_TYPE,
    "Cancelling {ocid}",
    "Cancel the tender (any state before the award).",
)
_reason_step(
    "fail",
    lc.FAILED_TYPE,
    "Declaring {ocid} failed",
    "Declare the tender failed (tender gagal), from closing to the winner's announcement.",
)


# -- the contract ---------------------------------------------------------------------


def parse_milestone(text: str) -> tuple[str, int, str]:
    """``NAME=AMOUNT@DUE`` (``Termin 1=Rp 400.000.000@2026-12-20``): name, sen, due date."""
    name, sep, rest = text.partition("=")
    amount, at, due = rest.rpartition("@")
    if not sep or not at or not name.strip():
        raise ClientError(f"--milestone {text!r}: use NAME=AMOUNT@YYYY-MM-DD", code="bad_milestone")
    return name.strip(), parse_typed_amount(amount, field="--milestone"), due.strip()


@officer_app.command("contract-terms", rich_help_panel="The contract")
def officer_contract_terms(
    ocid: OcidOption,
    contract: Annotated[str, typer.Option(help="The contract's number (nomor kontrak).")],
    start: Annotated[str, typer.Option(help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option(help="Last day, YYYY-MM-DD.")],
    milestone: Annotated[
        list[str],
        typer.Option(help="NAME=AMOUNT@YYYY-MM-DD (repeatable; they sum to the award's value)."),
    ],
    out: Annotated[Path, typer.Option(help="Where to write the terms.")] = Path(
        "contract.terms.json"
    ),
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Write the contract's terms for the vendor to countersign.

    The vendor runs `terang vendor countersign --terms FILE`; then sign them with
    `terang officer contract`."""
    with connect(url) as client:
        award = _tender(client, ocid)["tender"].get("award")
    if not isinstance(award, dict):
        raise ClientError(
            f"{ocid} has no award yet: prepare it with `terang officer award` and have"
            " finance sign it (`terang finance sign-batch`)",
            code="transition_not_allowed",
        )
    parts = [parse_milestone(m) for m in milestone]
    value_sen = sum(sen for _, sen, _ in parts)
    if value_sen != award["value_sen"]:
        raise ClientError(
            f"the milestones sum to {_rupiah(value_sen)}; the award of {ocid} is"
            f" {_rupiah(award['value_sen'])}: they must be equal",
            code="bad_milestones",
        )
    body = pc.contract_body(
        contract, value_sen, start, end, [pc.milestone(n, s, d) for n, s, d in parts]
    )
    _say(f"Contract {contract} for {ocid}: {_rupiah(value_sen)}, {start} to {end}")
    for name, sen, due in parts:
        _say(f"  {name}: {_rupiah(sen)} due {due}")
    out.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _echo({"terms": str(out), "next": f"terang vendor countersign --ocid {ocid} --terms {out}"})


@officer_app.command("contract", rich_help_panel="The contract")
def officer_contract(
    ocid: OcidOption,
    terms: Annotated[Path, typer.Option(help="The terms file the vendor countersigned.")],
    vendor_signature: Annotated[str, typer.Option(help="What `vendor countersign` printed.")],
    key: KeyOption = OFFICER_KEY,
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Sign the contract the vendor countersigned, and log it."""
    from budgeting.money import parse_amount

    body = json.loads(terms.read_text(encoding="utf-8"))
    _say(
        f"Signing contract {body.get('contract')} of {ocid}: {_rupiah(parse_amount(body['value']))}"
    )
    signing = load_client_key(key)
    with connect(url) as client:
        signed = pc.contract_statement(
            signing, ocid, body, vendor_signature, at=utc_now(), origin=client.origin()
        )
        _echo(client.submit(signed))


@officer_app.command("reject-payment", rich_help_panel="The contract")
def officer_reject_payment(
    ocid: OcidOption,
    request: Annotated[int, typer.Option(help="The vendor's payment request number.")],
    reason: ReasonOption,
    key: KeyOption = OFFICER_KEY,
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Reject a payment request (frees the amount it asked for)."""
    _say(f"Rejecting payment request {request} of {ocid}: {reason}")
    _sign_and_submit(key, url, ct.PAYMENT_REJECTED, ocid, {"request": request, "reason": reason})


@officer_app.command("handover", rich_help_panel="The contract")
def officer_handover(
    ocid: OcidOption,
    reference: Annotated[str, typer.Option(help="The BAST's number.")],
    date: Annotated[str, typer.Option(help="The handover day, YYYY-MM-DD.")],
    file: Annotated[
        Path | None, typer.Option(help="The signed BAST: hashed here, uploaded after.")
    ] = None,
    note: Annotated[str | None, typer.Option(help="A note.")] = None,
    key: KeyOption = OFFICER_KEY,
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Record the handover (BAST): the contract is completed."""
    body: dict[str, Any] = {"handover_reference": reference, "handover_date": date}
    if file is not None:
        body["document"] = {"name": file.name, "sha256": sha256_hex(file.read_bytes())}
    if note is not None:
        body["note"] = note
    _say(f"Handover of {ocid}: BAST {reference} on {date}")
    _sign_and_submit(key, url, ct.COMPLETED_TYPE, ocid, body, files=[file] if file else [])
