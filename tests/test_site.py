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


WINDOW = """
import sys
from pathlib import Path
from macros import site as module
from macros.site import Site
here = Site.build(Path(sys.argv[1]))
records = list(here.records())
expected = {record.id: here.renderer.record_page(record) for record in records}
ahead = Site.build(Path(sys.argv[1]))
ahead.render_ahead()
in_flight = len(set(ahead._chunks.values()))
assert 0 < in_flight <= 2 * module.AHEAD, in_flight
assert ahead._waiting, "every chunk handed out at once: every page would wait in memory"
last = records[-1]
assert ahead.page(last) == expected[last.id]  # asked for before its turn: rendered here
pages = {record.id: ahead.page(record) for record in records[:-1]}
assert pages == {key: page for key, page in expected.items() if key != last.id}, "different pages"
assert ahead._pool is None and not ahead._chunks and not ahead._rendered and not ahead._waiting, "pages kept"
print(len(pages) + 1)
"""


def test_workers_render_a_few_chunks_ahead_of_the_page_written_not_all(monkeypatch, tmp_path):
    """Rendered pages wait in the build's memory until written: the workers stay a few chunks ahead."""
    sys.path.insert(0, str(REPO / "scripts"))
    from benchmark import make_folder

    make_folder(tmp_path / "data", 200)
    monkeypatch.setenv("CHRONICLE_WORKERS", "2")
    result = subprocess.run(
        [sys.executable, "-c", WINDOW, str(tmp_path / "data")], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == sum(1 for path in (tmp_path / "data").rglob("*.yml") if path.parent.name != "data")
