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
assert not ahead.renderer.citer._cited, "citations kept where no record page is rendered"
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


SPOOLED = """
import gc, sys
from concurrent.futures import wait
from pathlib import Path
from macros import site as module
from macros.render import RenderedPage
from macros.site import Site
def held():
    return sum(isinstance(found, RenderedPage) for found in gc.get_objects())
site = Site.build(Path(sys.argv[1]))
records = list(site.records())
site.render_ahead()
wait(set(site._chunks.values()))
assert held() == 0, f"{held()} pages rendered ahead are held here before their turn"
spool = Path(site._spool.name)
assert len(list(spool.iterdir())) == len(set(site._chunks.values())), "not on disk"
site.page(records[0])
assert 0 < held() <= module.CHUNK, held()
for record in records[1:]:
    site.page(record)
assert site._pool is None and not spool.exists(), "the pages left on disk"
failed = Site.build(Path(sys.argv[1]))
failed.render_ahead()
spool = Path(failed._spool.name)
failed.stop_rendering(cancel=True)  # as on_build_error does
assert not spool.exists(), "the pages of a failed build left on disk"
print(len(records))
"""


def test_pages_rendered_ahead_wait_on_disk_not_in_the_builds_memory(monkeypatch, tmp_path):
    """The workers stay a few chunks ahead; each chunk they finish waits in a file, read when its
    first page is written: received at once, it would be held in the build's process (megabytes
    at scale). The files go with the workers, whether the build ends well or fails."""
    sys.path.insert(0, str(REPO / "scripts"))
    from benchmark import make_folder

    make_folder(tmp_path / "data", 200)
    monkeypatch.setenv("CHRONICLE_WORKERS", "2")
    result = subprocess.run(
        [sys.executable, "-c", SPOOLED, str(tmp_path / "data")], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == sum(1 for path in (tmp_path / "data").rglob("*.yml") if path.parent.name != "data")


def test_the_generated_files_are_where_the_site_says_before_it_makes_them():
    from macros.site import Site

    site = Site.build(SMALL)
    assert Site.file_paths() == list(site.files())


GENERATED = """
import logging, sys
from pathlib import Path
from macros import site as module
from macros.site import Site
written = []
here = Site.build(Path(sys.argv[1]))
expected = {**here.files(), **here.citation_files()}
site = Site.build(Path(sys.argv[1]))
assert not site.write_generated(written.append), "no worker: the caller writes"
original = module.Site.feed
def feed(self):
    logging.getLogger("mkdocs.plugins.planted").warning("planted: a warning in a worker")
    return original(self)
module.Site.feed = feed  # before the workers are forked, so that they have it
site.render_ahead()
caught = []
class Keep(logging.Handler):
    def emit(self, record):
        caught.append(record.getMessage())
logging.getLogger("mkdocs").addHandler(Keep())
assert site.write_generated(written.append)
for record in site.records():
    site.page(record)
site.stop_rendering()
assert not written, "made in this process"
site.generated_written()
assert caught == ["planted: a warning in a worker"], caught
print(len(expected))
"""


def test_a_worker_writes_the_downloads_and_citation_files_and_its_warnings_are_logged_here(monkeypatch, tmp_path):
    """The files are handed to a function in the worker (here one that cannot reach this process):
    this process never holds them; a warning logged there is logged here, where strict mode counts it."""
    monkeypatch.setenv("CHRONICLE_WORKERS", "2")
    result = subprocess.run(
        [sys.executable, "-c", GENERATED, str(SMALL)], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 3 * len(list(SMALL.rglob("*/*.yml")))


TEXTS = """
import sys
from pathlib import Path
from macros import cite
from macros.site import Site
ahead = Site.build(Path(sys.argv[1]))
ahead.render_ahead()
assert ahead._pool is not None, "no worker"
assert not cite._read_kept(), "made before the pages, not by the workers"
pages = {record.id: ahead.page(record) for record in ahead.records()}
ahead.stop_rendering()
assert "citeproc" not in sys.modules, "a text made in this process"
made = cite._read_kept()
cite._known = None
for kept in cite.CACHE.glob("*.json"):
    kept.unlink()
here = Site.build(Path(sys.argv[1]))
here.prepare_citations()  # all at once, in this process or its own workers
assert pages == {record.id: here.page(record) for record in here.records()}, "different pages"
assert made == cite._read_kept(), "different texts"
print(len(made))
"""


def test_in_a_first_build_the_workers_make_the_citation_texts_and_this_process_keeps_them(monkeypatch, tmp_path):
    """With no text kept, the workers rendering the pages make the texts those pages show, while
    this process goes on with MkDocs' work; it keeps them all for the next build, in one save
    (workers saving as they went would overwrite one another's)."""
    monkeypatch.setenv("CHRONICLE_WORKERS", "2")
    monkeypatch.setenv("CHRONICLE_CACHE", str(tmp_path / "cache"))
    result = subprocess.run(
        [sys.executable, "-c", TEXTS, str(SMALL)], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    records = sum(1 for path in SMALL.rglob("*.yml") if path.parent != SMALL)
    assert int(result.stdout) == 2 * records  # both styles of every record


def test_without_workers_the_missing_citation_texts_are_made_before_any_page(monkeypatch, tmp_path):
    from macros import cite
    from macros.site import Site

    monkeypatch.setattr(cite, "CACHE", tmp_path / "citations")
    monkeypatch.setattr(cite, "_known", None)
    monkeypatch.setenv("CHRONICLE_WORKERS", "0")
    site = Site.build(SMALL)
    assert not (tmp_path / "citations").exists()
    site.render_ahead()
    assert site._pool is None
    made = cite._read_kept()
    assert len(made) == len(cite.STYLES) * sum(1 for _ in site.records())


THREADED = """
import sys, threading
from pathlib import Path
from macros.site import Site
threading.Thread(target=threading.Event().wait, daemon=True).start()  # as `serve`'s server runs
site = Site.build(Path(sys.argv[1]))
site.render_ahead()
print("forked" if site._pool is not None else "here")
"""


def test_a_build_running_another_thread_forks_no_worker(monkeypatch, tmp_path):
    """A forked copy of a process with a thread running would inherit that thread's locks held."""
    monkeypatch.setenv("CHRONICLE_WORKERS", "2")
    monkeypatch.setenv("CHRONICLE_CACHE", str(tmp_path / "cache"))
    result = subprocess.run(
        [sys.executable, "-c", THREADED, str(SMALL)], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["here"]
