"""Helpers for the quality and offline tests: a loopback web server, a request
log, and the external checkers (axe-core, the Nu HTML Checker, linkchecker).

Not a test module and not conftest: test_quality.py and test_offline.py import
it by name (pytest puts tests/ on sys.path).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import loopback  # noqa: E402 - scripts/ is not a package
from loopback import QuietHandler  # noqa: E402

NODE_MODULES = REPO / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
LINKCHECKER = Path(sys.executable).parent / "linkchecker"

PHONE = {"viewport": {"width": 375, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}

# A record page of each collection is picked from the built site by `record_page`.
COLLECTIONS = ["episodes", "treaties", "actors", "sources"]


def need(path: Path, what: str) -> Path:
    """The path of an npm tool, or a failure that says how to install it."""
    if not path.exists():
        pytest.fail(f"{what} is missing ({path}): run `python3 run.py test`, or `npm ci` at the repository root")
    return path


def record_page(site: Path, collection: str) -> str:
    """The richest page of a collection (the largest file): it shows the most of the templates."""
    pages = sorted((site / collection).glob("*.html"), key=lambda page: (-page.stat().st_size, page.name))
    assert pages, f"the site has no {collection} pages"
    return f"{collection}/{pages[0].name}"


def chronicle_json(site: Path) -> dict:
    return json.loads((site / "downloads" / "chronicle.json").read_text(encoding="utf-8"))


def plant(site: Path, tmp_path: Path, page: str, html: str) -> Path:
    """A copy of a built site with `html` written at the end of one page's content: a planted fault."""
    copy = tmp_path / "planted"
    shutil.copytree(site, copy)
    target = copy / page
    text = target.read_text(encoding="utf-8")
    assert "</article>" in text
    target.write_text(text.replace("</article>", html + "</article>", 1), encoding="utf-8")
    return copy


# --- Resources from elsewhere ---------------------------------------------------

