"""Every generated page, from the Chronicle's indexes, through Jinja templates.

Record pages are HTML (templates/pages/*.html.j2), handed to the site engine as
they are: nothing re-parses them. The indexes that hand-written pages embed
are Markdown fragments. Safe by default: every value a template prints is
escaped unless it is already `Markup` (a link built here, or a Markdown field
turned into sanitized HTML by `markup.to_html`). Knows nothing of YAML files
or of MkDocs.
"""

from __future__ import annotations

import datetime
import functools
import html
import json
import posixpath
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from jinja2 import BytecodeCache, Environment, PackageLoader, StrictUndefined
from jinja2.bccache import Bucket
from markupsafe import Markup, escape

from . import markup
from .cite import FORMATS, Citer, Publisher, file_path
from .dates import ChronicleDate
from .index import Chronicle, collection_of
from .lifeline import PHASE_LABELS, Lifelines
from .model import Record
from .versions import Version, build_date

# The site's own image for link previews: Material's icon, shipped with every build.
CARD_IMAGE = "assets/images/favicon.png"

# Backslash the marks that open inline Markdown (emphasis, code, links, tables,
# attribute lists) anywhere, and any mark that starts the text, since a line may
# begin with it (a list, a heading, a definition). pymdownx.escapeall makes every
# backslashed mark a literal. Fewer escapes keep the page's Markdown fast to parse.
_INLINE = re.compile(r"([\\`*_\[\]{}|<>&\"])")
_LEADING = re.compile(r"^([!#$%'()+,\-./:;=?@^~])")
_ORDERED = re.compile(r"^(\d+)([.)])")  # "1933. The year" must not open a numbered list
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}

KIND_LABELS = {
    "proposal": "Proposal",
    "response": "Response",
    "statement": "Statement",
    "meeting": "Meeting",
    "publication": "Publication",
    "treaty-action": "Treaty action",
    "accusation": "Accusation",
    "sanction": "Sanction",
    "context": "Context",
}

AFFILIATIONS = {
    "state-media": (
        "State media",
        "Funded, owned or directed by a state. Its reports carry that government's framing; "
        "the Chronicle cites them for what was said, not as neutral fact.",
    ),
    "government": (
        "Government",
        "An official publication of a government or its agencies: authoritative on what that "
        "government said or signed, not on its counterpart's views.",
    ),
    "independent": ("Independent", "A publisher not owned or directed by a state or a political movement."),
    "partisan": (
        "Partisan",
        "The publication of a political movement or party, with an openly declared line.",
    ),
    "user-generated": (
        "User-generated",
        "Written by a member of the public (a reader's comment, a forum post): not the words of "
        "the outlet that hosts it.",
    ),
    "unknown": ("Unknown", "Who publishes it, or who pays for it, could not be established."),
}

STATUS_LABELS = {
    "proposed": "Proposed",
    "rejected": "Rejected",
    "signed": "Signed, not in force",
    "in-force": "In force",
    "suspended": "Suspended",
    "withdrawn": "Withdrawn",
    "terminated": "Terminated",
    "expired": "Expired",
    "superseded": "Superseded",
    "historical": "Historical",
}


def escape_text(value: Any) -> Markup:
    """Plain record text, made literal for Markdown and HTML alike."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return Markup("")
    text = " ".join(str(value).split())
    text = _LEADING.sub(r"\\\1", _INLINE.sub(r"\\\1", text))
    text = _ORDERED.sub(r"\1\\\2", text)
    for char, entity in _HTML.items():
        text = text.replace("\\" + char, entity)
    return Markup(text)


_TOKEN = re.compile(r"^[A-Za-z0-9-]+$")


def token(value: Any) -> Markup:
    """An id or a value from the contract's lists, for anchors and class names."""
    text = str(value)
    return Markup(text) if _TOKEN.match(text) else escape_text(text)


def href(url: str) -> Markup:
    """A validated http(s) URL as a Markdown link target: nothing in it can end the link."""
    return Markup(quote(url, safe="/:?#[]@!$&'*+,;=%~-._"))


def label(value: str) -> str:
    return value.replace("-", " ").capitalize()


