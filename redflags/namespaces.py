"""Where the red flags and their running tallies live in the projection.

The follower (``redflags.reducer``) writes them and the reads (``redflags.reads``, the
portal) find them here, so a reader never imports the rules that raise a flag.
"""

from __future__ import annotations

FLAG_NAMESPACE = "redflags.flag"
TALLY_NAMESPACE = "redflags.tally"
