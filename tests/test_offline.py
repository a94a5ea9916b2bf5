"""The Chronicle in a real browser, served over http://127.0.0.1 and unzipped from
chronicle-offline.zip onto disk: browse, search, a phone, the keyboard alone,
and not one request to anything but the site itself.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import mkdocs_build
from sitetools import (
    COLLECTIONS,
    PHONE,
    REPO,
    chronicle_json,
    linkchecker,
    open_search,
    plant,
    record_page,
    remote_resources,
    serve,
    site_page,
)

pytestmark = pytest.mark.browser

# --- Where the site is read from ------------------------------------------------


# What .github/workflows/pages.yml sets; example/chronicle stands for the real repository.
PAGES_ENV = {
    "CHRONICLE_SITE_URL": "https://example.github.io/chronicle/",
    "CHRONICLE_REPO_URL": "https://github.com/example/chronicle",
    "CHRONICLE_EDIT_URI": "edit/main/docs/",
}


@pytest.fixture(scope="session")
def pages_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site from data/ built as the Pages workflow builds it: with its public address and repository."""
    site = tmp_path_factory.mktemp("pages") / "site"
    result = mkdocs_build(REPO / "data", site, **PAGES_ENV)
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture(scope="session")
def offline_folder(pages_site: Path, tmp_path_factory: pytest.TempPathFactory):
    """chronicle-offline.zip, made by scripts/offline_zip.py as the Pages workflow makes it, unzipped."""
    zip_path = tmp_path_factory.mktemp("zip") / "chronicle-offline.zip"
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "offline_zip.py"), str(pages_site), str(zip_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    # Not under pytest's temporary folder (readable by root only): linkchecker,
    # run as root, reads the files as nobody.
    unzipped = Path(tempfile.mkdtemp(prefix="chronicle-offline-"))
    unzipped.chmod(0o755)
    try:
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(unzipped)
        yield unzipped / "chronicle"
    finally:
        shutil.rmtree(unzipped, ignore_errors=True)


@pytest.fixture(scope="session")
def http_site(real_site: Path):
    with serve(real_site) as base:
        yield base


@pytest.fixture(params=["http", "disk"])
def where(request) -> tuple[str, str]:
    """(the address of the site's root, the only prefix its pages may request)."""
    if request.param == "http":
        base = request.getfixturevalue("http_site")
        return base, base
    folder = request.getfixturevalue("offline_folder")
    return folder.as_uri() + "/", "file://"


@pytest.fixture
def page(browser, where):
    base, allowed = where
    with site_page(browser, allowed) as page:
        page.base = base
        yield page
        assert page.request_log.outside == [], "requests left the site"
        assert page.errors == [], "script errors"


def heading(page) -> str:
    """The page's h1, without the ¶ of its permalink."""
    return page.locator("article h1").text_content().removesuffix("¶").strip()


def path_of(page) -> str:
    """The page's address relative to the site root, without query or fragment."""
    return urlsplit(page.url).path.removeprefix(urlsplit(page.base).path)


# --- A journey through the page types ------------------------------------------


def article_links(site: Path, page: str) -> list[tuple[str, str]]:
    """(href as written, target page relative to the site root) of the links in a page's content."""
    soup = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article")
    links = []
    for anchor in article.find_all("a", href=True) if article else []:
        href = anchor["href"]
        if "://" in href or href.startswith(("#", "mailto:")):
            continue
        target = urlsplit(urljoin("http://site/" + page, href)).path.removeprefix("/")
        links.append((href, target))
    return links


def journey(site: Path, stops: list[str]) -> list[tuple[str, str]]:
    """The shortest walk of content links from the timeline through a page of each
    collection in `stops`, in order; a page of another kind may come between two
    (an actor's page may reach a source only through an episode, say).
    Returns (href to click, page reached) for every step."""
    start = ("timeline.html", 0)
    came_from: dict[tuple[str, int], tuple[tuple[str, int], str] | None] = {start: None}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        page, reached = state
        if reached == len(stops):
            steps = []
            while came_from[state] is not None:
                previous, href = came_from[state]
                steps.append((href, state[0]))
                state = previous
            return steps[::-1]
        for href, target in article_links(site, page):
            if not (site / target).is_file():
                continue
            found = reached + (target.startswith(stops[reached] + "/"))
            if (target, found) not in came_from:
                came_from[(target, found)] = (state, href)
                queue.append((target, found))
    pytest.fail(f"no walk of links from the timeline through {' → '.join(stops)} in this site")


def test_home_timeline_episode_treaty_actor_source_and_back(page, real_site):
    walk = journey(real_site, ["episodes", "treaties", "actors", "sources"])
    assert len(walk) <= 6, walk
    page.goto(page.base + "index.html")
    visited = ["index.html"]
    page.locator(".md-tabs").get_by_role("link", name="Timeline", exact=True).click()
    page.wait_for_url(re.compile(r"timeline\.html$"))
    visited.append("timeline.html")
    for href, target in walk:
        page.locator(f'article a[href="{href}"]').first.click()
        page.wait_for_url(re.compile(re.escape(target) + "$"))
        assert page.locator("article h1").count() == 1
        visited.append(target)
    assert path_of(page).startswith("sources/")
    for expected in reversed(visited[:-1]):
        page.go_back()
        page.wait_for_url(re.compile(re.escape(expected) + "$"))
        assert path_of(page) == expected


def test_a_treaty_heading_shows_the_full_name_under_the_short_one(page):
    page.goto(page.base + "treaties/new-start.html")
    heading = page.locator("article h1")
    full_name = heading.locator(".chronicle-fullname")
    assert full_name.inner_text().startswith("Treaty between the United States of America")
    # On a line of its own, under the short name, with no stray ¶ on a line below it.
    assert full_name.bounding_box()["y"] > heading.bounding_box()["y"] + 20
    assert not heading.locator(".headerlink").is_visible()
    assert heading.inner_text().splitlines()[0].strip() == "New START"


# --- Search -------------------------------------------------------------------------


def result_pages(results) -> list[str]:
    return [urlsplit(href).path for href in (results.nth(i).get_attribute("href") for i in range(results.count()))]


def test_search_an_english_word(page):
    page.goto(page.base + "index.html")
    results = open_search(page, "withdrawal")
    first = results.first
    first.click()
    page.wait_for_load_state()
    assert "withdraw" in page.locator("article").inner_text().lower()


def test_search_a_cyrillic_name_finds_the_person(page):
    page.goto(page.base + "timeline.html")
    results = open_search(page, "Лавров")
    pages = result_pages(results)
    lavrov = [results.nth(i) for i, path in enumerate(pages) if path.endswith("/actors/sergey-lavrov.html")]
    assert lavrov, "no result leads to Sergey Lavrov's page"
    assert "Sergey Lavrov" in lavrov[0].inner_text()
    lavrov[0].click()
    page.wait_for_url(re.compile(r"actors/sergey-lavrov\.html"))
    assert heading(page) == "Sergey Lavrov"


def test_search_by_name_puts_the_treaty_or_person_first(page, real_site):
    # A reader who types a name wants that treaty's or person's own page, not
    # the first of the many episodes that mention it.
    record = chronicle_json(real_site)
    wanted = [(t.get("short_name") or t["name"], f"/treaties/{t['id']}.html") for t in record["treaties"]]
    wanted += [(a["name"], f"/actors/{a['id']}.html") for a in record["actors"] if a["type"] == "person"]
    assert len(wanted) > 10
    page.goto(page.base + "index.html")
    missed = []
    for name, address in wanted:
        first = result_pages(open_search(page, name))[0]
        if not first.endswith(address):
            missed.append((name, first))
    assert missed == [], "a search for these names lists another page first"


def test_search_a_treaty_by_its_full_name(page, real_site):
    treaties = chronicle_json(real_site)["treaties"]
    page.goto(page.base + "index.html")
    missed = []
    for treaty in treaties:
        top = result_pages(open_search(page, treaty["name"]))[:3]
        if not any(path.endswith(f"/treaties/{treaty['id']}.html") for path in top):
            missed.append(treaty["name"])
    assert missed == [], "a search for these full names does not list the treaty among the first three"


# --- A phone -----------------------------------------------------------------------


def test_on_a_phone(browser, where, real_site):
    base, allowed = where
    with site_page(browser, allowed, **PHONE) as page:
        page.goto(base + "index.html")
        # The tabs give way to the menu drawer.
        assert not page.locator(".md-tabs").is_visible()
        page.locator('label.md-header__button[for="__drawer"]').click()
        page.locator(".md-nav--primary").get_by_role("link", name="Timeline", exact=True).click()
        page.wait_for_url(re.compile(r"timeline\.html$"))
        # Search from the magnifier in the header.
        results = open_search(page, "Лавров")
        assert any(path.endswith("/actors/sergey-lavrov.html") for path in result_pages(results))
        page.keyboard.press("Escape")
        # Nothing wider than the screen: no page scrolls sideways.
        wide = []
        indexes = ["index.html", "timeline.html", "proposals.html", "treaties.html", "actors.html", "sources.html"]
        for path in indexes + [record_page(real_site, collection) for collection in COLLECTIONS]:
            page.goto(base + path)
            width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            if width[0] > width[1]:
                wide.append((path, width))
        assert wide == []
        assert page.request_log.outside == []
        assert page.errors == []


# --- The keyboard alone ------------------------------------------------------------------


def test_the_keyboard_alone_opens_search_and_reaches_the_results(page):
    page.goto(page.base + "index.html")
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('input.md-search__input')"):
            break
    else:
        pytest.fail("Tab never reaches the search box")
    page.wait_for_function(
        "() => !document.querySelector('.md-search-result__meta').textContent.includes('Initializing')"
    )
    page.keyboard.type("Vladivostok")
    page.locator(".md-search-result__item a").first.wait_for(timeout=15_000)
    assert page.locator("#__search").is_checked(), "typing in the box opens the search"
    page.keyboard.press("Tab")
    first = page.evaluate("document.activeElement.getAttribute('href') || ''")
    assert ".html" in first, "Tab goes to the first result"
    assert page.evaluate("document.activeElement.matches('.md-search-result__link')")
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.getAttribute('href') || ''") == first, "Shift+Tab comes back"
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path == urlsplit(urljoin(page.url, first)).path)
    # On the result page, Tab first offers to skip to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className").startswith("md-skip")