class CompiledTemplates(BytecodeCache):
    """Compiled templates, kept in memory for the process: `serve` makes a Renderer (and MkDocs a
    theme) on every rebuild, and compiling them anew cost about a second each time. Jinja checks
    each template's source against the checksum it was compiled from: an edited one is compiled again."""

    # Only `serve` compiles the same templates again: a single build keeps nothing.
    kept = False

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        if self.kept:
            self._code[bucket.key] = bucket.bytecode_to_string()


# One per kind of environment: compiled code depends on the environment's settings, and the
# cache knows a template only by its name.
COMPILED_TEMPLATES = {"markdown": CompiledTemplates(), "html": CompiledTemplates(), "theme": CompiledTemplates()}


class Renderer:
    """Renders pages for one Chronicle; `site_url` makes permanent addresses absolute."""

    def __init__(
        self,
        chronicle: Chronicle,
        site_url: str = "",
        site_name: str = "The Chronicle",
        versions: Mapping[tuple[str, str], Version] | None = None,
    ):
        self.chronicle = chronicle
        self.site_name = site_name
        self.site_url = site_url.rstrip("/") + "/" if site_url else ""
        # When each record last changed, by (collection, id); a record without one is dated by the build.
        self.versions = versions or {}
        self.unversioned = Version(build_date(), False)
        self.citer = Citer(chronicle, Publisher(site_name, self.site_url))
        # HTML that a hand-written page embeds but its Markdown must not parse (see `stash`).
        self._stashed: dict[str, str] = {}
        self._stash_mark = f"chronicle-stash-{secrets.token_hex(4)}"
        self.env = Environment(
            loader=PackageLoader("macros", "templates"),
            bytecode_cache=COMPILED_TEMPLATES["markdown"],
            # Autoescape makes macro output Markup; finalize escapes plain values
            # for Markdown as well as HTML before autoescape sees them.
            autoescape=True,
            finalize=escape_text,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters.update(
            date=self._date,
            kind=lambda k: KIND_LABELS.get(k, label(k)),
            status=lambda s: STATUS_LABELS.get(s, label(s)),
            affiliation=lambda a: AFFILIATIONS[a][0],
            # Trusted constants, also printed inside attributes: HTML-escaped only.
            affiliation_meaning=lambda a: escape(AFFILIATIONS[a][1]),
            label=label,
            token=token,
            href=href,
            # Front matter: the theme prints title and description unescaped (<title>, meta tags).
            front_matter=lambda v: Markup(json.dumps(html.escape(str(v)), ensure_ascii=False)),
            plural=lambda n, word: f"{n} {word}{'' if n == 1 else 's'}",
            heading=_title,
        )
        self.html_env = Environment(
            loader=PackageLoader("macros", "templates"),
            bytecode_cache=COMPILED_TEMPLATES["html"],
            auto_reload=False,  # one build, one set of templates: no file check on every page
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.html_env.filters.update(
            date=self._date,
            kind=lambda k: KIND_LABELS.get(k, label(k)),
            status=lambda s: STATUS_LABELS.get(s, label(s)),
            affiliation=lambda a: AFFILIATIONS[a][0],
            affiliation_meaning=lambda a: AFFILIATIONS[a][1],
            label=label,
            heading=_title,
            collection=collection_of,
            lang_attribute=lang_attribute,
        )
        self.html_env.globals.update(
            chronicle=chronicle, site_name=site_name, indexes=INDEXES, thread_reach=THREAD_REACH
        )
        self.html_env.filters.update(stash=self.stash)
        # A treaty page draws its life (lifeline.py) beside its dated history.
        self.today = datetime.date.today()
        self.html_env.globals.update(lifeline=Lifelines(chronicle, self.today).drawing, phases=PHASE_LABELS)
        self.env.globals.update(
            chronicle=chronicle,
            site_name=site_name,
            affiliations=AFFILIATIONS,
            kinds=KIND_LABELS,
            statuses=STATUS_LABELS,
            indent=lambda depth: Markup("    " * depth),  # nesting of Markdown lists
        )

    # -- helpers the templates call -----------------------------------------

    @staticmethod
    def _date(date: ChronicleDate | None) -> Markup:
        return Markup("") if date is None else _time_element(date)

    def _context(self, page_dir: str) -> dict[str, Any]:
        """Functions bound to the directory of the page being rendered."""

        def relative(path: str) -> str:
            return posixpath.relpath(path, page_dir or ".") if page_dir else path

        def url(record: Record) -> Markup:
            return Markup(relative(f"{collection_of(record)}/{record.id}.md"))

        def link(record: Record | None, text: Any = None) -> Markup:
            if record is None:
                return Markup("")
            shown = text if text is not None else _title(record)
            return Markup("[") + escape_text(shown) + Markup(f"]({url(record)})")

        def actor(actor_id: str | None) -> Markup:
            return link(self.chronicle.actors.get(actor_id)) if actor_id else Markup("")

        md = _prose(relative)

        def permalink(record: Record) -> Markup:
            path = f"{collection_of(record)}/{record.id}.html"
            return Markup(self.site_url + path if self.site_url else path)

        def tag(tag_id: str) -> Markup:
            tag_record = self.chronicle.tags.get(tag_id)
            shown = tag_record.label if tag_record else tag_id
            return Markup("[") + escape_text(shown) + Markup(f"]({relative('tags.md')}#{tag_id})")

        def page(path: str) -> Markup:
            return Markup(relative(path))

        def html(name: str, **values: Any) -> Markup:
            return self.html_fragment(name, page_dir, **values)

        return dict(url=url, link=link, actor=actor, md=md, permalink=permalink, tag=tag, page=page, html=html)

    def _html_context(self, page_dir: str) -> dict[str, Any]:
        """Functions for the HTML templates, bound to the directory of the page being rendered."""
        # Record pages sit one folder down: a link is "../" and the path, or just the
        # file name within the page's own folder (posixpath.relpath, per link, costs more).
        inside, up = (page_dir + "/", "../") if page_dir and "/" not in page_dir else (None, "")

        def relative(path: str) -> str:
            if inside is None:
                return posixpath.relpath(path, page_dir) if page_dir else path
            return path[len(inside) :] if path.startswith(inside) else up + path

        def url(record: Record) -> str:
            return relative(f"{collection_of(record)}/{record.id}.html")

        def link(record: Record | None, text: Any = None) -> Markup:
            if record is None:
                return Markup("")
            shown = text if text is not None else _title(record)
            # Ids are [a-z0-9-]: only the text needs escaping (this runs for every link of every page).
            return Markup(f'<a href="{url(record)}">{escape(shown)}</a>')

        def actor(actor_id: str | None) -> Markup:
            return link(self.chronicle.actors.get(actor_id)) if actor_id else Markup("")

        def tag(tag_id: str) -> Markup:
            tag_record = self.chronicle.tags.get(tag_id)
            shown = tag_record.label if tag_record else tag_id
            return Markup('<a href="{}#{}">{}</a>').format(relative("tags.html"), tag_id, shown)

        def joined(links) -> Markup:
            return Markup(", ").join(links)

        md = _prose(relative)

        def permalink(record: Record) -> str:
            path = f"{collection_of(record)}/{record.id}.html"
            return self.site_url + path if self.site_url else path

        def external(address: str, text: Any = None) -> Markup:
            # A validated http(s) address; the source's site learns nothing of the reader's page.
            return Markup('<a href="{}" rel="noopener noreferrer">{}</a>').format(
                href(address), text if text is not None else address
            )

        def cite_section(record: Record) -> Markup:
            values = self.citer.cite(record).cite_values(relative, self.version(record))
            return Markup(self.html_env.get_template("cite.html.j2").render(**values))

        return dict(
            url=url,
            link=link,
            actor=actor,
            cite_section=cite_section,
            actor_links=lambda ids: joined(actor(i) for i in ids),
            treaty_links=lambda ids: joined(link(self.chronicle.treaties.get(i)) for i in ids),
            tag_links=lambda ids: joined(tag(i) for i in ids),
            tag=tag,
            md=md,
            permalink=permalink,
            page=relative,
            external=external,
        )

    def _render(self, template: str, page_dir: str, **values: Any) -> str:
        return self.env.get_template(template).render(**self._context(page_dir), **values)

    # -- pages -----------------------------------------------------------------

    def version(self, record: Record) -> Version:
        return self.versions.get((collection_of(record), record.id), self.unversioned)

    def record_page(self, record: Record) -> RenderedPage:
        """The HTML of a record's page, with what the theme needs around it."""
        collection = collection_of(record)
        context = self._html_context(collection)
        html = self.html_env.get_template(f"pages/{TEMPLATES[collection]}.html.j2").render(**context, record=record)
        toc = [(int(level), anchor, _plain(text)) for level, anchor, text in _SECTION.findall(html)]
        image = self.site_url + CARD_IMAGE if self.site_url else context["page"](CARD_IMAGE)
        # The theme writes the canonical link and every page's feed link (overrides/main.html).
        head_values = self.citer.cite(record, context["page"]).head_values(context["page"], image=image)
        return RenderedPage(
            path=f"{collection}/{record.id}.html",
            title=_title(record),
            description=_description(record),
            html=html,
            toc=toc,
            head=Markup(self.html_env.get_template("head.html.j2").render(**head_values)),
        )

    def citation_example(self, address: str, page_dir: str = "") -> str:
        """How the record at `address` ("episodes/<id>") is cited, in every form, for a hand-written page.

        A data folder without that record shows its first episode instead: the example is always real.
        """
        record = self.chronicle.find(address) or (self.chronicle.timeline[0] if self.chronicle.timeline else None)
        if record is None:
            return ""
        citation = self.citer.cite(record)
        context = self._html_context(page_dir)
        files = citation.files()
        examples = [
            (FORMATS[fmt][2], context["page"](file_path(record, fmt)), files[file_path(record, fmt)])
            for fmt in ("bib", "csl")
        ]
        return self.html_env.get_template("citation_example.html.j2").render(
            **context, record=record, examples=examples, **citation.cite_values(context["page"], self.version(record))
        )

    def fragment(self, name: str, page_dir: str = "", **values: Any) -> str:
        """An index (timeline, proposals ...) for a hand-written page in `page_dir`."""
        return self._render(f"{name}.md.j2", page_dir, **values)

    def html_fragment(self, name: str, page_dir: str = "", **values: Any) -> Markup:
        """An HTML template's output for a hand-written page, kept from its Markdown (`stash`)."""
        html = self.html_env.get_template(f"{name}.html.j2").render(**self._html_context(page_dir), **values)
        return self.stash(html)

    # -- HTML kept from the Markdown parser ------------------------------------

    def stash(self, html: str) -> Markup:
        """A placeholder for `html` in a hand-written page's Markdown; `unstash` puts the HTML back
        once MkDocs has converted the page. Long generated lists and tables (thousands of entries
        at scale) are HTML already: parsing them as Markdown cost most of an index page's time."""
        key = str(len(self._stashed))
        self._stashed[key] = str(html)
        return Markup(f"<!--{self._stash_mark}:{key}-->")

    def unstash(self, html: str) -> str:
        """The page's HTML with every placeholder replaced by what it stands for."""
        return self.unstash_for_search(html)[0]

    def unstash_for_search(self, html: str) -> tuple[str, str]:
        """The page's HTML as `unstash` makes it, and the same without the stashed blocks that
        search leaves out whole: what the search indexer has to read (a fraction, on index pages)."""
        if self._stash_mark not in html:
            return html, html
        parts = re.split(f"<!--{self._stash_mark}:([0-9]+)-->", html)
        page, searched = [], []
        for n, part in enumerate(parts):
            if n % 2 == 0:
                page.append(part)
                searched.append(part)
                continue
            block = self._stashed.pop(part, None)
            if block is None:  # a placeholder used twice
                raise ValueError("generated HTML was lost from a hand-written page (a stash placeholder is left)")
            page.append(block)
            searched.append("" if hidden_from_search(block) else block)
        html = "".join(page)
        if self._stash_mark in html:  # a placeholder the Markdown changed
            raise ValueError("generated HTML was lost from a hand-written page (a stash placeholder is left)")
        return html, "".join(searched)


_EXCLUDED_ROOT = re.compile(r"\s*<([a-z][a-z0-9]*)\b[^>]*\sdata-search-exclude[\s>=]")
_HEADING = re.compile(r"<h[1-6][\s>]")


@functools.lru_cache(maxsize=8192)
def _time_element(date: ChronicleDate) -> Markup:
    # `datetime` keeps the record's precision: "2018-06" is a month, never 1 June. Made once a
    # date: a date shows on its record's page, the timeline, and the pages of its actors and tags.
    return Markup('<time datetime="{}" title="{}">{}</time>').format(machine_date(date), str(date), date.display())


def hidden_from_search(block: str) -> bool:
    """Whether the search indexer skips all of `block`: one element marked `data-search-exclude`,
    with no heading inside (a heading starts a section even there)."""
    root = _EXCLUDED_ROOT.match(block)
    if root is None or _HEADING.search(block):
        return False
    tag = root[1]
    depth = 0
    for match in re.finditer(rf"<(/?){tag}\b", block):
        depth += -1 if match[1] else 1
        if depth == 0:  # the root closes here: nothing may follow
            return not block[block.index(">", match.end()) + 1 :].strip()
    return False


def _prose(relative: Callable[[str], str]) -> Callable[..., Markup]:
    """`md(text, inline=False)` for a page: a record's Markdown as safe HTML, its site links
    (`episodes/<id>.md`, `methodology.md#x`) made relative to that page."""

    def resolve(target: str) -> str:
        named = markup.record_link(target)
        if named:
            collection, record_id, fragment = named
            return relative(f"{collection}/{record_id}.html") + fragment
        path, _, fragment = target.partition("#")
        path = path.lstrip("/")
        if path.endswith(".md"):
            path = path[:-3] + ".html"
        return relative(path) + (f"#{fragment}" if fragment else "")

    def md(text: str | None, inline: bool = False) -> Markup:
        return Markup(markup.to_html(text, resolve, inline=inline)) if text else Markup("")

    return md


def _title(record: Record) -> str:
    for attribute in ("title", "label", "name"):
        value = getattr(record, attribute, None)
        if value:
            return value
    return record.id


# How many steps of a reply thread a page shows before and after its own episode.
THREAD_REACH = 5

# The record pages' own templates, and the index each collection is reached from.
TEMPLATES = {"episodes": "episode", "treaties": "treaty", "actors": "actor", "sources": "source"}


@dataclass(frozen=True)
class Index:
    path: str
    title: str


INDEXES = {
    "episodes": Index("timeline.html", "Timeline"),
    "treaties": Index("treaties.html", "Treaties"),
    "actors": Index("actors.html", "Actors"),
    "sources": Index("sources.html", "Sources"),
}


@dataclass(frozen=True)
class RenderedPage:
    """A record page as HTML, with what the theme needs: title, description, table of contents."""

    path: str
    title: str
    description: str
    html: str
    toc: list[tuple[int, str, str]]  # (level, id, text) of each section heading
    head: Markup  # tags for the page's <head>: citation metadata, JSON-LD, alternate files


_SECTION = re.compile(r'<h([23]) id="([^"]+)">(.*?)<a class="headerlink"')
_TAG = re.compile(r"<[^>]+>")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def _plain(html_text: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", html_text)).split())


def machine_date(date: ChronicleDate) -> str:
    """The date for `<time datetime>`: a year, a month or a day, as precise as the record."""
    return str(date).rstrip("?~%")


def lang_attribute(text: str) -> Markup:
    """` lang="ru"` for Cyrillic text, so that it is read and hyphenated as Russian."""
    return Markup(' lang="ru"') if _CYRILLIC.search(text or "") else Markup("")


def _description(record: Record) -> str:
    kind = collection_of(record)
    if kind == "episodes":
        return f"{record.date.display()}: {record.title}"
    if kind == "treaties":
        return f"{record.name} — status: {STATUS_LABELS.get(record.status, label(record.status))}"
    if kind == "actors":
        native = f" ({record.native_name})" if record.native_name else ""
        return f"{record.name}{native} in the Chronicle of US–Russia diplomacy"
    return f"{record.outlet}, {record.published.display()}: {record.title}"
