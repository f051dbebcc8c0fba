"""The budgeting room (APBD): appropriations, revisions, allotments, commitments,
payments and the realisation report, as reducers over ledger statements.

Not built yet (issue 4). It may import ``ledger`` only.
"""
