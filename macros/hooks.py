"""MkDocs glue: load the data before anything is written, hand MkDocs the record pages as HTML,
publish the site only when the whole build has succeeded.

Listed under `hooks:` in mkdocs.yml. Like Material's blog plugin, it refuses
bad input early (in on_config, before any output is touched) and keeps the
generated pages out of the nav: indexes lead to them. Record pages are HTML
from the render layer: MkDocs does not parse them as Markdown, and search
gets one entry per record, built from the record.
"""

from __future__ import annotations

import functools
import hashlib
import html
import logging
import os
import re
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

REPOSITORY = Path(__file__).resolve().parent.parent
if str(REPOSITORY) not in sys.path:
    sys.path.insert(0, str(REPOSITORY))


def _code_stamp() -> str:
    """Every file of the package, with its size and time: changes when the code or a template does."""
    return _files_stamp(REPOSITORY / "macros")


def _files_stamp(*folders: Path) -> str:
    found = sorted(
        (str(path), stat.st_size, stat.st_mtime_ns)
        for folder in folders
        for path in folder.rglob("*")
        if "__pycache__" not in path.parts and (stat := path.stat())
    )
    return hashlib.sha256(repr(found).encode()).hexdigest()


# `mkdocs serve` loads this hook anew on every rebuild: when macros/ has changed, forget the
# package so that the edit takes effect without restarting the server. When it has not, the
# package and the last build's Site stay, and the rebuild reuses what cannot have changed.
if __name__ != "macros.hooks":  # loaded by MkDocs from its path, not imported as part of the package
    _package_stamp = _code_stamp()
    if os.environ.get("CHRONICLE_CODE_STAMP") != _package_stamp:
        os.environ["CHRONICLE_CODE_STAMP"] = _package_stamp
        for _name in [name for name in sys.modules if name == "macros" or name.startswith("macros.")]:
            del sys.modules[_name]

from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.plugins import event_priority  # noqa: E402
from mkdocs.structure.files import File  # noqa: E402
from mkdocs.structure.pages import Page  # noqa: E402
from mkdocs.structure.toc import get_toc  # noqa: E402
from mkdocs.utils import CountHandler  # noqa: E402

from macros.load import RACY_NS, DataError, data_dir  # noqa: E402
from macros.model import Record  # noqa: E402
from macros.publish import Publication, check_links, page_targets, with_security_headers  # noqa: E402
from macros.render import COMPILED_TEMPLATES, INDEXES, CompiledTemplates  # noqa: E402
from macros.search_index import built_json, with_index, written_config  # noqa: E402
from macros.site import Site, current, current_or_none, set_current  # noqa: E402

# The hook module is made anew on every rebuild of `mkdocs serve`; the process is not.
_SERVING = "CHRONICLE_SERVING"
_LAST_GOOD = "CHRONICLE_LAST_GOOD_DATA"
_SEARCH_ATTRIBUTE = re.compile(r'\s?data-search-\w+="[^"]+"')  # what Material's search plugin strips
# The theme's site navigation, tabs and footer read only the nav, the config and
# which index is active: the same on every record page of one folder (the same
# depth, the same index tab). Rendered once per folder instead of once per page;
# CHRONICLE_CHROME_CACHE=off renders them for every page, so a test can compare.
_FOLDER_CHROME = ("partials/nav.html", "partials/tabs.html", "partials/footer.html")

_publication: Publication | None = None
_nav = None
_stamp = ""  # while serving, what the theme reads besides the page (_theme_stamp)
_written: dict[str, tuple] = {}  # page_targets of every page written, by its path in the site
_previous_citations: dict[str, str] | None = None  # the citation files in the published site, while serving
_unwritten: set[str] = set()  # record pages linked in from the published site, not written


class _QuietKept(logging.Filter):
    """MkDocs says "Page skipped" of a page it did not write: not news for a page linked in unchanged."""

    def __init__(self, kept: set[str]):
        super().__init__("chronicle-kept-pages")
        self.kept = kept

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith("Page skipped: '") and message.split("'")[1] in self.kept)


def _quiet_kept_pages() -> None:
    logger = logging.getLogger("mkdocs.commands.build")
    for old in [f for f in logger.filters if getattr(f, "name", "") == "chronicle-kept-pages"]:
        logger.removeFilter(old)  # the hook module is made anew on every rebuild
    logger.addFilter(_QuietKept(_unwritten))


@functools.cache  # this module is made anew on every rebuild: once a build
def _real_folder(folder: Path) -> Path:
    return folder.resolve()


