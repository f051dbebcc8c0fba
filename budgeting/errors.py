"""The budgeting room's errors: each has a stable ``code``; the HTTP layer renders it.

Families (see ``ledger.errors``): malformed bodies and codes are ``ClientError``
(422: ``bad_field``, ``bad_amount``, ``bad_code``, ``bad_subject``, ``bad_date``);
refusals that depend on the ledger's state are ``BudgetRejected`` (a
``ledger.kinds.Rejected``, 409). Nothing is logged in either case.

Every budget-control refusal names the line, the amounts involved (decimal strings)
and the shortfall, in the message and in ``details``, so a finance officer can act
on it without looking anything up.
"""

from __future__ import annotations

from ledger.errors import ClientError
from ledger.kinds import Rejected


class BadBody(ClientError):
    """A statement body is missing a field, has an unknown one, or a bad value (422)."""

    code = "bad_field"


class BadSubject(ClientError):
    """The statement's subject is not the one its body implies (422)."""

    code = "bad_subject"


class BadDate(ClientError):
    """A value date is malformed, outside the line's fiscal year, or in the future (422)."""

    code = "bad_date"


class BudgetRejected(Rejected):
    """A budgeting rule refused the statement given the ledger's state (409)."""

    code = "budget_rejected"


# Listed in the order the reducers check them (docs/budgeting.md, "Rules").


class DuplicatePosting(BudgetRejected):
    code = "duplicate_posting"


class StructureExists(BudgetRejected):
    code = "structure_exists"


class UnknownCode(BudgetRejected):
    """A code (or the parent it needs) is not registered; ``details.part`` names it."""

    code = "unknown_code"


class UnknownLine(BudgetRejected):
    code = "unknown_line"


class UnknownPosting(BudgetRejected):
    code = "unknown_posting"


class UnknownCommitment(BudgetRejected):
    code = "unknown_commitment"


class UnbalancedShift(BudgetRejected):
    code = "unbalanced_shift"


class ShiftAcrossOpd(BudgetRejected):
    code = "shift_across_opd"


class ShiftAcrossGroups(BudgetRejected):
    code = "shift_across_groups"


class BudgetNegative(BudgetRejected):
    code = "budget_negative"


class BudgetBelowCommitted(BudgetRejected):
    code = "budget_below_committed"


class AllotmentNegative(BudgetRejected):
    code = "allotment_negative"


class AllotmentExceedsBudget(BudgetRejected):
    code = "allotment_exceeds_budget"


class AllotmentBelowPaid(BudgetRejected):
    code = "allotment_below_paid"


class CommitmentOnInflow(BudgetRejected):
    code = "commitment_on_inflow_line"


class CommitmentExceedsAvailable(BudgetRejected):
    code = "commitment_exceeds_available"


class CommitmentOtherLine(BudgetRejected):
    code = "commitment_other_line"


class CommitmentReversed(BudgetRejected):
    code = "commitment_reversed"


class ReleaseExceedsCommitment(BudgetRejected):
    """A release of more than the commitment's unpaid rest (amount less paid)."""

    code = "release_exceeds_commitment"


class PaymentExceedsCommitment(BudgetRejected):
    code = "payment_exceeds_commitment"


class PaymentExceedsAvailable(BudgetRejected):
    code = "payment_exceeds_available"


class PaymentExceedsAllotment(BudgetRejected):
    code = "payment_exceeds_allotment"


class AlreadyReversed(BudgetRejected):
    code = "already_reversed"


class NotReversible(BudgetRejected):
    code = "not_reversible"


class ReversalSubjectMismatch(BudgetRejected):
    code = "reversal_subject_mismatch"


class AmountOutOfRange(BudgetRejected):
    """A total would pass ``money.AMOUNT_SEN_MAX`` (the I-JSON safe-integer range)."""

    code = "amount_out_of_range"


# Standard price lists (SSH/HSPK/ASB) and komponen (docs/budgeting.md, "Komponen").


class KomponenTotalMismatch(ClientError):
    """A komponen's ``total`` is not exactly its volume × unit price in sen (422)."""

    code = "komponen_total_mismatch"


class UnknownPriceList(BudgetRejected):
    code = "unknown_price_list"


class UnknownPriceItem(BudgetRejected):
    """The item a komponen names is not in the price list's latest version."""

    code = "unknown_price_item"


class PriceListVersionOutOfOrder(BudgetRejected):
    """A price list statement names neither the latest version nor the next one."""

    code = "price_list_version_out_of_order"


class DuplicatePriceItem(BudgetRejected):
    """An item code already in that version of the price list."""

    code = "duplicate_price_item"


class PriceListVersionFull(BudgetRejected):
    """A version (or a list) would pass ``limits.PRICE_ITEMS_PER_VERSION_MAX`` items
    (``PRICE_LIST_VERSIONS_MAX`` versions)."""

    code = "price_list_full"


class PriceAboveStandard(BudgetRejected):
    """A komponen's unit price is above its standard item's price and has no ``reason``."""

    code = "price_above_standard"


class KomponenSumMismatch(BudgetRejected):
    """A komponen set does not add up exactly to the line's budget."""

    code = "komponen_sum_mismatch"


class KomponenOutOfStep(BudgetRejected):
    """A commitment or an uncommitted payment on a line whose komponen no longer add up
    to its budget (a revision or pergeseran changed it since the komponen were set)."""

    code = "komponen_out_of_step"
