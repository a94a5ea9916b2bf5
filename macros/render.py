"""Markdown for every page, from the Chronicle's indexes, through Jinja templates.

Safe by default: every value a template prints is escaped for Markdown and
HTML unless it is already `Markup` (a link built here, or a Markdown field
turned into sanitized HTML by `markup.to_html`). Knows nothing of YAML files
or of MkDocs.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from . import markup
from .dates import ChronicleDate
from .index import Chronicle, collection_of
from .model import Record

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


class Renderer:
    """Renders pages for one Chronicle; `site_url` makes permanent addresses absolute."""

    def __init__(self, chronicle: Chronicle, site_url: str = "", site_name: str = "The Chronicle"):
        self.chronicle = chronicle
        self.site_name = site_name
        self.site_url = site_url.rstrip("/") + "/" if site_url else ""
        self.env = Environment(
            loader=PackageLoader("macros", "templates"),
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
        if date is None:
            return Markup("")
        return (
            Markup(f'<time datetime="{date.earliest.isoformat()}" title="{date}">')
            + escape_text(date.display())
            + Markup("</time>")
        )

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

        def permalink(record: Record) -> Markup:
            path = f"{collection_of(record)}/{record.id}.html"
            return Markup(self.site_url + path if self.site_url else path)

        def tag(tag_id: str) -> Markup:
            tag_record = self.chronicle.tags.get(tag_id)
            shown = tag_record.label if tag_record else tag_id
            return Markup("[") + escape_text(shown) + Markup(f"]({relative('tags.md')}#{tag_id})")

        def page(path: str) -> Markup:
            return Markup(relative(path))

        return dict(url=url, link=link, actor=actor, md=md, permalink=permalink, tag=tag, page=page)

    def _render(self, template: str, page_dir: str, **values: Any) -> str:
        return self.env.get_template(template).render(**self._context(page_dir), **values)

    # -- pages -----------------------------------------------------------------

    def record_page(self, record: Record) -> str:
        collection = collection_of(record)
        return self._render(f"{collection}.md.j2", collection, record=record)

    def fragment(self, name: str, page_dir: str = "", **values: Any) -> str:
        """An index (timeline, proposals ...) for a hand-written page in `page_dir`."""
        return self._render(f"{name}.md.j2", page_dir, **values)


def _title(record: Record) -> str:
    for attribute in ("title", "label", "name"):
        value = getattr(record, attribute, None)
        if value:
            return value
    return record.id
