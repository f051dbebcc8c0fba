"""The budgeting room (APBD): structure, appropriations, revisions, pergeseran, cash
allotments, commitments, payments and reversals, as reducers over ledger statements.

Modules, in call order: ``money`` (sen and decimal strings) and ``codes``
(Permendagri 90/2019 codes, OPDs, line ids) are pure parsers; ``statements`` parses
and builds bodies; ``reducers`` applies them to ``State`` (the budget rules, and the
kinds the composition root registers); ``read_models`` reads the projection as plain
rows with the log size they reflect; ``router`` and ``schemas`` serve them under
``/api/v1/budget``; ``service`` is what other rooms and tools call (dry-run checks,
bulk posting); ``demo`` builds the demo kabupaten. See docs/budgeting.md.

It imports ``ledger`` only.
"""