# --- Downloads -----------------------------------------------------------------------------


def test_the_json_download_opens(page):
    page.goto(page.base + "downloads.html")
    page.locator('article a[href$="downloads/chronicle.json"]').first.click()
    page.wait_for_url(re.compile(r"downloads/chronicle\.json$"))
    data = json.loads(page.locator("body").inner_text())
    assert set(data) >= {"episodes", "treaties", "actors", "sources", "tags"}
    assert data["episodes"]


# --- The offline bundle ----------------------------------------------------------------------


def every_page(site: Path) -> list[str]:
    # 404.html is for a web server, which sends it for any unknown address:
    # its links start at the server's root, so it cannot work from disk.
    return sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html") if path.name != "404.html")


def test_every_page_from_disk_loads_nothing_from_outside(browser, offline_folder):
    pages = every_page(offline_folder)
    assert len(pages) > 20
    with site_page(browser, "file://") as page:
        failed = []
        page.on("requestfailed", lambda request: failed.append(f"{request.url}: {request.failure}"))
        for path in pages:
            page.goto((offline_folder / path).as_uri(), wait_until="load")
        assert page.request_log.outside == []
        # The favicon of a page still loading when the next page opens is cancelled: not a missing file.
        assert [failure for failure in failed if not failure.endswith("net::ERR_ABORTED")] == []
        assert page.errors == []


