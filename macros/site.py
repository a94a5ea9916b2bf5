"""One build's Chronicle: the data loaded, indexed and ready to render.

The MkDocs hook creates it once per build; the macros that hand-written
pages call read it. Nothing here knows how pages are written to disk.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import pickle
import tempfile
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import cite
from .cite import Citer
from .export import atom_feed, download_paths, downloads
from .index import Chronicle, collection_of
from .load import Dataset, load
from .model import COLLECTIONS, Record
from .render import RenderedPage, Renderer
from .reuse import stale_pages
from .search import search_entry
from .versions import Version, build_date, last_changed
from .workers import can_fork

# Forked workers start in about a tenth of a second but each renders only its share: below
# this many records one process is as quick. CHRONICLE_WORKERS=0 renders every page here;
# CHRONICLE_WORKERS=n uses n workers whatever the size (the test that compares the two).
WORKERS_FROM = 500
log = logging.getLogger("mkdocs.plugins.chronicle")
CHUNK = 50
# Chunks handed to the workers ahead of the one being written, per worker: enough to keep them
# busy; not all, or the disk would hold every page at once.
AHEAD = 2


@dataclass
class Site:
    dataset: Dataset
    chronicle: Chronicle
    renderer: Renderer
    # Record pages being rendered by worker processes, by chunk; pages come back a chunk at a time.
    _chunks: dict[tuple[str, str], Future] = field(default_factory=dict, repr=False)
    _rendered: dict[tuple[str, str], RenderedPage] = field(default_factory=dict, repr=False)
    _pool: ProcessPoolExecutor | None = field(default=None, repr=False)
    # Where the workers leave each chunk's pages until its turn: in this process's memory, pages
    # received early (as the pool's thread takes them) would wait there, megabytes at a time.
    _spool: tempfile.TemporaryDirectory | None = field(default=None, repr=False)
    _handed_out: int = field(default=0, repr=False)
    _waiting: deque[list[tuple[str, str]]] = field(default_factory=deque, repr=False)  # not handed out yet
    _waiting_in: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict, repr=False)
    _in_flight: int = field(default=0, repr=False)
    _window: int = field(default=0, repr=False)
    _generated: Future | None = field(default=None, repr=False)  # a worker writing the downloads (write_generated)
    _texts_made: dict[str, str] = field(default_factory=dict, repr=False)  # citation texts the workers made
    # While serving: every record page this build rendered or took over, for the next build to reuse
    # (`reuse`), and whatever the theme made of them last time (filled by the MkDocs hook).
    _kept: dict[tuple[str, str], RenderedPage] | None = field(default=None, repr=False)
    theme_outputs: dict[str, tuple[object, str, tuple | None]] = field(default_factory=dict, repr=False)
    # While serving, each written page's links and ids by the digest of the page: this build's, and
    # the last build's to look up (only those: a long session would keep every version of every page).
    link_targets: dict[bytes, tuple] | None = field(default=None, repr=False)
    earlier_link_targets: dict[bytes, tuple] = field(default_factory=dict, repr=False)
    citation_texts: dict[str, str] | None = field(default=None, repr=False)  # as written, while serving
    # While serving: the search terms of each text of the last build's search entries (search_index.built_json).
    search_terms: dict[str, list[str]] | None = field(default=None, repr=False)
    published: bool = field(default=False, repr=False)  # this build's site is the one in place

    @classmethod
    def build(
        cls, data_dir: Path, site_url: str = "", site_name: str = "The Chronicle", previous: Site | None = None
    ) -> Site:
        """The Site of a data folder. `previous`, the last build's while serving: records whose
        files have not changed are taken over, not read again."""
        dataset = load(data_dir, reuse=previous.dataset if previous is not None else None)
        chronicle = Chronicle(dataset)
        # One `git log` for the whole folder dates every record's last change.
        changed = last_changed(data_dir, dataset.files.values(), build_date())
        versions = {key: changed[path] for key, path in dataset.files.items()}
        return cls(dataset, chronicle, Renderer(chronicle, site_url, site_name, versions))

    def prepare_citations(self) -> None:
        """Every record's suggested citation texts that earlier builds did not keep, made now, all
        at once, on every core: rather than one at a time as pages ask for them."""
        self.renderer.citer.prepare()

    def reuse(self, previous: Site | None) -> None:
        """Keep every record page for the next build, and take from `previous` the pages that
        cannot have changed since (see reuse.py). For `serve`, which rebuilds on every save."""
        self._kept = {}
        self.link_targets = {}
        self.search_terms = previous.search_terms if previous is not None and previous.search_terms is not None else {}
        if previous is None or previous._kept is None or self._signature() != previous._signature():
            return
        old_pages = previous._kept
        fresh: dict[tuple[str, str], RenderedPage] = {}

        def render(key: tuple[str, str]) -> RenderedPage:
            fresh[key] = self.renderer.record_page(getattr(self.chronicle, key[0])[key[1]])
            return fresh[key]

        stale = stale_pages(
            previous.chronicle, self.chronicle, previous.renderer.versions, self.renderer.versions, old_pages, render
        )
        self._kept = {key: page for key, page in old_pages.items() if key not in stale}
        self._rendered.update({key: page for key, page in fresh.items() if key in stale})
        # The theme's outputs stand for files in the published site: only if the last build is the one there.
        self.theme_outputs = previous.theme_outputs if previous.published else {}
        self.earlier_link_targets = previous.link_targets or {}
        log.info("Reusing %d of %d record pages from the last build", len(self._kept), len(old_pages))

    def _signature(self) -> tuple:
        """What every record page reads besides the records: a change renders them all anew."""
        renderer = self.renderer
        return (renderer.site_url, renderer.site_name, renderer.unversioned, self.chronicle.tags, renderer.today)

    def records(self) -> Iterator[Record]:
        for collection in COLLECTIONS:
            yield from getattr(self.chronicle, collection).values()

    @staticmethod
    def page_path(record: Record) -> str:
        """The page's path among the site's sources: `episodes/<id>.md` becomes `episodes/<id>.html`."""
        return f"{collection_of(record)}/{record.id}.md"

    def source_file(self, record: Record) -> Path:
        return self.dataset.files[(collection_of(record), record.id)]

    def page(self, record: Record) -> RenderedPage:
        key = (collection_of(record), record.id)
        if key in self._waiting_in:  # asked for before its turn: rendered here, not by a worker
            self._waiting_in.pop(key).remove(key)
        if key in self._chunks and key not in self._rendered:
            spooled, warnings = self._chunks[key].result()
            _log_again(warnings)
            pages, texts = _read_spooled(spooled)
            self._texts_made.update(texts)
            self._rendered.update(pages)
            self._in_flight -= 1
            self._hand_out()
        self._chunks.pop(key, None)
        if not self._chunks and not self._waiting and self._pool is not None:
            self.stop_rendering()  # every page is here: the workers' memory goes back now, not at the end
        rendered = self._rendered.pop(key, None)
        if rendered is None and self._kept is not None:
            rendered = self._kept.get(key)
        if rendered is None:
            rendered = self.renderer.record_page(record)
        if self._kept is not None:
            self._kept[key] = rendered
        return rendered

    def render_ahead(self) -> None:
        """Start rendering every record page in worker processes, one per core, in the order MkDocs
        will ask for them (`records()`), while this process goes on with the rest of the build.

        The workers are forked, so they start with this Site as it is: nothing is loaded twice.
        They also make the citation texts their pages lack (a first build): this process has
        MkDocs' own work to do meanwhile, which the texts would otherwise hold up.
        Forking is safe only while this process runs no other thread, on Linux; anywhere else,
        and for a small record, every page is rendered here, as `page()` asks for it, and the
        missing citation texts are made first (`prepare_citations`).
        """
        wanted = os.environ.get("CHRONICLE_WORKERS", "")
        records = [(collection_of(record), record.id) for record in self.records()]
        forced = wanted.isdigit()
        workers = int(wanted) if forced else (os.cpu_count() or 1)
        if workers < 1 or (not forced and (workers < 2 or len(records) < WORKERS_FROM)) or not can_fork():
            self.prepare_citations()
            return
        set_current(self)  # the workers find the Site where the macros do
        log.info("Rendering %d record pages in %d worker processes", len(records), workers)
        self._pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("fork"), initializer=cite.hand_back_texts
        )
        # A worker shares this process's memory until it writes to it; the collector would write
        # to every object it visits. Frozen, what exists now is left alone in the workers.
        gc.collect()
        gc.freeze()
        self._waiting = deque(records[start : start + CHUNK] for start in range(0, len(records), CHUNK))
        self._waiting_in = {key: chunk for chunk in self._waiting for key in chunk}
        self._window = workers * AHEAD
        self._spool = tempfile.TemporaryDirectory(prefix="chronicle-pages-")
        try:
            self._hand_out()  # the pool forks every worker on its first task, before it starts its own thread
        finally:
            gc.unfreeze()
        # The workers make the record pages and the citation files, from their own copy.
        self.renderer.citer.forget()

    def _hand_out(self) -> None:
        """Keep the workers `AHEAD` chunks ahead of the page being written."""
        while self._waiting and self._in_flight < self._window:
            chunk = self._waiting.popleft()
            for key in chunk:
                del self._waiting_in[key]
            if chunk:
                spooled = Path(self._spool.name, f"{self._handed_out}.pickle")
                self._chunks.update(dict.fromkeys(chunk, self._pool.submit(_render_records, chunk, spooled)))
                self._handed_out += 1
                self._in_flight += 1

    def stop_rendering(self, cancel: bool = False) -> None:
        """End the workers once they have done what they were given (the build is over), or, with
        `cancel` (the build failed), as soon as what they are doing is done."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=cancel)
            self._pool = None
        if self._spool is not None:
            self._spool.cleanup()
            self._spool = None
        if cancel:
            self._generated = None
        else:
            cite.keep_texts(self._texts_made)
        self._texts_made.clear()
        self._chunks.clear()
        self._waiting.clear()
        self._waiting_in.clear()
        self._in_flight = 0

    def version(self, record: Record) -> Version:
        return self.renderer.version(record)

    def citation_files(self) -> dict[str, str]:
        """Each record's CSL-JSON, BibTeX and RIS file, by its path beside the record's page."""
        files = self.renderer.citer.record_files()
        if self._kept is not None:  # serving: the next build links the files that stay the same
            self.citation_texts = files
        return files

    def search_entries(self) -> list[dict]:
        return [search_entry(self.chronicle, record) for record in self.records()]

    def downloads(self) -> dict[str, str]:
        return {**downloads(self.chronicle), **self.renderer.citer.downloads()}

    def files(self) -> dict[str, str]:
        """The downloads and the feed, by their path in the site: the generated files that
        hand-written pages link to. Each record's citation files are `citation_files()`."""
        return {
            **{f"downloads/{path}": text for path, text in self.downloads().items()},
            "feed.xml": self.feed(),
        }

    def feed(self) -> str:
        episodes = self.chronicle.episodes.values()
        return atom_feed(self.chronicle, self.renderer.site_url, versions={e.id: self.version(e) for e in episodes})

    @staticmethod
    def file_paths() -> list[str]:
        """Where `files()` puts each file, without making any."""
        names = [*download_paths(), *Citer.DOWNLOADS]
        return [*(f"downloads/{name}" for name in names), "feed.xml"]

    def write_generated(self, write: Callable[[Mapping[str, str]], None]) -> bool:
        """With the workers rendering (`render_ahead`), one of them makes the downloads, the feed
        and every record's citation files and hands them to `write` (a function that pickles),
        while the pages render: this process never holds them, nor loads the feed's library.
        False when no worker runs: the caller makes them. `generated_written()` waits for it."""
        if self._pool is None:
            return False
        self._generated = self._pool.submit(_write_generated, write)
        return True

    def generated_written(self) -> None:
        """Wait for the worker `write_generated` started: its warnings are logged here, where
        MkDocs counts them (strict mode), and its failure is raised here."""
        generated, self._generated = self._generated, None
        if generated is not None:
            _log_again(generated.result())