def _in_repository(source: Path) -> str | None:
    """The record file's path in the repository, None for data from outside it (no file to edit
    there). The folder is resolved once, not for each of thousands of files."""
    real = source.resolve() if source.is_symlink() else _real_folder(source.parent) / source.name
    try:
        return real.relative_to(REPOSITORY).as_posix()
    except ValueError:
        return None


class RecordPage(Page):
    """A record's page: HTML from the render layer, never read as Markdown."""

    def __init__(self, file: File, config, site: Site, record: Record):
        self.record = record
        self.rendered = None
        self.written_before = False  # while serving: the theme made this page as the last build did
        self.site = site
        super().__init__(None, file, config)
        # Set here, not when the page is filled: every record page then gets its attributes in one
        # order, and Python keeps one table of their names for all (224 bytes a page, not 832).
        self.present_anchor_ids = _WrittenIds(file.dest_uri)
        repo_url = (config.repo_url or "").rstrip("/")
        relative = _in_repository(site.source_file(record)) if repo_url else None
        # A record is edited in its YAML file, not in a generated page.
        self.edit_url = f"{repo_url}/edit/main/{relative}" if repo_url and relative else None
        # The sitemap's lastmod: when the record last changed, not when the site was built.
        self.update_date = site.version(record).iso

    def read_source(self, config) -> None:
        self.markdown = ""
        self.meta = {"search": {"exclude": True}, "render_macros": False}

    def render(self, config, files) -> None:
        # MkDocs renders every page before it writes any, and would hold every record page's HTML
        # until the end: a record page is fetched when its turn to be written comes (`fill`).
        self.content = ""

    def fill(self) -> None:
        """The page's HTML, title, head and contents, from the render layer, just before the theme."""
        rendered = self.rendered = self.site.page(self.record)
        self.content = rendered.html
        # The theme prints title and description unescaped (<title>, meta tags).
        self.meta.update(title=html.escape(rendered.title), description=html.escape(rendered.description))
        # Citation metadata, JSON-LD and alternate files, printed by overrides/main.html (already escaped).
        self.meta["chronicle_head"] = rendered.head
        self.toc = get_toc(
            [{"level": level, "id": id, "name": name, "children": []} for level, id, name in rendered.toc]
        )

    def theme_inputs(self) -> tuple:
        """What the theme makes this page from: the page (the same object when Site.reuse took it
        over), where it sits, and everything else the theme reads (`_theme_stamp`)."""
        return (self.rendered, self.url, self.edit_url, self.update_date, self.parent and self.parent.url, _stamp)

    def last_theme_output(self, site: Site) -> str | None:
        """The theme's output for this page in the last build, if it was made from the same inputs."""
        last = site.theme_outputs.get(self.url)
        self.written_before = last is not None and last[0] == self.theme_inputs()
        return last[1] if self.written_before else None

    @property
    def folder(self) -> str:
        return self.file.src_uri.split("/")[0]


def _render_once_per_folder(template) -> None:
    """Make an included template render once per folder of record pages, and as before elsewhere."""
    render = template.root_render_func
    rendered: dict[str, str] = {}

    def root_render_func(context):
        page = context.get("page")
        if not isinstance(page, RecordPage):
            yield from render(context)
            return
        if page.folder not in rendered:
            rendered[page.folder] = "".join(render(context))
        yield rendered[page.folder]

    template.root_render_func = root_render_func


def _reuse_theme_output(template, site: Site) -> None:
    """While serving, give a record page the theme's output of the last build when nothing it is
    made from has changed (`RecordPage.theme_inputs`)."""
    render = template.root_render_func

    def root_render_func(context):
        page = context.get("page")
        if not isinstance(page, RecordPage):
            yield from render(context)
            return
        if page.written_before:  # on_page_context found the last build's output made from the same inputs
            yield site.theme_outputs[page.url][1]
            return
        output = "".join(render(context))
        site.theme_outputs[page.url] = (page.theme_inputs(), output, None)  # its links and ids: on_post_page
        yield output

    template.root_render_func = root_render_func


def _theme_stamp(config, nav) -> str:
    """What the theme reads besides the page: the nav, the config file, the overrides, `extra`."""

    def items(entries) -> list:
        return [(entry.title, getattr(entry, "url", None), items(entry.children or [])) for entry in entries]

    folders = [Path(config.theme.custom_dir)] if config.theme.custom_dir else []
    return hashlib.sha256(
        repr(
            (items(nav.items), Path(config.config_file_path).read_bytes(), dict(config.extra), _files_stamp(*folders))
        ).encode()
    ).hexdigest()


