"""The procurement room: vendors, plans, tenders with sealed bids, awards, contracts
and OCDS, as reducers over ledger statements.

See docs/procurement.md for what is built and what is not. It may import
``budgeting`` and ``ledger`` only.
"""
