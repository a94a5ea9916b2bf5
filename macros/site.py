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


@dataclass
class Site:
    dataset: Dataset
    chronicle: Chronicle
    renderer: Renderer

    @classmethod
    def build(cls, data_dir: Path, site_url: str = "", site_name: str = "The Chronicle") -> Site:
        dataset = load(data_dir)
        chronicle = Chronicle(dataset)
        return cls(dataset, chronicle, Renderer(chronicle, site_url, site_name))

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

    def search_entries(self) -> list[dict]:
        return [search_entry(self.chronicle, record) for record in self.records()]

    def downloads(self) -> dict[str, str]:
        return downloads(self.chronicle)

    def files(self) -> dict[str, str]:
        """Every generated file besides the record pages, by its path in the site: downloads and the feed."""
        return {**{f"downloads/{path}": text for path, text in self.downloads().items()}, "feed.xml": self.feed()}

    def feed(self) -> str:
        return atom_feed(self.chronicle, self.renderer.site_url)


_current: Site | None = None


def set_current(site: Site | None) -> None:
    global _current
    _current = site


def current() -> Site:
    if _current is None:
        raise RuntimeError("the Chronicle's data was not loaded: is macros/hooks.py listed under hooks in mkdocs.yml?")
    return _current