def _search_reads_less(config) -> None:
    """Material's search indexer parses every page's HTML, then strips the `data-search-*`
    attributes from it. On an index page, most of the HTML is stashed lists it skips whole:
    it reads the page without them (`Renderer.unstash_for_search`), and the page keeps all of
    its HTML, stripped as the indexer would have. CHRONICLE_SEARCH_VIEW=off lets it read all,
    so that a test can compare."""
    events = config.plugins.events["page_context"]
    for position, method in enumerate(events):
        if type(getattr(method, "__self__", None)).__module__.startswith("material.plugins.search"):

            def reading_less(context, page, _index=method, **kwargs):
                searched = getattr(page, "chronicle_searched", None)
                if searched is None:
                    return _index(context, page=page, **kwargs)
                content, page.content = page.content, searched
                try:
                    context = _index(context, page=page, **kwargs)
                finally:
                    page.content = _SEARCH_ATTRIBUTE.sub("", content)
                    page.chronicle_searched = None
                return context

            events[position] = reading_less


def _spare_record_pages(config) -> None:
    """mkdocs-macros renders the Markdown of every page; a record page has none: skip it there.

    Its macros serve the hand-written pages; on a thousand record pages its
    per-page set-up alone costs about as much as rendering them.
    """
    events = config.plugins.events["page_markdown"]
    for position, method in enumerate(events):
        if type(getattr(method, "__self__", None)).__module__.startswith("mkdocs_macros"):

            def hand_written_only(markdown, page, _macros=method, **kwargs):
                return markdown if isinstance(page, RecordPage) else _macros(markdown, page=page, **kwargs)

            events[position] = hand_written_only


def _data_folder(config) -> Path:
    return data_dir(Path(config.config_file_path).parent / "data")


def _last_good(config) -> Path:
    """Where `serve` keeps a copy of the last data folder that loaded without a fault."""
    folder = Path(config.site_dir).parent / (Path(config.site_dir).name + "-last-good-data")
    os.environ[_LAST_GOOD] = str(folder)
    return folder


def _mirror(folder: Path, copy: Path) -> None:
    """Make `copy` a copy of `folder`, copying only the files that differ (a save changes one).
    A file saved in the last moments is copied whatever its times say (see `load`: they are coarse)."""
    recent = time.time_ns() - RACY_NS

    def copy_if_changed(source: str, target: str) -> None:
        try:
            before, after = os.stat(source), os.stat(target)
            same = (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns)
            if same and before.st_mtime_ns < recent:
                return
        except OSError:
            pass
        shutil.copy2(source, target)

    shutil.copytree(folder, copy, symlinks=False, copy_function=copy_if_changed, dirs_exist_ok=True)
    for path in sorted(copy.rglob("*"), reverse=True):  # what the folder no longer has, files first
        original = folder / path.relative_to(copy)
        if not original.exists() and not original.is_symlink():
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()


def on_startup(command, dirty):
    if command == "serve":
        os.environ[_SERVING] = "1"


@event_priority(100)
def on_config(config):
    previous = current_or_none()
    set_current(None)
    config.extra.pop("chronicle_fault", None)
    folder = _data_folder(config)
    try:
        site = Site.build(folder, config.site_url or "", config.site_name, previous)
        if os.environ.get(_SERVING):
            _mirror(folder, _last_good(config))
    except DataError as error:
        if not (os.environ.get(_SERVING) and _last_good(config).is_dir()):
            raise PluginError(error.report()) from None
        # While serving, show the fault on every page over the last good record.
        print(error.report(), file=sys.stderr)
        config.extra["chronicle_fault"] = error.report()
        site = Site.build(_last_good(config), config.site_url or "", config.site_name, previous)
    global _previous_citations
    _previous_citations = None
    _unwritten.clear()
    if os.environ.get(_SERVING):
        CompiledTemplates.kept = True
        site.prepare_citations()
        site.reuse(previous)
        _quiet_kept_pages()
        if previous is not None and previous.published:
            _previous_citations = previous.citation_texts
    else:
        site.render_ahead()
    set_current(site)
    _spare_record_pages(config)
    _search_reads_less(config)
    # MkDocs empties site_dir before it writes: give it a folder of its own,
    # swapped in only when the whole build has succeeded.
    global _publication
    _written.clear()
    _publication = Publication(Path(config.site_dir))
    config.site_dir = str(_publication.staging)
    return config


