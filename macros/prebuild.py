"""The generated part of the site as plain files, for a site engine without hooks.

`python -m macros build-pages OUT` writes every record page as a Markdown
file whose body is the page's HTML (any Markdown engine passes a block of
HTML through as it is) under a front matter with its title and description,
and the downloads and the feed beside them: copied into a docs folder before
the engine runs, they make the same site as the MkDocs hook, with no hook.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .site import Site


def page_file(site: Site, record) -> tuple[str, str]:
    """(path among the site's sources, text) of a record's page."""
    page = site.page(record)
    # The head's citation metadata travels as page meta, which overrides/main.html prints.
    meta = {"title": page.title, "description": page.description, "chronicle_head": str(page.head)}
    front_matter = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    return site.page_path(record), f"---\n{front_matter}---\n\n{page.html}"


def write_pages(site: Site, out: Path) -> int:
    """Write every generated file under `out`; return how many."""
    written = 0
    files = dict(page_file(site, record) for record in site.records())
    files.update(site.files())
    files.update(site.citation_files())
    for path, text in files.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written += 1
    return written