def test_every_link_works_from_disk(offline_folder, tmp_path):
    # Pages and files only: test_quality.py checks the #fragments over http.
    result = linkchecker((offline_folder / "index.html").as_uri(), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 errors found" in result.stdout


def test_the_zip_holds_the_site_in_one_folder(offline_folder):
    assert (offline_folder / "index.html").is_file()
    assert (offline_folder / "search" / "search_index.js").is_file()
    assert (offline_folder / "downloads" / "chronicle.json").is_file()
    assert sorted(path.name for path in offline_folder.parent.iterdir()) == ["chronicle"]


# --- Nothing is loaded from elsewhere ---------------------------------------------------------


def test_no_page_or_stylesheet_loads_anything_from_elsewhere(real_site):
    assert remote_resources(real_site) == []


# --- Planted faults: the checks above can fail ------------------------------------------------


def test_a_planted_external_script_is_caught(browser, small_site, tmp_path):
    planted = plant(small_site, tmp_path, "index.html", '<script src="https://cdn.example.com/tracker.js"></script>')
    assert remote_resources(planted) == ["index.html: <script> https://cdn.example.com/tracker.js"]
    with site_page(browser, "file://") as page:
        page.goto((planted / "index.html").as_uri())
        # The page's Content-Security-Policy refuses it before any request is made.
        assert page.request_log.outside == []
        assert any("cdn.example.com/tracker.js" in message for message in page.csp_refusals)


# --- The build for GitHub Pages ------------------------------------------------------------------


def test_the_pages_build_has_canonical_links_a_sitemap_and_edit_links(pages_site):
    base = PAGES_ENV["CHRONICLE_SITE_URL"]
    pages = every_page(pages_site)
    for page in pages:
        html = (pages_site / page).read_text(encoding="utf-8")
        assert f'<link rel="canonical" href="{base}{page}">' in html, page
    sitemap = (pages_site / "sitemap.xml").read_text(encoding="utf-8")
    assert sorted(re.findall(r"<loc>\s*(\S+?)\s*</loc>", sitemap)) == sorted(base + page for page in pages)
    edit = PAGES_ENV["CHRONICLE_REPO_URL"] + "/edit/main/"
    assert f'href="{edit}docs/timeline.md"' in (pages_site / "timeline.html").read_text(encoding="utf-8")
    for collection in ("episodes", "treaties", "actors", "sources"):
        record = sorted((REPO / "data" / collection).glob("*.yml"))[0]
        html = (pages_site / collection / f"{record.stem}.html").read_text(encoding="utf-8")
        assert f'href="{edit}data/{collection}/{record.name}"' in html, record
    # The public address and the repository link change no page into one that loads from elsewhere.
    assert remote_resources(pages_site) == []


def test_the_pages_build_asks_nothing_of_github(browser, pages_site):
    # Material's repository link would fetch the stars and forks from api.github.com.
    with site_page(browser, "file://") as page:
        page.goto((pages_site / "index.html").as_uri())
        assert page.locator("a.md-source").first.get_attribute("href") == PAGES_ENV["CHRONICLE_REPO_URL"]
        page.wait_for_load_state("networkidle")
        assert page.request_log.outside == []