# Attributes through which a page makes the browser fetch something by itself.
LOADING = {
    "script": ["src"],
    "img": ["src", "srcset"],
    "source": ["src", "srcset"],
    "iframe": ["src"],
    "embed": ["src"],
    "object": ["data"],
    "video": ["src", "poster"],
    "audio": ["src"],
    "track": ["src"],
    "input": ["src"],
    "use": ["href", "xlink:href"],
    "image": ["href", "xlink:href"],
}
# <link rel=...> that fetch; canonical, alternate, prev and next are mere addresses.
FETCHING_LINKS = {
    "stylesheet",
    "icon",
    "apple-touch-icon",
    "preload",
    "modulepreload",
    "prefetch",
    "preconnect",
    "dns-prefetch",
    "manifest",
}
REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
CSS_REMOTE = re.compile(r"(?:url\(\s*['\"]?|@import\s+['\"])\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)


def remote_resources(site: Path) -> list[str]:
    """Every resource a page or stylesheet of the site would fetch from another host."""
    found = []
    for path in sorted(site.rglob("*.html")):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(True):
            urls = [tag.get(attribute) for attribute in LOADING.get(tag.name, [])]
            if tag.name == "link" and FETCHING_LINKS & {rel.lower() for rel in tag.get("rel", [])}:
                urls.append(tag.get("href"))
            if tag.has_attr("style") and CSS_REMOTE.search(tag["style"]):
                urls.append(tag["style"])
            for url in filter(None, urls):
                if any(REMOTE.match(part.strip()) for part in url.split(",")):
                    found.append(f"{path.relative_to(site)}: <{tag.name}> {url}")
        for style in soup.find_all("style"):
            if CSS_REMOTE.search(style.get_text()):
                found.append(f"{path.relative_to(site)}: <style> loads from elsewhere")
    for path in sorted(site.rglob("*.css")):
        if CSS_REMOTE.search(path.read_text(encoding="utf-8", errors="replace")):
            found.append(f"{path.relative_to(site)}: url() or @import from elsewhere")
    return found


# --- A loopback web server ---------------------------------------------------


class _Handler(QuietHandler):
    def end_headers(self) -> None:
        # linkchecker waits 0.1-0.6 s between two requests to a host unless the
        # host answers with this header (its documented opt-in to a faster pace).
        self.send_header("LinkChecker", "allow")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


def serve(site: Path) -> contextlib.AbstractContextManager[str]:
    """Serve a built site on http://127.0.0.1:<free port>/ in a thread; yield that address."""
    return loopback.serve(site, _Handler)


# --- Pages that may only talk to the site -------------------------------------


class RequestLog:
    """A route handler: requests under the allowed prefixes go through, every other one is aborted and kept."""

    def __init__(self, *allowed: str):
        self.allowed = allowed
        self.outside: list[str] = []

    def __call__(self, route) -> None:
        url = route.request.url
        if url.startswith(self.allowed) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()


@contextlib.contextmanager
def site_page(browser, *allowed: str, **context_options):
    """A fresh browser context and page whose requests may go only under `allowed`."""
    context = browser.new_context(**context_options)
    context.set_default_timeout(15_000)
    log = RequestLog(*allowed)
    context.route("**/*", log)
    page = context.new_page()
    page.request_log = log
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    # What the Content-Security-Policy refused, as Chromium reports it on the console.
    refused: list[str] = []
    page.on("console", lambda message: "Content Security Policy" in message.text and refused.append(message.text))
    page.csp_refusals = refused
    try:
        yield page
    finally:
        context.close()


def open_search(page, text: str):
    """Search as a reader does: open the search, type, wait for the results; return the result links."""
    box = page.locator("input.md-search__input")
    if not page.locator("#__search").is_checked():
        magnifier = page.locator('label.md-header__button[for="__search"]')
        if magnifier.is_visible():  # a phone: the box hides behind the magnifier in the header
            magnifier.click()
        else:
            box.click()
    # The index loads when the search first opens; a query typed before it is ready is lost.
    page.wait_for_function(
        "() => !document.querySelector('.md-search-result__meta').textContent.includes('Initializing')"
    )
    results = page.locator(".md-search-result__item a")
    if box.input_value():
        box.fill("")
        box.press("End")
        page.wait_for_function("() => !document.querySelector('.md-search-result__item')")
    # Material searches on keyup; fill() types no key (nor does Playwright for
    # Cyrillic letters), so a key that changes nothing follows.
    box.fill(text)
    box.press("End")
    results.first.wait_for(timeout=15_000)
    return results


# --- axe-core ------------------------------------------------------------------


def axe(page) -> list[dict]:
    """Run axe-core (all its WCAG and best-practice rules, none disabled) on the page; return the violations."""
    # Evaluated from node_modules by the driver: no request leaves the page, and the
    # page's Content-Security-Policy (which refuses an injected inline script) stays on.
    page.evaluate(need(AXE_JS, "axe-core").read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return result["violations"]


def describe_axe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['failureSummary']}".replace("\n", " "))
    return "\n".join(lines)


# --- The Nu HTML Checker -------------------------------------------------------


def vnu(*paths: Path) -> list[dict]:
    """Every error the Nu HTML Checker reports on the HTML files under the paths."""
    java = shutil.which("java")
    if java is None:
        pytest.fail("java is missing: the Nu HTML Checker needs a Java runtime (apt-get install default-jre-headless)")
    result = subprocess.run(
        [java, "-Xss4m", "-jar", str(need(VNU_JAR, "vnu-jar")), "--errors-only", "--format", "json", "--skip-non-html"]
        + [str(path) for path in paths],
        capture_output=True,
        text=True,
        timeout=600,
    )
    # vnu writes its JSON report to stderr; it exits 1 when there is an error.
    report = json.loads(result.stderr)
    return [message for message in report["messages"] if message.get("type") in ("error", "non-document-error")]


def theme_fault(message: dict) -> str | None:
    """Why a vnu message is a known fault of the theme that is not ours to fix, or None."""
    extract = message.get("extract", "")
    # Material writes its two state toggles (drawer, search) as
    #   <input class="md-toggle" type="checkbox" id="__drawer" autocomplete="off">
    # on purpose: autocomplete=off stops Firefox from restoring a checkbox's
    # state when a reader comes back to a page, which would reopen the drawer or
    # the search over it. HTML allows autocomplete only on text-like inputs,
    # hence the error. The two inputs are written straight into Material's
    # base.html, outside any block, so an override would mean copying the whole
    # of base.html and losing that Firefox fix. Only this message on these two
    # toggles is let through; autocomplete on any other checkbox still fails.
    if (
        message.get("message", "").startswith("Attribute “autocomplete” is only allowed when the input type is")
        and 'class="md-toggle"' in extract
        and 'type="checkbox"' in extract
        and ('id="__drawer"' in extract or 'id="__search"' in extract)
    ):
        return "Material's state toggles carry autocomplete=off for Firefox"
    return None


def describe_vnu(messages: list[dict]) -> str:
    return "\n".join(
        f"{message.get('url', '?')}:{message.get('lastLine', '?')}: {message['message']}\n"
        f"    {message.get('extract', '').strip()}"
        for message in messages
    )


# --- linkchecker ---------------------------------------------------------------


def linkchecker(start: str, work: Path) -> subprocess.CompletedProcess[str]:
    """linkchecker from `start` over every internal link, at full speed on loopback.

    Its AnchorCheck is left off: it caches a page without its #fragment, so whether
    a missing fragment is reported depends on the crawl order. Fragments are checked
    by `macros.publish.check_links`, which reads every built page.
    """
    if not LINKCHECKER.exists():
        pytest.fail(f"{LINKCHECKER} is missing: install requirements/tests.txt")
    config = work / "linkcheckerrc"
    config.write_text(
        "[checking]\nmaxrequestspersecond=200\nthreads=4\n[output]\nstatus=0\n",
        encoding="utf-8",
    )
    # It exits 1 on a broken link or a warning.
    # Run as root it reads the config, then switches to nobody: it reaches the
    # site over loopback, never through the (root-only) temporary folders.
    return subprocess.run(
        [str(LINKCHECKER), "--config", str(config), "--output", "text", start],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "HOME": str(work)},  # no user config of this machine
    )
