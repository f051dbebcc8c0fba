"""Procurement method rules as data, selected by the entry's logging date.

Loading rules (checked once at import; a bad file is a bug, ``InvariantBroken``):

1. every ``*.json`` beside this module is a rule set with a unique ``id`` and a unique
   ``effective_from`` date (``YYYY-MM-DD``, a calendar date in WIB, UTC+7);
2. amounts are sen as decimal strings; categories and methods are from fixed lists;
3. ``in_force(at)`` returns the set with the latest ``effective_from`` on or before
   ``at``'s WIB date; before the first set, there are no rules and nothing is allowed.

A released rule set is never edited (its file is part of what replay depends on): an
amendment is a new file. Tests pass extra sets to ``RuleBook`` to check the selection.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from importlib import resources
from typing import Any

from ledger.errors import InvariantBroken, require
from ledger.kinds import ROLES
from procurement.errors import rejected

CATEGORIES = ("goods", "works", "consulting", "other_services")
METHODS = (
    "e_purchasing",
    "pengadaan_langsung",
    "penunjukan_langsung",
    "tender_cepat",
    "tender",
    "seleksi",
)
RELEASE_WINDOW_HOURS_DEFAULT = 24
WIB = timezone(timedelta(hours=7), "WIB")


@dataclass(frozen=True)
class MethodRule:
    categories: frozenset[str]
    value_max_sen: dict[str, int]
    value_min_exclusive_sen: dict[str, int]
    justification_required: bool
    competitive: bool


@dataclass(frozen=True)
class RuleSet:
    id: str
    effective_from: date
    methods: dict[str, MethodRule]
    bid_window_days_min: dict[str, int]
    objection_days_default: int
    objection_answer_days: int
    addendum_remaining_days_min: int
    performance_guarantee_below_hps_percent: int
    release_window_hours: int = RELEASE_WINDOW_HOURS_DEFAULT
    """After the closing entry, how long every committee member has to release its
    shares before ``opened`` is accepted with bids still short of k releases (a rule
    set file without ``release_window_hours`` gets this default)."""
    conflict_of_interest_check: bool = False
    """Refuse a bidder on the tender's committee, or the package's PPK on it
    (``procurement.conflicts``). Off in a file that does not name it, so a log written
    under an earlier set replays as it was accepted."""
    contract_fiscal_year_check: bool = False
    """Refuse a contract signed outside its package's fiscal year, or running past it,
    unless it is a multi-year contract carrying its approval (``procurement.contracts``)."""
    multi_year_approver_roles: frozenset[str] = frozenset()
    """Roles whose key may approve a kontrak tahun jamak (none: no multi-year contract)."""
    multi_year_dprd_agreement_required: bool = False
    """Whether a multi-year approval must cite the DPRD's agreement."""
    rup_required: bool = False
    """Every package must cite a published RUP item (``procurement.rup``); off in every
    shipped set, so a package citing a code no item was published for (a label) replays."""
    sources: tuple[tuple[str, str], ...] = ()
    """Where each figure comes from (the file's ``sources``: figure -> source)."""

    def check_method(
        self, method: str, category: str, value_sen: int, justification: str | None
    ) -> MethodRule:
        """The method's rule if it allows ``category`` at ``value_sen``; else 409."""
        rule = self.methods.get(method)
        if rule is None or category not in rule.categories:
            raise rejected(
                "method_not_allowed",
                f"{method} is not a method for {category} under {self.id}",
                rule_set=self.id,
                allowed_methods=self.methods_for(category, value_sen),
            )
        high = rule.value_max_sen.get(category)
        low = rule.value_min_exclusive_sen.get(category)
        if (high is not None and value_sen > high) or (low is not None and value_sen <= low):
            raise rejected(
                "method_not_allowed",
                f"{method} does not allow {category} at {value_sen} sen under {self.id}"
                + (f" (at most {high} sen)" if high is not None else "")
                + (f" (above {low} sen only)" if low is not None else ""),
                rule_set=self.id,
                allowed_methods=self.methods_for(category, value_sen),
            )
        if rule.justification_required and not justification:
            raise rejected(
                "justification_required",
                f"{method} needs a stated justification under {self.id}",
                rule_set=self.id,
            )
        return rule

    def methods_for(self, category: str, value_sen: int) -> list[str]:
        """Methods this set allows for a category and value (justification aside)."""
        found = []
        for name, rule in self.methods.items():
            high = rule.value_max_sen.get(category)
            low = rule.value_min_exclusive_sen.get(category)
            if (
                category in rule.categories
                and (high is None or value_sen <= high)
                and (low is None or value_sen > low)
            ):
                found.append(name)
        return sorted(found)


