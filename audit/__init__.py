"""The audit room: what lets anyone check the log without trusting its operator.

``read_api`` serves projections and record bundles (the log's own tiles and proofs are
``ledger.log_api``); ``verifier`` (no I/O) replays entries through the same reducers
the server runs; ``remote`` drives it over HTTP for ``terang verify``, with
``parse_ahead`` parsing and checking signatures on every core ahead of the replay;
``bundle`` checks one record offline; ``policy`` reads C2SP tlog-policy files;
``monitor`` watches the log and its witnesses (the witness itself is ``witness/``).

It reads every other room and is imported by none except the composition root.
"""