def on_files(files, config):
    site = current()
    for record in site.records():
        page = site.page_path(record)
        file = File.generated(config, page, content="")
        files.append(file)
        RecordPage(file, config, site, record)
    # The downloads, the feed and the citation files are written into the build's own folder, not
    # held as MkDocs file contents until the build ends (megabytes at scale): by a worker while the
    # pages render when workers run (this process never holds them), else here, the citation files
    # by a thread. MkDocs still knows the downloads and the feed, so that it checks the links
    # hand-written pages make to them.
    if not site.write_generated(_publication.writer()):
        try:
            _publication.write(site.files())
        except OSError as error:
            raise PluginError(f"writing the downloads failed: {error}; nothing was published") from None
        # Linked only from record pages, which MkDocs does not check: the build's link check finds them.
        _publication.write_in_background(site.citation_files, _previous_citations)
    for path in site.file_paths():
        files.append(_WrittenByBuild.generated(config, path, abs_src_path=str(_publication.staging / path)))
    return files


class _WrittenByBuild(File):
    """A file the build writes into its folder itself, perhaps while MkDocs copies the others."""

    def copy_file(self, dirty: bool = False) -> None:
        pass


def on_nav(nav, config, files):
    global _nav
    _nav = nav
    # A record page belongs to its index: that tab is highlighted while the page is read.
    index_pages = {file.src_uri[:-3] + ".html": file.page for file in files.documentation_pages() if file.page}
    for file in files.documentation_pages():
        if isinstance(file.page, RecordPage):
            index = INDEXES[file.src_uri.split("/")[0]]
            file.page.parent = index_pages.get(index.path)
    return nav


def on_page_content(html, page, config, files):
    # Generated lists and tables skip the Markdown parser: placeholders until now (Renderer.stash).
    if isinstance(page, RecordPage):
        return html
    html, searched = current().renderer.unstash_for_search(html)
    if searched != html and os.environ.get("CHRONICLE_SEARCH_VIEW") != "off":
        page.chronicle_searched = searched
    return html


def on_env(env, config, files):
    env.bytecode_cache = COMPILED_TEMPLATES["theme"]  # `serve` makes the theme's environment anew on every rebuild
    if os.environ.get("CHRONICLE_CHROME_CACHE") != "off":
        for name in _FOLDER_CHROME:
            # `{% include %}` calls the template's root_render_func: the cache sits there.
            _render_once_per_folder(env.get_template(name))
    if os.environ.get(_SERVING):
        global _stamp
        _stamp = _theme_stamp(config, _nav)
        _reuse_theme_output(env.get_template("main.html"), current())
    for plugin in config.plugins.values():
        if hasattr(plugin, "search_index"):
            _search_index_written(plugin, env, files)
    return env


_MATERIAL_WORKER = re.compile(r"assets/javascripts/workers/search\.[0-9a-f]+\.min\.js")
_CHRONICLE_WORKER = "assets/javascripts/workers/chronicle-search.js"
# What Material's search writes of its configuration into search_index.json (generate_search_index).
_MATERIAL_SEARCH_CONFIG = ("lang", "separator", "pipeline", "fields")


def _search_index_written(plugin, env, files) -> None:
    """Material's search index, as its plugin writes it at the end of the build, with:

    - an entry for each record, made from the record: record pages are kept out of the HTML
      indexer. Made as the index is written, not held while every page is (megabytes at scale),
      and put first, where they were when they were made before the pages;
    - the index built for the browser (macros/search_index.py), rather than made by Lunr on each
      page load: `search_index.json` carries it, and the pages name the site's worker
      (overrides/.../chronicle-search.js), which hands it to Material's. Built before Material
      writes the entries, so as not to hold both at once. CHRONICLE_SEARCH_INDEX=browser leaves
      both as Material has them, so that a test can compare.

    Once written, the entries are let go unless a dirty rebuild will start from them."""
    search_index = plugin.search_index
    generate = search_index.generate_search_index
    prebuilt = _search_worker(env, files)

    def generate_with_records(prev):
        site = current()
        search_index.entries[:0] = site.search_entries()
        built = None
        if prebuilt and not prev:  # a dirty rebuild merges the last build's entries in `generate`
            config = {key: search_index.config[key] for key in _MATERIAL_SEARCH_CONFIG}
            built = built_json(config, search_index.entries, site.search_terms)
        written = generate(prev)
        if prebuilt:
            config = written_config(written)
            if built is None or built[0] != config:
                built = built_json(config, search_index.entries, site.search_terms)
        if not getattr(plugin, "is_dirty", True):
            search_index.entries = []  # before the index goes in: Material's JSON is copied then
        return with_index(written, built)

    search_index.generate_search_index = generate_with_records


