"""Where planning's documents live, and a proposal's stages and forums in their order.

The reducers move proposals through these stages and the read models, router and
portal show them; both import the names from here, so a reader never imports the
reducers (the rules) to learn what a stage is called.
"""

from __future__ import annotations

from dataclasses import dataclass

from planning import statements as st

NS_AREA = "planning.area"
NS_SEAT = "planning.seat"
NS_PROPOSAL = "planning.proposal"
NS_LINE_PROPOSALS = "planning.line_proposals"

AWAITING_KECAMATAN = "awaiting_kecamatan"
AWAITING_KABUPATEN = "awaiting_kabupaten"
AWAITING_BAPPEDA = "awaiting_bappeda"
ACCEPTED = "accepted"
REJECTED = "rejected"
MERGED = "merged"
STAGES = (AWAITING_KECAMATAN, AWAITING_KABUPATEN, AWAITING_BAPPEDA, ACCEPTED, REJECTED, MERGED)
OPEN_STAGES = (AWAITING_KECAMATAN, AWAITING_KABUPATEN, AWAITING_BAPPEDA, ACCEPTED)
CLOSED_STAGES = (REJECTED, MERGED)


@dataclass(frozen=True)
class Forum:
    """One forum's place in the order: the stage it decides on and the stage it sends to."""

    name: str
    awaits: str
    forwards_to: str


FORUMS = {
    st.KECAMATAN_DECISION: Forum("kecamatan", AWAITING_KECAMATAN, AWAITING_KABUPATEN),
    st.KABUPATEN_DECISION: Forum("kabupaten", AWAITING_KABUPATEN, AWAITING_BAPPEDA),
    st.RKPD_DECISION: Forum("rkpd", AWAITING_BAPPEDA, ACCEPTED),
}
FORUM_NAMES = tuple(forum.name for forum in FORUMS.values())
