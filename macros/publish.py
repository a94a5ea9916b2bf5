"""Publishing a built site: every link checked, then swapped in whole.

A build writes into a fresh folder beside the output folder; only when the
build has finished without a fault is that folder renamed into place, under a
lock, so that a failed or concurrent build never leaves a half-written or
mixed site. Knows nothing of MkDocs: the hook calls it.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import functools
import hashlib
import os
import posixpath
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

# The pages are written by templates with double-quoted attributes, so a
# pattern finds every link and anchor at a fraction of a full parse's cost.
# Each pattern starts with a literal (a space, once line breaks are spaces):
# one that starts with `\s` tries every character of 40 MB of pages.
_LINK = re.compile(r"""<(?:a|link|img|script|iframe|source)\b[^>]*? (?:href|src)="([^"]*)\"""", re.IGNORECASE)
_ANCHOR = re.compile(r""" (?:id|name)="([^"]+)\"""")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# A page whose script reads its state from the hash (the timeline's filters) names the keys it reads:
# `timeline.html#actor=russia&from=2019` is a view of that page, not an anchor on it.
_HASH_KEYS = re.compile(r' data-hash-keys="([^"]+)"')


@dataclass(frozen=True)
class BrokenLink:
    page: str
    target: str
    reason: str

    def __str__(self) -> str:
        return f"{self.page}: {self.target}: {self.reason}"


_NO_KEYS: frozenset[str] = frozenset()
# What the link check needs of a page: its links, its ids, the hash keys it reads.
Targets = tuple[tuple[str, ...], tuple[str, ...], frozenset[str]]


def page_targets(html: str) -> Targets:
    """What the link check needs of a page: its links, its ids, the hash keys it reads."""
    html = html.replace("\n", " ").replace("\t", " ").replace("\r", " ")
    if "<!--" in html:
        html = _COMMENT.sub("", html)
    keys = _NO_KEYS
    if "data-hash-keys" in html:
        keys = frozenset(key for found in _HASH_KEYS.findall(html) for key in found.split())
    # Interned: pages of one folder share most links (the nav, the assets), kept once for the check.
    # Tuples: a set or list for each of thousands of pages held to the end of the build costs twice
    # the memory, and a page has a few dozen ids to look through. Each link once: the theme links
    # the same pages from its tabs and its nav (a record page: 83 links, 50 different).
    links = tuple(dict.fromkeys(sys.intern(unquote(link)) for link in _LINK.findall(html)))
    return links, tuple(sys.intern(anchor) for anchor in _ANCHOR.findall(html)), keys


def _is_state(fragment: str, keys: frozenset[str]) -> bool:
    """Whether the fragment is `key=value&...` with every key among those the page reads."""
    pairs = fragment.split("&")
    return bool(keys) and all(
        "=" in pair and pair.partition("=")[0] in keys and pair.partition("=")[2] for pair in pairs
    )


def check_links(
    site: Path,
    root: str = "/",
    known: Mapping[str, Targets] | None = None,
) -> list[BrokenLink]:
    """Every link between the site's own files, and every #fragment, must resolve.

    Links that leave the site (http, mailto ...) are the sources' business and
    are not followed; a link that climbs above the site's root is broken.
    `root` is the path the site is published at (`/chronicle/` for
    https://example.org/chronicle/): a link from the root starts with it.
    `known`: `page_targets` of pages as they were written, by path, not read again.
    """
    root = "/" + root.strip("/") + "/" if root.strip("/") else "/"
    known = known or {}
    # Every file, from one walk of the site: a link to a download or a record's citation file is
    # then looked up, not asked of the file system (thousands of calls at scale).
    files: set[str] = set()
    for folder, _, names in os.walk(site):
        prefix = Path(folder).relative_to(site).as_posix() + "/"
        files.update(name if prefix == "./" else prefix + name for name in names)
    pages: dict[str, Targets] = {}
    for page in files:
        if page.endswith(".html"):
            pages[page] = known.get(page) or page_targets((site / page).read_text(encoding="utf-8", errors="replace"))

    @functools.cache
    def resolve(directory: str, link: str) -> tuple[str | None, str, str]:
        """(the file a link from `directory` names, its fragment, or why it names none); pages of one
        folder share most links (the theme's assets, the nav): each is worked out once."""
        parts = urlsplit(link)
        if parts.scheme or parts.netloc:
            return None, "", ""  # leaves the site
        if not parts.path:
            return "", parts.fragment, ""  # the page itself
        if parts.path.startswith("/"):  # from the root: the theme's 404 page has such links
            if not parts.path.startswith(root):
                return None, "", f"outside the site's root {root}"
            target = posixpath.normpath(parts.path[len(root) :] or ".")
        else:
            target = posixpath.normpath(posixpath.join(directory, parts.path))
        if target == ".." or target.startswith("../"):
            return None, "", "climbs above the site's root"
        if parts.path.endswith("/"):
            target = posixpath.normpath(posixpath.join(target, "index.html"))
        if target not in files:
            return None, "", "no such file"
        return target, parts.fragment, ""

    broken: list[BrokenLink] = []
    for page, (links, _, _) in sorted(pages.items()):
        directory = posixpath.dirname(page)
        for link in links:
            target, fragment, problem = resolve(directory, link)
            if problem:
                broken.append(BrokenLink(page, link, problem))
                continue
            if target == "":
                target = page
            if target and fragment and target in pages and fragment not in pages[target][1]:
                if _is_state(fragment, pages[target][2]):
                    continue
                broken.append(BrokenLink(page, link, f"{target} has no element with id {fragment!r}"))
    return broken


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Publication:
    """A build's own folder beside `target`, swapped in by `publish()` or thrown away by `discard()`."""

    def __init__(self, target: Path):
        self.target = Path(target).resolve()
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.building-", dir=self.target.parent))
        self.lock = self.target.parent / f".{self.target.name}.lock"
        self._writers: list[_Writer] = []

    def write(self, files: Mapping[str, str]) -> None:
        """Write these files (text by path in the site) into the staged site now."""
        _write_all(self.staging, files)

    def writer(self) -> Callable[[Mapping[str, str]], None]:
        """`write`, as a function another process can be handed (it pickles)."""
        return functools.partial(_write_all, self.staging)

    def write_in_background(
        self, make_files: Callable[[], Mapping[str, str]], published: Mapping[str, str] | None = None
    ) -> None:
        """Write the files `make_files` returns (text by path in the site) while the build goes on.

        Thousands of small files cost more in system calls than in Python: a
        thread waits on them while the pages render. `wait()` joins it.
        `published`: the text of these files in the site in place now; a file
        with the same text is linked from there, not written (a link costs a
        fiftieth of a write), which is what `serve` needs on every save.
        """
        writer = _Writer(self.staging, make_files, (self.target, published) if published else None)
        writer.start()
        self._writers.append(writer)

    def wait(self) -> None:
        """Every file written in the background is on disk; the first failure among them is raised."""
        writers, self._writers = self._writers, []
        for writer in writers:
            writer.join()
        for writer in writers:
            if writer.error is not None:
                raise writer.error

    def keep(self, path: str) -> bool:
        """Put the published site's file at `path` into the staged site unchanged, if it is there."""
        target = self.staging / path
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(self.target / path, target)
        except OSError:
            return False
        return True

    def publish(self) -> None:
        """Put the staged site in place of the target, in one rename, one build at a time."""
        self.wait()
        with _locked(self.lock):
            retired = None
            if self.target.exists():
                retired = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.old-", dir=self.target.parent))
                os.rename(self.target, retired / "site")
            os.rename(self.staging, self.target)
        if retired is not None:
            shutil.rmtree(retired, ignore_errors=True)

    def discard(self) -> None:
        with contextlib.suppress(Exception):  # the build has failed already: its own fault is the one to report
            self.wait()
        shutil.rmtree(self.staging, ignore_errors=True)


class _Writer(threading.Thread):
    def __init__(
        self,
        folder: Path,
        make_files: Callable[[], Mapping[str, str]],
        published: tuple[Path, Mapping[str, str]] | None = None,
    ):
        super().__init__(name="chronicle-writer", daemon=True)
        self.folder = folder
        self.make_files = make_files
        self.published = published
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            _write_all(self.folder, self.make_files(), self.published)
        except BaseException as error:  # handed to the build's thread by wait()
            self.error = error


def _write_all(folder: Path, files: Mapping[str, str], published: tuple[Path, Mapping[str, str]] | None = None) -> None:
    made: set[Path] = set()
    for path, text in files.items():
        target = folder / path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        if published is not None and published[1].get(path) == text:
            with contextlib.suppress(OSError):
                os.link(published[0] / path, target)
                continue
        target.write_text(text, encoding="utf-8")


# --- Content-Security-Policy ---------------------------------------------------------

_INLINE_SCRIPT = re.compile(r"<script(?P<attributes>[^>]*)>(?P<body>.*?)</script>", re.DOTALL | re.IGNORECASE)
_DATA_TYPE = re.compile(r"""\stype=["']?application/(?:ld\+)?json""", re.IGNORECASE)
_HEAD = re.compile(r"<head>", re.IGNORECASE)

# Everything from the site itself (and, read from disk, from its folder); nothing from elsewhere.
# Inline scripts run only when their hash is listed. Styles may be inline: the theme sets some.
POLICY = (
    "default-src 'self' file:; "
    "script-src 'self' file: {hashes}; "
    "style-src 'self' file: 'unsafe-inline'; "
    "img-src 'self' file: data:; "
    "font-src 'self' file: data:; "
    "connect-src 'self' file:; "
    "worker-src 'self' file: blob:; "
    "frame-src 'self' file: blob:; "
    "object-src 'none'; "
    "base-uri 'self'"
)


def script_hashes(html: str) -> list[str]:
    """The CSP source of each inline script that runs (JSON data blocks do not run and need none)."""
    hashes = []
    for match in _INLINE_SCRIPT.finditer(html):
        attributes = match["attributes"]
        if " src=" in attributes or _DATA_TYPE.search(attributes):
            continue
        digest = base64.b64encode(hashlib.sha256(match["body"].encode("utf-8")).digest()).decode("ascii")
        hashes.append(f"'sha256-{digest}'")
    return sorted(set(hashes))


def with_security_headers(html: str) -> str:
    """The page with its Content-Security-Policy and referrer policy first in its head."""
    policy = POLICY.format(hashes=" ".join(script_hashes(html))).replace(" ;", ";")
    meta = (
        f'<head>\n    <meta http-equiv="Content-Security-Policy" content="{policy}">'
        '\n    <meta name="referrer" content="no-referrer">'
    )
    return _HEAD.sub(meta, html, count=1)
