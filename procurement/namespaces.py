"""Where the contract and RUP documents live, and the statuses a contract document holds.

The read side (``procurement.reads``, the portal, the trace) needs these names, not the
reducers that write them: ``procurement.contracts`` and ``procurement.rup`` import them
from here, so a reader never imports the rules (and budgeting's reducers behind them).
The tender's own namespaces and states are in ``procurement.lifecycle``.
"""

from __future__ import annotations

CONTRACT_NAMESPACE = "procurement.contract"
RUP_NAMESPACE = "procurement.rup"

ACTIVE = "active"
PAID_IN_FULL = "paid"
COMPLETED = "completed"
TERMINATED = "terminated"
CONTRACT_STATUSES = (ACTIVE, PAID_IN_FULL, COMPLETED, TERMINATED)
"""A contract document's ``status``: running, paid in full, completed (BAST), ended early."""
