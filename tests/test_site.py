"""The Site: record pages rendered ahead by worker processes are those rendered in the build's own."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO, SMALL

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the workers are forked, on Linux only")

# In a process of its own: the workers are forked only from a process that runs no other thread,
# and a test session may be running some (a server, a browser's).
COMPARE = """
import sys
from pathlib import Path
from macros.site import Site
here = Site.build(Path(sys.argv[1]))
expected = {record.id: here.page(record) for record in here.records()}
ahead = Site.build(Path(sys.argv[1]))
ahead.render_ahead()
assert ahead._pool is not None and ahead._chunks, "no worker"
pages = {record.id: ahead.page(record) for record in ahead.records()}
ahead.stop_rendering()
assert pages == expected, "different pages"
assert not ahead._chunks and not ahead._rendered, "pages kept"
print(len(pages))
"""


def test_pages_rendered_ahead_by_workers_are_the_pages_rendered_here(monkeypatch):
    monkeypatch.setenv("CHRONICLE_WORKERS", "2")
    result = subprocess.run(
        [sys.executable, "-c", COMPARE, str(SMALL)], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == sum(1 for path in SMALL.rglob("*.yml") if path.parent != SMALL)


def test_a_small_record_or_one_core_renders_every_page_here(monkeypatch):
    from macros.site import Site

    monkeypatch.delenv("CHRONICLE_WORKERS", raising=False)
    site = Site.build(SMALL)
    site.render_ahead()  # a few records: not worth a worker
    assert site._pool is None
    monkeypatch.setenv("CHRONICLE_WORKERS", "0")
    site.render_ahead()
    assert site._pool is None
