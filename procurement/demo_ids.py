"""How the demo names its tenders, for readers that must recognise them.

The portal says on a demo tender's page that its committee box keys sit on the demo
machine; it learns that from the ocid alone, here, without importing the demo builder
(which signs and logs statements).
"""

from __future__ import annotations

OCID_PREFIX = "ocds-t3r4ng"
"""The ocid prefix of every tender the demo logs (``ocds-t3r4ng-<year>-DEMO-<n>``)."""


def is_demo_ocid(ocid: str) -> bool:
    """Whether ``ocid`` is one of the demo's tenders (``ocds-t3r4ng-<year>-DEMO-<n>``), whose
    committee box keys sit on the demo machine (the portal says so on their pages)."""
    return ocid.startswith(OCID_PREFIX + "-") and "-DEMO-" in ocid
