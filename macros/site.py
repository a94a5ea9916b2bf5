"""One build's Chronicle: the data loaded, indexed and ready to render.

The MkDocs hook creates it once per build; the macros that hand-written
pages call read it. Nothing here knows how pages are written to disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .export import atom_feed, downloads
from .index import Chronicle, collection_of
from .load import Dataset, load
from .model import COLLECTIONS
from .render import Renderer


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

    def pages(self):
        """(path of the page's Markdown, the Markdown, the record's YAML file) for every record."""
        for collection in COLLECTIONS:
            for record in getattr(self.chronicle, collection).values():
                path = f"{collection_of(record)}/{record.id}.md"
                yield path, self.renderer.record_page(record), self.dataset.files[(collection, record.id)]

    def downloads(self) -> dict[str, str]:
        return downloads(self.chronicle)

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
