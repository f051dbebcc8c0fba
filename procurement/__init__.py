"""The procurement room: vendors, plans, tenders with sealed bids, awards, contracts
and OCDS, as reducers over ledger statements.

Not built yet (issue 5). It may import ``budgeting`` and ``ledger`` only.
"""
