"""The audit room: what lets anyone check the log without trusting its operator.

``log_api`` and ``read_api`` serve the public read side (tlog-tiles, proofs,
projections, record bundles); ``verifier`` (no I/O) replays entries through the same
reducers the server runs; ``remote`` drives it over HTTP for ``terang verify``;
``bundle`` checks one record offline; ``policy`` reads C2SP tlog-policy files;
``witness`` and ``monitor`` keep the log honest to everyone at once.

It reads every other room and is imported by none except the composition root.
"""
