"""One build's Chronicle: the data loaded, indexed and ready to render.

The MkDocs hook creates it once per build; the macros that hand-written
pages call read it. Nothing here knows how pages are written to disk.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .export import atom_feed, downloads
from .index import Chronicle, collection_of
from .load import Dataset, load
from .model import COLLECTIONS, Record
from .render import RenderedPage, Renderer
from .search import search_entry
from .versions import Version, build_date, last_changed


@dataclass
class Site:
    dataset: Dataset
    chronicle: Chronicle
    renderer: Renderer

    @classmethod
    def build(cls, data_dir: Path, site_url: str = "", site_name: str = "The Chronicle") -> Site:
        dataset = load(data_dir)
        chronicle = Chronicle(dataset)
        # One `git log` for the whole folder dates every record's last change.
        changed = last_changed(data_dir, dataset.files.values(), build_date())
        versions = {key: changed[path] for key, path in dataset.files.items()}
        renderer = Renderer(chronicle, site_url, site_name, versions)
        renderer.citer.prepare()
        return cls(dataset, chronicle, renderer)

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
        return self.renderer.record_page(record)

    def version(self, record: Record) -> Version:
        return self.renderer.version(record)

    def citation_files(self) -> dict[str, str]:
        """Each record's CSL-JSON, BibTeX and RIS file, by its path beside the record's page."""
        return self.renderer.citer.record_files()

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


_current: Site | None = None


def set_current(site: Site | None) -> None:
    global _current
    _current = site


def current() -> Site:
    if _current is None:
        raise RuntimeError("the Chronicle's data was not loaded: is macros/hooks.py listed under hooks in mkdocs.yml?")
    return _current
