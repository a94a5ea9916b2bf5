"""The one rule for every link a record can produce.

A link in a Markdown field (summary, body, notes, provisions, a history note)
and the URL fields (`url`, `archived_url`, `text_url`) all pass here. A link
goes to one of:

- http(s) on a host written plainly: `https://host.example/any/path?query#part`.
  No `user@` before the host, no backslash, no whitespace, control or bidi
  character anywhere, no protocol-relative `//host`, an ASCII host name with
  a dot (an international name in its `xn--` form), an optional port;
- a record of the Chronicle, `episodes/<id>.md` (or `treaties/`, `actors/`,
  `sources/`; `.html` and a `#fragment` may follow);
- another page of this site, written from the site root as a path of plain
  names ending in `.md` or `.html` (`methodology.md#quotes`), never climbing
  with `..`; or a `#fragment` of the same page.

Anything else (`javascript:`, `data:`, `%6a%61vascript:`, `http:\\\\host`,
`/\\host` ...) is refused with the reason. Browsers read such forms
differently from what a reader or a reviewer sees; a plain form is the
only one both read alike.
"""

from __future__ import annotations

import re

from .text import DIRECTION_MARKS, character_problem, codepoint, shown

URL_MAX_LENGTH = 2000

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HTTP = re.compile(
    rf"^(?P<scheme>[Hh][Tt][Tt][Pp][Ss]?)://(?P<host>{_LABEL}(?:\.{_LABEL})+)\.?(?::(?P<port>[0-9]{{1,5}}))?"
    r"(?P<rest>[/?#]\S*)?$"
)
_NAME = r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?"
_FRAGMENT = r"#[A-Za-z0-9_-]*"
_SITE_PAGE = re.compile(rf"^/?(?:{_NAME}/)*{_NAME}\.(?:md|html)(?:{_FRAGMENT})?$|^{_FRAGMENT}$")
RECORD_LINK = re.compile(
    r"^/?(?P<collection>episodes|treaties|actors|sources)/(?P<id>[a-z0-9]+(?:-[a-z0-9]+)*)"
    r"(?:\.md|\.html)?(?P<fragment>#[\w-]*)?$"
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")

WHERE = "a link goes to http(s) on a plainly written host or to a page of this site"


def _written_problem(value: str) -> str | None:
    """Characters no link may hold, whatever its form."""
    problem = character_problem(value)
    if problem:
        return problem
    for char in value:
        if char.isspace():
            return f"it holds whitespace ({codepoint(char)})"
        if char in DIRECTION_MARKS:
            return f"it holds an invisible direction mark ({codepoint(char)})"
    if "\\" in value:
        return "it holds a backslash, which browsers read as /"
    return None


def http_problem(value: str) -> str | None:
    """Why `value` is not an http(s) URL on a plainly written host, or None."""
    if len(value) > URL_MAX_LENGTH:
        return f"it is longer than {URL_MAX_LENGTH} characters"
    problem = _written_problem(value)
    if problem:
        return problem
    if value.startswith("//"):
        return "a protocol-relative //host: write https://"
    if not re.match(r"^[Hh][Tt][Tt][Pp][Ss]?://", value):
        return "it does not start with http:// or https://"
    if _HTTP.match(value):
        port = _HTTP.match(value)["port"]
        if port is not None and not 0 < int(port) < 65536:
            return f"port {port} does not exist"
        return None
    authority = re.split(r"[/?#]", value.split("://", 1)[1], maxsplit=1)[0]
    if "@" in authority:
        return "a user@ before the host hides where the link goes"
    if not authority:
        return "it has no host"
    return f"host {shown(authority)} is not a plain host name such as example.org (ASCII, with a dot)"


def url_problem(value: str) -> str | None:
    """Message for a URL field (`url`, `archived_url`, `text_url`), or None."""
    problem = http_problem(value)
    return f"{shown(value)} is not an http(s) URL: {problem}" if problem else None


def link_problem(target: str) -> str | None:
    """Message for a link target in a Markdown field, or None when it is allowed."""
    problem = _written_problem(target) if len(target) <= URL_MAX_LENGTH else "it is too long"
    if problem is None:
        if RECORD_LINK.match(target) or _SITE_PAGE.match(target):
            return None
        if target.startswith("//"):
            problem = "a protocol-relative //host: write https://"
        elif re.match(r"^[Hh][Tt][Tt][Pp][Ss]?:", target):
            problem = http_problem(target)
        elif _SCHEME.match(target):
            problem = f"scheme {shown(target.split(':', 1)[0])}: only http and https"
        elif ".." in target.split("#")[0].split("/"):
            problem = "it climbs with '..': write the page's path from the site root"
        else:
            problem = "a page of this site is a path of plain names ending in .md or .html"
    return f"link {shown(target)} is not allowed: {problem}; {WHERE}" if problem else None


def record_link(target: str) -> tuple[str, str, str] | None:
    """(collection, id, fragment) when the target names a record page."""
    match = RECORD_LINK.match(target)
    if not match:
        return None
    return match["collection"], match["id"], match["fragment"] or ""
