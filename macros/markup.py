"""Markdown written in records: where its links go, and safe HTML from it.

Records are untrusted text. Raw HTML in them is shown as text, never
interpreted; a link goes to http(s) or to a page of the site itself.
The same rules serve the validator (which refuses a bad link with a
message) and the renderer (which sanitizes again, in case).
"""

from __future__ import annotations

import functools
import html
import re
import threading
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urlsplit

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .links import link_problem, record_link

__all__ = ["link_problem", "link_targets", "markdown_problem", "record_link", "to_html"]

# Python-Markdown scans from every "[" to its closing "]" (or to the end of the
# text when there is none); its inline pass copies a block's text once for each
# emphasis, entity or link in it (quadratic in a block's length); its list
# parser is cubic in the nesting depth and recurses once a level. Text within
# these bounds converts in time linear in its length; no record needs more.
MAX_BLOCK_LENGTH = 10_000
MAX_UNMATCHED_BRACKETS = 10
MAX_BRACKET_DEPTH = 10
MAX_NESTING = 12

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
# several pages: each text is converted once. A parser is not safe to share
# between threads (the build writes citation files in one): one per thread.
_PARSERS = threading.local()


def _parser() -> markdown.Markdown:
    parser = getattr(_PARSERS, "markdown", None)
    if parser is None:
        parser = markdown.Markdown(extensions=["sane_lists", "tables", _HeadingsExtension()], output_format="html")
        _PARSERS.markdown = parser
    return parser


ALLOWED_TAGS = {
    *("p", "a", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "br", "hr"),
    *("h3", "h4", "h5", "h6"),
    *("table", "thead", "tbody", "tr", "th", "td"),
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.targets.append(value)


_BRACKETS = re.compile(r"\\.|[\[\]]", re.DOTALL)  # an escaped character is a pair, never a bracket
_BLOCKS = re.compile(r"\n[ \t]*\n")
_MARKERS = re.compile(r"(?:>|[-*+](?=\s)|[0-9]{1,9}[.)](?=\s))[ \t]*")


def _nesting(line: str) -> int:
    """How deep a line nests lists and quotes: its indentation in steps of four, and each marker that opens it."""
    stripped = line.lstrip(" \t")
    indent = line[: len(line) - len(stripped)].expandtabs(4)
    depth = len(indent) // 4
    position = 0
    while match := _MARKERS.match(stripped, position):
        if match.end() == position:
            break
        depth += 1
        position = match.end()
    return depth


def markdown_problem(text: str) -> str | None:
    """Why a Markdown text is beyond what converts in linear time, or None. One pass over the text."""
    depth, deepest = 0, 0
    for mark in _BRACKETS.findall(text):
        if mark == "[":
            depth += 1
            deepest = max(deepest, depth)
        elif mark == "]" and depth:
            depth -= 1
    if depth > MAX_UNMATCHED_BRACKETS:  # what is left open at the end
        return f"{depth} '[' without a closing ']' (at most {MAX_UNMATCHED_BRACKETS}): write a lone one as \\["
    if deepest > MAX_BRACKET_DEPTH:
        return f"brackets nested {deepest} deep (at most {MAX_BRACKET_DEPTH})"
    longest = max(_BLOCKS.split(text), key=len)
    if len(longest) > MAX_BLOCK_LENGTH:
        return (
            f"a paragraph of {len(longest):,} characters without a blank line (at most {MAX_BLOCK_LENGTH:,}): "
            "break it with blank lines"
        )
    for number, line in enumerate(text.split("\n"), start=1):
        nesting = _nesting(line)
        if nesting > MAX_NESTING:
            return f"line {number} of the text nests lists, quotes or indents {nesting} deep (at most {MAX_NESTING})"
    return None


@functools.cache
def _convert(text: str) -> str:
    if markdown_problem(text):
        # Validation refuses such text; shown as plain text, it costs no more than its length.
        return "<p>" + html.escape(text) + "</p>"
    # "<" starts raw HTML in Markdown: escaping it shows any tag as text.
    return _parser().reset().convert(text.replace("<", "&lt;"))


def link_targets(text: str) -> list[str]:
    """Every link and image target the Markdown would produce."""
    collector = _LinkCollector()
    collector.feed(_convert(text))
    return collector.targets


def to_html(text: str, resolve: Callable[[str], str], inline: bool = False) -> str:
    """Sanitized HTML of a Markdown field; `resolve` maps a site link to a page-relative URL."""

    def rewrite(element: str, attribute: str, value: str) -> str | None:
        if attribute == "href":
            if link_problem(value):
                return None
            if not urlsplit(value).scheme:
                return resolve(value)
        return value

    cleaned = nh3.clean(
        _convert(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=rewrite,
    )
    if inline and cleaned.startswith("<p>") and cleaned.endswith("</p>") and cleaned.count("<p>") == 1:
        cleaned = cleaned[3:-4]
    # A blank line would end the raw HTML block in the page's Markdown.
    return re.sub(r"\n\s*\n", "\n", cleaned).strip()
