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

from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.plugins import event_priority  # noqa: E402
from mkdocs.structure.files import File  # noqa: E402

from macros.load import DataError, data_dir  # noqa: E402
from macros.site import Site, set_current  # noqa: E402

_edit_urls: dict[str, str] = {}


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
