"""A package's items: what is bought, each classified by KBLI 2020, with a quantity.

A ``procurement.package.created`` statement may list ``items`` (optional; a package
without them is valid, and every package logged before items existed has none). Each
item::

    {"id": "1", "description": "Meja guru kayu jati",
     "classification": {"scheme": "KBLI", "id": "31001",
                        "description": "Industri furnitur dari kayu"},
     "quantity": 40, "unit": "unit", "unit_value": "1250000.00"}

``unit_value`` is optional (a rupiah amount on the wire like ``hps``, sen inside). The
classification is Klasifikasi Baku Lapangan Usaha (KBLI) 2020 (Peraturan BPS Nomor 2
Tahun 2020), at its most detailed level: a 5-digit code, checked by shape only (Terang
does not ship the KBLI table; the description is the officer's). Its first two digits
are the KBLI *golongan pokok* (division), the level Cardinal's R048 (heterogeneous
supplier) counts by default. The OCDS export publishes them as ``tender.items``
(``procurement.ocds``).
"""

from __future__ import annotations

import re
from typing import Any

from budgeting.money import parse_positive_amount
from procurement import fields
from procurement.limits import (
    CLASSIFICATION_DESCRIPTION_CHARS_MAX,
    ITEM_DESCRIPTION_CHARS_MAX,
    ITEM_ID_CHARS_MAX,
    ITEM_QUANTITY_MAX,
    PACKAGE_ITEMS_MAX,
    UNIT_NAME_CHARS_MAX,
)

SCHEME = "KBLI"
"""The only classification scheme accepted: KBLI 2020."""
KBLI_CODE = re.compile(r"[0-9]{5}")
KBLI_DIVISION_DIGITS = 2
"""The first level of KBLI's numeric hierarchy (golongan pokok): two digits."""
ITEM_FIELDS = frozenset({"id", "description", "classification", "quantity", "unit"})
ITEM_OPTIONAL = frozenset({"unit_value"})
CLASSIFICATION_FIELDS = frozenset({"scheme", "id", "description"})


def package_items(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The body's ``items``, checked and normalised (``unit_value_sen`` inside), or ``[]``
    when the body lists none. Errors name the item: ``body.items[2].classification.id``."""
    if "items" not in body:
        return []
    found = fields.items(body, "items", 1, PACKAGE_ITEMS_MAX)
    result: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, raw in enumerate(found):
        where = f"items[{index}]"
        item = fields.obj(raw, where)
        _only(item, where, ITEM_FIELDS, ITEM_OPTIONAL)
        item_id = item.get("id")
        if (
            not isinstance(item_id, str)
            or len(item_id) > ITEM_ID_CHARS_MAX
            or not fields.IDENTIFIER_PATTERN.fullmatch(item_id)
        ):
            raise fields.bad(
                f"{where}.id",
                f"must be 1 to {ITEM_ID_CHARS_MAX} characters matching"
                f" {fields.IDENTIFIER_PATTERN.pattern}",
            )
        if item_id in seen:
            raise fields.bad(f"{where}.id", f"repeats the item id {item_id}")
        seen.add(item_id)
        description = _text(item, where, "description", ITEM_DESCRIPTION_CHARS_MAX)
        classification = classification_of(item.get("classification"), f"{where}.classification")
        quantity = _whole(item, where, "quantity")
        unit = _text(item, where, "unit", UNIT_NAME_CHARS_MAX)
        normal: dict[str, Any] = {
            "id": item_id,
            "description": description,
            "classification": classification,
            "quantity": quantity,
            "unit": unit,
        }
        if "unit_value" in item:
            normal["unit_value_sen"] = parse_positive_amount(
                item["unit_value"], field=f"body.{where}.unit_value"
            )
        result.append(normal)
    return result


def classification_of(raw: Any, where: str) -> dict[str, str]:
    """``{scheme: "KBLI", id: 5 digits, description}``."""
    value = fields.obj(raw, where)
    _only(value, where, CLASSIFICATION_FIELDS, frozenset())
    if value.get("scheme") != SCHEME:
        raise fields.bad(f"{where}.scheme", f"must be {SCHEME}", code="bad_choice")
    code = value.get("id")
    if not isinstance(code, str) or not KBLI_CODE.fullmatch(code):
        raise fields.bad(f"{where}.id", "must be a KBLI 2020 code of 5 digits, like 31001")
    description = _text(value, where, "description", CLASSIFICATION_DESCRIPTION_CHARS_MAX)
    return {"scheme": SCHEME, "id": code, "description": description}


def division(classification: dict[str, str], digits: int = KBLI_DIVISION_DIGITS) -> str:
    """The classification's first level (KBLI golongan pokok by default): ``31001`` -> ``31``."""
    return classification["id"][:digits]


def _only(
    value: dict[str, Any], where: str, required: frozenset[str], optional: frozenset[str]
) -> None:
    missing = sorted(required - value.keys())
    if missing:
        raise fields.bad(where, f"is missing {', '.join(missing)}", code="missing_field")
    extra = sorted(value.keys() - required - optional)
    if extra:
        raise fields.bad(where, f"has unknown field(s) {', '.join(extra)}", code="unknown_field")


def _text(value: dict[str, Any], where: str, field: str, chars_max: int) -> str:
    got = value.get(field)
    if not isinstance(got, str) or not 1 <= len(got) <= chars_max or got != got.strip():
        raise fields.bad(
            f"{where}.{field}",
            f"must be a string of 1 to {chars_max} characters, no white space at its ends",
        )
    return got


def _whole(value: dict[str, Any], where: str, field: str) -> int:
    got = value.get(field)
    if not isinstance(got, int) or isinstance(got, bool) or not 1 <= got <= ITEM_QUANTITY_MAX:
        raise fields.bad(
            f"{where}.{field}", f"must be a whole number from 1 to {ITEM_QUANTITY_MAX}"
        )
    return got


def ocds_item(item: dict[str, Any], currency: str, amount: Any) -> dict[str, Any]:
    """One item as OCDS ``tender.items[]`` (``amount`` renders sen as the OCDS amount)."""
    unit: dict[str, Any] = {"name": item["unit"]}
    if "unit_value_sen" in item:
        unit["value"] = {"amount": amount(item["unit_value_sen"]), "currency": currency}
    return {
        "id": item["id"],
        "description": item["description"],
        "classification": dict(item["classification"]),
        "quantity": item["quantity"],
        "unit": unit,
    }