def _amounts(raw: dict[str, str], where: str) -> dict[str, int]:
    result = {}
    for category, text in raw.items():
        require(category in CATEGORIES, InvariantBroken(f"{where}: unknown category {category}"))
        require(
            isinstance(text, str) and text.isdigit() and str(int(text)) == text,
            InvariantBroken(f"{where}: amounts are sen as decimal strings"),
        )
        result[category] = int(text)
    return result


def parse_rule_set(raw: dict[str, Any]) -> RuleSet:
    where = f"rule set {raw.get('id')!r}"
    methods = {}
    for name, spec in raw["methods"].items():
        require(name in METHODS, InvariantBroken(f"{where}: unknown method {name}"))
        categories = frozenset(spec["categories"])
        require(
            categories <= set(CATEGORIES), InvariantBroken(f"{where}: unknown category in {name}")
        )
        methods[name] = MethodRule(
            categories=categories,
            value_max_sen=_amounts(spec["value_max_sen"], where),
            value_min_exclusive_sen=_amounts(spec["value_min_exclusive_sen"], where),
            justification_required=bool(spec["justification_required"]),
            competitive=bool(spec["competitive"]),
        )
    return RuleSet(
        id=str(raw["id"]),
        effective_from=date.fromisoformat(raw["effective_from"]),
        methods=methods,
        bid_window_days_min={str(k): int(v) for k, v in raw["bid_window_days_min"].items()},
        objection_days_default=int(raw["objection_days_default"]),
        objection_answer_days=int(raw["objection_answer_days"]),
        addendum_remaining_days_min=int(raw["addendum_remaining_days_min"]),
        performance_guarantee_below_hps_percent=int(raw["performance_guarantee_below_hps_percent"]),
        release_window_hours=int(raw.get("release_window_hours", RELEASE_WINDOW_HOURS_DEFAULT)),
        conflict_of_interest_check=_flag(raw, "conflict_of_interest_check", where),
        contract_fiscal_year_check=_flag(raw, "contract_fiscal_year_check", where),
        multi_year_approver_roles=_roles(raw.get("multi_year_approver_roles", []), where),
        multi_year_dprd_agreement_required=_flag(raw, "multi_year_dprd_agreement_required", where),
        rup_required=_flag(raw, "rup_required", where),
        sources=_sources(raw.get("sources", {}), where),
    )


def _flag(raw: dict[str, Any], name: str, where: str) -> bool:
    value = raw.get(name, False)
    require(isinstance(value, bool), InvariantBroken(f"{where}: {name} must be true or false"))
    return bool(value)


def _roles(raw: Any, where: str) -> frozenset[str]:
    require(
        isinstance(raw, list) and all(isinstance(r, str) and r in ROLES for r in raw),
        InvariantBroken(f"{where}: multi_year_approver_roles must be ledger roles"),
    )
    return frozenset(raw)


def _sources(raw: Any, where: str) -> tuple[tuple[str, str], ...]:
    require(
        isinstance(raw, dict)
        and all(isinstance(k, str) and isinstance(v, str) and v for k, v in raw.items()),
        InvariantBroken(f"{where}: sources must map each figure to its source text"),
    )
    return tuple(sorted(raw.items()))


class RuleBook:
    """Rule sets ordered by effective date."""

    def __init__(self, rule_sets: list[RuleSet]) -> None:
        ordered = sorted(rule_sets, key=lambda r: r.effective_from)
        require(
            len({r.id for r in ordered}) == len(ordered)
            and len({r.effective_from for r in ordered}) == len(ordered),
            InvariantBroken("rule sets need unique ids and unique effective dates"),
        )
        self.rule_sets = ordered

    def in_force(self, at: datetime) -> RuleSet:
        day = at.astimezone(WIB).date()
        current = None
        for rule_set in self.rule_sets:
            if rule_set.effective_from <= day:
                current = rule_set
        if current is None:
            raise rejected("no_rules_in_force", f"no procurement rule set is in force on {day}")
        return current

    def by_id(self, rule_set_id: str) -> RuleSet:
        for rule_set in self.rule_sets:
            if rule_set.id == rule_set_id:
                return rule_set
        raise InvariantBroken(f"rule set {rule_set_id} is not known")


def load_packaged() -> RuleBook:
    sets = []
    for item in sorted(resources.files(__name__).iterdir(), key=lambda p: p.name):
        if item.name.endswith(".json"):
            sets.append(parse_rule_set(json.loads(item.read_text(encoding="utf-8"))))
    return RuleBook(sets)


RULES = load_packaged()
"""The rule book every reducer uses (a pure function of the files shipped)."""
