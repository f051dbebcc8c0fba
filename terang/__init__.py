"""Terang's composition root: builds the app and the CLI from the rooms.

Only this package knows every room; ``ledger``, ``budgeting``, ``procurement`` and
``audit`` never import it.
"""
