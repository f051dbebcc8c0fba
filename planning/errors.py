"""The planning room's errors: each has a stable ``code``; the HTTP layer renders it.

Families (see ``ledger.errors``): malformed bodies and codes are ``ClientError`` (422:
``budgeting.errors.BadBody``'s ``bad_field``, ``BadSubject``'s ``bad_subject``, and
``bad_area_code`` here); refusals that depend on the ledger's state are
``PlanningRejected`` (a ``ledger.kinds.Rejected``, 409). Nothing is logged in either
case. Every code is explained in docs/planning.md, "Refusals".
"""

from __future__ import annotations

from ledger.errors import ClientError
from ledger.kinds import Rejected


class BadAreaCode(ClientError):
    """A kecamatan or desa/kelurahan code is not of the Kemendagri shape (422)."""

    code = "bad_area_code"


class PlanningRejected(Rejected):
    """A planning rule refused the statement given the ledger's state (409)."""

    code = "planning_rejected"


# Listed in the order the reducers check them (docs/planning.md, "Refusals").


class AreaExists(PlanningRejected):
    code = "area_exists"


class UnknownArea(PlanningRejected):
    """A kecamatan or desa that is not registered (``details.area`` names it)."""

    code = "unknown_area"


class UnknownKey(PlanningRejected):
    code = "unknown_planning_key"


class SeatExists(PlanningRejected):
    code = "seat_exists"


class ProposalExists(PlanningRejected):
    code = "proposal_exists"


class UnknownSubKegiatan(PlanningRejected):
    """The proposal's sub kegiatan is not registered in budgeting's programme codes."""

    code = "unknown_sub_kegiatan"


class SourceRoleMismatch(PlanningRejected):
    """The signer's roles do not match the proposal's ``source`` (pokir needs ``dprd``)."""

    code = "source_role_mismatch"


class NotSeatedHere(PlanningRejected):
    """The signer is not seated at the proposal's desa (proposers) or kecamatan (forum)."""

    code = "not_seated_here"


class UnknownProposal(PlanningRejected):
    code = "unknown_proposal"


class AlreadyDecided(PlanningRejected):
    """The same forum already decided on this proposal (``details.seq`` says when)."""

    code = "already_decided"


class ProposalClosed(PlanningRejected):
    """The proposal was rejected or merged: no forum takes it up again."""

    code = "proposal_closed"


class WrongStage(PlanningRejected):
    """A step out of order: the proposal awaits another forum (``details.stage``)."""

    code = "wrong_stage"


class MergeIntoItself(PlanningRejected):
    code = "merge_into_itself"


class MergeTargetClosed(PlanningRejected):
    """The target of a merge is itself merged or rejected (so merges never form a cycle)."""

    code = "merge_target_closed"


class MergeAcross(PlanningRejected):
    """A merge into a proposal of another fiscal year, or (at a kecamatan) another kecamatan."""

    code = "merge_across"


class MergeTargetFull(PlanningRejected):
    code = "merge_target_full"


class NotAccepted(PlanningRejected):
    """A funding link on a proposal that Bappeda has not accepted into the RKPD."""

    code = "proposal_not_accepted"


class UnknownFundingLine(PlanningRejected):
    code = "unknown_funding_line"


class FundingLineMismatch(PlanningRejected):
    """The line is of another fiscal year or another sub kegiatan than the proposal."""

    code = "funding_line_mismatch"


class FundingLineLinked(PlanningRejected):
    code = "funding_line_linked"


class FundingLinesFull(PlanningRejected):
    code = "funding_lines_full"


class LineProposalsFull(PlanningRejected):
    """The budget line already funds ``planning.limits.LINE_PROPOSALS_MAX`` proposals."""

    code = "line_proposals_full"


class MergeTargetBehind(PlanningRejected):
    """At the kabupaten forum, a merge into a proposal that has not reached that forum."""

    code = "merge_target_behind"
