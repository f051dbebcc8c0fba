"""Where budgeting's documents live in the projection, and the fields of a line.

The reducers write these namespaces and the read models, reports and portal read them;
both import the names from here, so a reader never has to import the reducers (the
rules) to find a document. Changing a value here moves documents: it needs a migration
that asks for a rebuild (``ledger/schema``).
"""

from __future__ import annotations

NS_FISCAL_YEAR = "budgeting.fiscal_year"
NS_OPD = "budgeting.opd"
NS_PROGRAMME = "budgeting.programme"
NS_ACCOUNT = "budgeting.account"
NS_FUNDING_SOURCE = "budgeting.funding_source"
NS_LINE = "budgeting.line"
NS_COMMITMENT = "budgeting.commitment"
NS_POSTING = "budgeting.posting"
NS_POSTING_ID = "budgeting.posting_id"
NS_PRICE_LIST = "budgeting.price_list"
NS_PRICE_ITEM = "budgeting.price_item"
NS_KOMPONEN = "budgeting.komponen"
STRUCTURE_NAMESPACES = {
    "fiscal_year": NS_FISCAL_YEAR,
    "opd": NS_OPD,
    "programme": NS_PROGRAMME,
    "account": NS_ACCOUNT,
    "funding_source": NS_FUNDING_SOURCE,
}

# The amount fields of a line, in sen; a fiscal year's totals hold the same fields.
AMOUNT_FIELDS = (
    "appropriated_sen",
    "revised_sen",
    "shifted_sen",
    "budget_sen",
    "committed_sen",
    "paid_committed_sen",
    "paid_uncommitted_sen",
    "realised_sen",
    "available_sen",
    "allotted_sen",
)


def price_item_key(list_id: str, version: int, code: str) -> str:
    """Items are keyed list, version, code: a version's items are one key range."""
    return f"{list_id}:{version:06d}:{code}"
