"""The ledger room: the append-only, signed, hash-chained RFC 6962 Merkle log.

Pure parts (no I/O): ``merkle`` (tree hashing and proofs), ``canonical`` and
``statement`` (entry bytes and signatures), ``note``, ``checkpoint``, ``tlog_proof``
and ``tiles`` (the C2SP formats). Stages with I/O: ``storage`` (tables),
``sequencer`` (assigns seq, chains, integrates, applies reducers in one transaction)
and ``publisher`` (signs checkpoints). ``ledger`` imports no other Terang room.
"""
