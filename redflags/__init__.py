"""Red flags: Cardinal's procurement indicators and Indonesian ones, on the live ledger.

A read model over procurement's statements (``redflags.reducer``), recomputed as
entries arrive and by replay; pure rules (``redflags.rules``), dated data
(``redflags.periods``), reads (``redflags.reads``) and the public API
(``redflags.router``). See docs/red-flags.md.
"""
