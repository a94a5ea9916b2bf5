"""MkDocs glue: load the data before anything is written, add one page per record.

Listed under `hooks:` in mkdocs.yml. Like Material's blog plugin, it refuses
bad input early (in on_config, before the site folder is touched) and keeps
the generated pages out of the nav: indexes lead to them.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
if str(REPOSITORY) not in sys.path:
    sys.path.insert(0, str(REPOSITORY))
# `mkdocs serve` loads this hook anew on every rebuild: forget the package so
# that an edit to macros/ takes effect without restarting the server.
if __name__ != "macros.hooks":  # loaded by MkDocs from its path, not imported as part of the package
    for _name in [name for name in sys.modules if name == "macros" or name.startswith("macros.")]:
        del sys.modules[_name]

import logging  # noqa: E402

from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.plugins import event_priority  # noqa: E402
from mkdocs.structure.files import File  # noqa: E402
from mkdocs.utils import CountHandler  # noqa: E402

from macros.load import DataError, data_dir  # noqa: E402
from macros.publish import Publication, check_links  # noqa: E402
from macros.site import Site, set_current  # noqa: E402

_edit_urls: dict[str, str] = {}
_publication: Publication | None = None


def _data_folder(config) -> Path:
    return data_dir(Path(config.config_file_path).parent / "data")


@event_priority(100)
def on_config(config):
    set_current(None)
    try:
        site = Site.build(_data_folder(config), config.site_url or "", config.site_name)
    except DataError as error:
        raise PluginError(error.report()) from None
    set_current(site)
    # MkDocs empties site_dir before it writes: give it a folder of its own,
    # swapped in only when the whole build has succeeded.
    global _publication
    _publication = Publication(Path(config.site_dir))
    config.site_dir = str(_publication.staging)
    return config


def on_files(files, config):
    from macros.site import current

    site = current()
    repo_url = (config.repo_url or "").rstrip("/")
    _edit_urls.clear()
    for path, markdown, source in site.pages():
        files.append(File.generated(config, path, content=markdown))
        if repo_url:
            try:
                relative = source.resolve().relative_to(REPOSITORY).as_posix()
            except ValueError:
                continue  # data from outside the repository has no file to edit there
            _edit_urls[path] = f"{repo_url}/edit/main/{relative}"
    for path, text in site.downloads().items():
        files.append(File.generated(config, f"downloads/{path}", content=text))
    files.append(File.generated(config, "feed.xml", content=site.feed()))
    return files


def on_page_markdown(markdown, page, config, files):
    # A record page is edited in its YAML file, not in generated Markdown.
    if page.file.src_uri in _edit_urls:
        page.edit_url = _edit_urls[page.file.src_uri]
    return markdown


def on_serve(server, config, builder):
    server.watch(str(_data_folder(config)))
    server.watch(str(REPOSITORY / "macros"))
    return server


def _strict_warnings() -> int:
    """MkDocs counts strict-mode warnings and aborts only after on_post_build: count them first."""
    return sum(
        count
        for handler in logging.getLogger("mkdocs").handlers
        if isinstance(handler, CountHandler)
        for _, count in handler.get_counts()
    )


@event_priority(-100)  # after every plugin has written its files
def on_post_build(config):
    global _publication
    publication, _publication = _publication, None
    if publication is None:
        return
    broken = check_links(publication.staging)
    if broken or (config.strict and _strict_warnings()):
        publication.discard()
        if broken:
            listed = "\n".join(f"  {link}" for link in broken[:50])
            more = f"\n  ... and {len(broken) - 50} more" if len(broken) > 50 else ""
            raise PluginError(f"{len(broken)} broken links in the built site; nothing was published:\n{listed}{more}")
        return  # MkDocs aborts next, naming the warnings
    publication.publish()
    config.site_dir = str(publication.target)


def on_build_error(error):
    global _publication
    if _publication is not None:
        _publication.discard()
        _publication = None
