"""Markdown written in records: where its links go, and safe HTML from it.

Records are untrusted text. Raw HTML in them is shown as text, never
interpreted; a link goes to http(s) or to a page of the site itself.
The same rules serve the validator (which refuses a bad link with a
message) and the renderer (which sanitizes again, in case).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urlsplit

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


class _UnderPageSections(Treeprocessor):
    """A record's headings sit under the page's own sections (h2): its highest becomes h3, the rest follow."""

    def run(self, root) -> None:
        headings = [element for element in root.iter() if element.tag in HEADINGS]
        if not headings:
            return
        shift = 3 - min(int(element.tag[1]) for element in headings)
        for element in headings:
            element.tag = f"h{min(int(element.tag[1]) + shift, 6)}"


class _HeadingsExtension(Extension):
    def extendMarkdown(self, md) -> None:
        md.treeprocessors.register(_UnderPageSections(md), "chronicle_headings", 5)


# One parser for every field of every record: building a Markdown instance
# costs far more than resetting one. A field is validated once and shown on
# several pages: each text is converted once.
_MARKDOWN = markdown.Markdown(extensions=["sane_lists", "tables", _HeadingsExtension()], output_format="html")

ALLOWED_TAGS = {
    *("p", "a", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "br", "hr"),
    *("h3", "h4", "h5", "h6"),
    *("table", "thead", "tbody", "tr", "th", "td"),
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}

RECORD_LINK = re.compile(
    r"^/?(?P<collection>episodes|treaties|actors|sources)/(?P<id>[a-z0-9]+(?:-[a-z0-9]+)*)"
    r"(?:\.md|\.html)?(?P<fragment>#[\w-]*)?$"
)


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.targets.append(value)


@functools.cache
def _convert(text: str) -> str:
    # "<" starts raw HTML in Markdown: escaping it shows any tag as text.
    return _MARKDOWN.reset().convert(text.replace("<", "&lt;"))


def link_targets(text: str) -> list[str]:
    """Every link and image target the Markdown would produce."""
    collector = _LinkCollector()
    collector.feed(_convert(text))
    return collector.targets


def link_problem(target: str) -> str | None:
    """Why a link target is not allowed in a record, or None when it is."""
    stripped = target.strip()
    parts = urlsplit(stripped)
    if parts.scheme in ("http", "https"):
        return None if parts.netloc else f"link {target!r} has no host"
    if parts.scheme or stripped.startswith("//") or ":" in stripped.split("/")[0]:
        return f"link {target!r} is not allowed: a link goes to http(s) or to a page of this site"
    return None


def record_link(target: str) -> tuple[str, str, str] | None:
    """(collection, id, fragment) when the target names a record page."""
    match = RECORD_LINK.match(target.strip())
    if not match:
        return None
    return match["collection"], match["id"], match["fragment"] or ""


def to_html(text: str, resolve: Callable[[str], str], inline: bool = False) -> str:
    """Sanitized HTML of a Markdown field; `resolve` maps a site link to a page-relative URL."""

    def rewrite(element: str, attribute: str, value: str) -> str | None:
        if attribute == "href":
            if link_problem(value):
                return None
            if not urlsplit(value).scheme:
                return resolve(value)
        return value

    html = nh3.clean(
        _convert(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel="noopener nofollow",
        attribute_filter=rewrite,
    )
    if inline and html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    # A blank line would end the raw HTML block in the page's Markdown.
    return re.sub(r"\n\s*\n", "\n", html).strip()
