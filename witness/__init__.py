"""The witness: another party's service that cosigns a log's checkpoints (c2sp.org/tlog-witness).

A witness is run by someone other than the log's operator (an inspectorate, a university,
a newsroom), so it is a room of its own: it imports only the ledger's formats and
storage helpers, never the log's service, and the log reaches it only over HTTP.
``server`` is its HTTP API and checks; ``store`` keeps, per log, the latest checkpoint it
cosigned, so it never cosigns a fork; ``limits`` its bounds.
"""
