"""The audit room: the public read API, and (later) the verifier, witness and monitor.

It reads every other room and is imported by none except the composition root.
"""