def _search_worker(env, files) -> bool:
    """Name the site's search worker in the pages, unless told not to or without it."""
    if os.environ.get("CHRONICLE_SEARCH_INDEX") == "browser":
        return False
    material = [file.src_uri for file in files if _MATERIAL_WORKER.fullmatch(file.src_uri)]
    if len(material) != 1 or files.get_file_from_path(_CHRONICLE_WORKER) is None:
        return False
    env.globals["chronicle_search_worker"] = {
        "material": material[0],
        "chronicle": f"{_CHRONICLE_WORKER}?material={material[0].rsplit('/', 1)[1]}",
    }
    return True


class _WrittenIds:
    """A record page's ids, for MkDocs' check of hand-written links to `page#id` (which asks only
    `id in`), read from what the link check took of the page when it was written. A set of ids
    for each page, held until that check at the end of the build, is megabytes at scale."""

    __slots__ = ("dest_uri",)

    def __init__(self, dest_uri: str):
        self.dest_uri = dest_uri

    def __contains__(self, anchor: object) -> bool:
        targets = _written.get(self.dest_uri)
        return targets is not None and anchor in targets[1]


@event_priority(100)  # before the search plugin, which reads every page's content and contents
def on_page_context(context, page, config, nav):
    if isinstance(page, RecordPage):
        page.fill()
        if os.environ.get(_SERVING) and page.last_theme_output(current()) is not None:
            page.content = ""  # the theme's output is the last build's: nothing reads the content again
    return context


def on_post_page(output, page, config):
    # Written: nothing needs the page's HTML again before the build ends (MkDocs would hold
    # every page's to the end; the timeline's alone lists every episode).
    page.content = None
    if isinstance(page, RecordPage):
        page.rendered = None
        page.meta.pop("chronicle_head", None)
        page.toc = get_toc([])
    if _publication is None:
        return with_security_headers(output)
    site = current()
    if getattr(page, "written_before", False):
        # While serving, the theme made this record page as the last build did: the published
        # file is linked in (MkDocs writes nothing for an empty page), with what the link check
        # took of it then.
        last_targets = site.theme_outputs[page.url][2]
        if last_targets is not None and _publication.keep(page.file.dest_uri):
            _written[page.file.dest_uri] = last_targets
            _unwritten.add(page.file.src_uri)
            return ""
    output = with_security_headers(output)
    # What the link check needs, taken now rather than read back from disk; while serving,
    # a page written the same as last time is not searched again.
    memo = site.link_targets
    if memo is None:
        targets = page_targets(output)
    else:
        digest = hashlib.sha1(output.encode("utf-8", "surrogatepass")).digest()
        targets = memo[digest] = memo.get(digest) or site.earlier_link_targets.get(digest) or page_targets(output)
        if isinstance(page, RecordPage):
            site.theme_outputs[page.url] = (*site.theme_outputs[page.url][:2], targets)
    _written[page.file.dest_uri] = targets
    return output


def on_post_template(output_content, template_name, config):
    return with_security_headers(output_content) if template_name.endswith(".html") else output_content


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
    site = current()
    site.stop_rendering()
    try:
        site.generated_written()
        publication.wait()
    except Exception as error:
        publication.discard()
        raise PluginError(f"writing the downloads or citation files failed: {error}; nothing was published") from error
    broken = check_links(publication.staging, urlsplit(config.site_url or "/").path, _written)
    _written.clear()
    if broken or (config.strict and _strict_warnings()):
        publication.discard()
        if broken:
            listed = "\n".join(f"  {link}" for link in broken[:50])
            more = f"\n  ... and {len(broken) - 50} more" if len(broken) > 50 else ""
            raise PluginError(f"{len(broken)} broken links in the built site; nothing was published:\n{listed}{more}")
        return  # MkDocs aborts next, naming the warnings
    publication.publish()
    current().published = True
    config.site_dir = str(publication.target)


def on_build_error(error):
    global _publication
    site = current_or_none()
    if site is not None:
        site.stop_rendering(cancel=True)
    if _publication is not None:
        _publication.discard()
        _publication = None


def on_shutdown():
    if os.environ.get(_LAST_GOOD):
        shutil.rmtree(os.environ.pop(_LAST_GOOD), ignore_errors=True)


def on_serve(server, config, builder):
    server.watch(str(_data_folder(config)))
    server.watch(str(REPOSITORY / "macros"))
    return server
