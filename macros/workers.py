"""When the build may fork worker processes (the record pages' renderers, the citations')."""

from __future__ import annotations

import sys
import threading


def can_fork() -> bool:
    """A forked worker starts as a copy of this process, the package loaded, in a tenth of a
    second. Safe on Linux while this process runs no other thread (`serve`'s server, the file
    writer): a copy would inherit their locks held, with no thread left to release them."""
    return sys.platform == "linux" and threading.active_count() == 1
