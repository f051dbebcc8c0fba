"""The public transparency portal: server-rendered HTML over the read models.

This room only reads. It renders what the audit, budgeting and procurement read
models already serve as JSON, for people who would rather look than parse; every
figure on a page links to the ledger entries and proofs it came from. It never
writes to the ledger and never imports the write paths: it takes the service as
``ledger.reads.PublicLog``, and the portal contract in ``pyproject.toml`` forbids the
rooms' writers, demo builders and clients (docs/design.md, contract 8).
"""
