"""The workspace (``/kerja``): the pages where the people who write to the ledger work.

Keys are made and kept in the browser (WebCrypto Ed25519, non-extractable in IndexedDB,
an encrypted backup file); every action is a statement built, shown in plain words and
signed there, then sent to the statement API. The server renders pages from public
reads and never holds, receives or asks for a person's private key (docs/workspace.md).
"""