_current: Site | None = None


Warnings = list[tuple[str, int, str]]


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.warnings: Warnings = []
        self._last: logging.LogRecord | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if record is not self._last:  # one record reaches both loggers where MkDocs' propagates
            self.warnings.append((record.name, record.levelno, record.getMessage()))
        self._last = record


@contextlib.contextmanager
def _warnings_kept() -> Iterator[Warnings]:
    """In a worker: the warnings logged meanwhile, kept rather than printed, for the build's
    process to log again (`_log_again`): only there does MkDocs count them for strict mode."""
    kept = _Kept()
    loggers = (logging.getLogger(), logging.getLogger("mkdocs"))  # MkDocs' own does not propagate
    handlers = [logger.handlers for logger in loggers]
    for logger in loggers:
        logger.handlers = [kept]
    try:
        yield kept.warnings
    finally:
        for logger, before in zip(loggers, handlers, strict=True):
            logger.handlers = before


def _log_again(warnings: Warnings) -> None:
    for name, level, message in warnings:
        logging.getLogger(name).log(level, message)


def _render_records(keys: list[tuple[str, str]], spooled: Path) -> tuple[Path, Warnings]:
    """In a worker: the pages of these records, rendered from the Site the worker was forked with,
    and the citation texts it made for them (`cite.made_texts`), left in `spooled` for
    `_read_spooled`; the warnings logged meanwhile."""
    site = current()
    with _warnings_kept() as warnings:
        pages = {key: site.renderer.record_page(getattr(site.chronicle, key[0])[key[1]]) for key in keys}
    with spooled.open("wb") as file:
        pickle.dump((pages, cite.made_texts()), file, protocol=pickle.HIGHEST_PROTOCOL)
    return spooled, warnings


def _read_spooled(spooled: Path) -> tuple[dict[tuple[str, str], RenderedPage], dict[str, str]]:
    """In the build's process: what a worker left (`_render_records`), read once, when the first
    of its pages is written."""
    with spooled.open("rb") as file:
        pages, texts = pickle.load(file)
    spooled.unlink()
    return pages, texts


def _write_generated(write: Callable[[Mapping[str, str]], None]) -> Warnings:
    """In a worker: the downloads, the feed and the citation files, made and handed to `write`."""
    site = current()
    with _warnings_kept() as warnings:
        write(site.files())
        write(site.citation_files())
    return warnings


def set_current(site: Site | None) -> None:
    global _current
    _current = site


def current_or_none() -> Site | None:
    return _current


def current() -> Site:
    if _current is None:
        raise RuntimeError("the Chronicle's data was not loaded: is macros/hooks.py listed under hooks in mkdocs.yml?")
    return _current
