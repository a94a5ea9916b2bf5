"""Real `mkdocs build --strict` runs on small data folders."""

from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from conftest import REPO, SMALL, mkdocs_build

from macros.versions import build_date, last_changed

COLLECTIONS = ("episodes", "treaties", "actors", "sources")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append((tag, value))


def links_of(page: Path) -> list[tuple[str, str]]:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.links


def record_ids(folder: Path, collection: str) -> set[str]:
    return {path.stem for path in (folder / collection).glob("*.yml")}


def test_one_page_per_record_at_its_permanent_address(small_site):
    for collection in COLLECTIONS:
        for record_id in record_ids(SMALL, collection):
            assert (small_site / collection / f"{record_id}.html").is_file(), (collection, record_id)
    for index in ("index", "timeline", "proposals", "treaties", "actors", "sources", "tags", "methodology"):
        assert (small_site / f"{index}.html").is_file()


def test_every_local_link_and_asset_resolves(small_site):
    broken = []
    for page in small_site.rglob("*.html"):
        if page.name == "404.html":
            continue  # served by GitHub Pages at any depth, so its links are absolute
        for tag, target in links_of(page):
            parts = urlsplit(target)
            if parts.scheme or target.startswith(("#", "//", "mailto:")):
                continue
            resolved = (page.parent / unquote(parts.path)).resolve()
            if parts.path and not resolved.exists():
                broken.append(f"{page.relative_to(small_site)}: <{tag}> {target}")
    assert broken == []


def test_no_request_leaves_the_site(small_site):
    """No CDN, no Google Fonts: every script, stylesheet and image is local."""
    for page in small_site.rglob("*.html"):
        for tag, target in links_of(page):
            if tag in ("script", "link", "img", "iframe", "source"):
                assert not urlsplit(target).scheme.startswith("http"), f"{page}: {target}"
                assert not target.startswith("//"), f"{page}: {target}"


def test_search_index_holds_the_records_and_works_offline(small_site):
    index = json.loads((small_site / "search/search_index.json").read_text(encoding="utf-8"))
    titles = {doc["title"] for doc in index["docs"]}
    assert "Lavrov gives an interview in Vladivostok" in titles
    assert "Sergey Lavrov" in titles
    assert any("Сергей Лавров" in doc["text"] for doc in index["docs"])
    # The records' entries, made from the records as the index is written, come first, then the
    # hand-written pages' in the order they are built (ties in a search keep that order).
    from_records = [doc["location"].split("/")[0] in COLLECTIONS for doc in index["docs"]]
    assert from_records == sorted(from_records, reverse=True) and sum(from_records) > 8
    # the offline plugin inlines the index for file://, and the worker shim is shipped
    assert (small_site / "search/search_index.js").read_text(encoding="utf-8").startswith("var __index =")
    home = (small_site / "index.html").read_text(encoding="utf-8")
    assert 'src="assets/javascripts/iframe-worker.js"' in home


def test_record_pages_stay_out_of_the_nav(small_site):
    home = (small_site / "index.html").read_text(encoding="utf-8")
    nav_links = re.findall(r'<a href="([^"]+)" class="md-nav__link', home)
    assert "timeline.html" in nav_links and "methodology.html" in nav_links
    assert not [link for link in nav_links if link.split("/")[0] in COLLECTIONS]


def test_episode_page(small_site):
    html = (small_site / "episodes/2018-06-test-proposal.html").read_text(encoding="utf-8")
    assert re.search(r"<h1[^>]*>Moscow proposes reaffirming the 1933 commitment<", html)
    assert '<time datetime="2018-06" title="2018-06">June 2018</time>' in html
    assert "Proposal" in html and "Rejected" in html
    assert 'href="../actors/russia.html">Russia</a> → <a href="../actors/united-states.html">United States' in html
    assert 'href="../treaties/test-treaty.html">Test Agreement</a>' in html
    assert 'href="../tags.html#non-interference">Non-interference</a>' in html
    # the quote with its speaker and its source, and the source's affiliation label
    assert "we are always ready to reaffirm the 1933 commitment" in html
    assert "a source in the Russian Foreign Ministry, as reported by <em>Test Paper</em>" in html
    assert "Independent</span>" in html
    # the reply, and the next episode in time
    assert 'href="2018-07-test-refusal.html"' in html
    assert 'rel="next"' in html
    reply = (small_site / "episodes/2018-07-test-refusal.html").read_text(encoding="utf-8")
    assert "This episode responds to" in reply and 'href="2018-06-test-proposal.html"' in reply
    assert 'rel="prev"' in reply


def test_a_body_keeps_its_headings_and_tables(small_site):
    html = (small_site / "episodes/2019-09-04-test-interview.html").read_text(encoding="utf-8")
    details = html[html.index('id="details"') :]
    # "## What was said" sits under the page's "Details" (h2) as h3; the table is a table.
    assert "<h3>What was said</h3>" in details
    assert "<th>Topic</th>" in details and "<td>in question</td>" in details


def test_treaty_actor_and_source_pages(small_site):
    treaty = (small_site / "treaties/test-treaty.html").read_text(encoding="utf-8")
    assert "Тестовое соглашение" in treaty
    # Headed by the name readers know, with the full name beneath it.
    assert re.search(
        r'<h1[^>]*>Test Agreement <span class="chronicle-fullname">Test Agreement on Non-Interference</span>', treaty
    )
    assert "Historical" in treaty and "16 November 1933" in treaty and "Washington" in treaty
    assert "Life history" in treaty and "Proposed" in treaty and "Russia proposed reaffirming it." in treaty
    assert "Each side refrains from interference." in treaty
    assert 'href="../episodes/2018-06-test-proposal.html"' in treaty

    actor = (small_site / "actors/sergey-lavrov.html").read_text(encoding="utf-8")
    assert "Сергей Лавров" in actor
    assert re.search(r"Minister of Foreign Affairs, <a [^>]+>Russia</a> \(from <time[^>]+>9 March 2004<", actor)
    assert 'href="../episodes/2019-09-04-test-interview.html"' in actor
    assert "our relations with the U.S. are undermined" in actor

    source = (small_site / "sources/test-wire-2019.html").read_text(encoding="utf-8")
    assert "State media" in source and "Funded, owned or directed by a state" in source
    assert "TASS" in source
    assert re.search(r'href="../treaties/test-treaty.html"[^>]*>to the treaty</a>', source)
    assert "No address is known for this document." in source
    paper = (small_site / "sources/test-paper-2018.html").read_text(encoding="utf-8")
    assert 'href="https://example.org/paper"' in paper
    assert 'href="../treaties/test-treaty.html"' in paper  # a treaty resting on it


def test_indexes(small_site):
    timeline = (small_site / "timeline.html").read_text(encoding="utf-8")
    years = re.findall(r'<h2 id="y(\d{4})"', timeline)
    assert years == ["2018", "2019"]
    assert timeline.index("2018-06-test-proposal") < timeline.index("2018-07-test-refusal")
    proposals = (small_site / "proposals.html").read_text(encoding="utf-8")
    section = proposals[proposals.index('id="2018-06-test-proposal"') :]
    assert "2018-07-test-refusal" in section and "Rejected" in section
    treaties = (small_site / "treaties.html").read_text(encoding="utf-8")
    assert "Test Agreement" in treaties and "Historical" in treaties
    sources = (small_site / "sources.html").read_text(encoding="utf-8")
    assert "State media" in sources and "Independent" in sources
    tags = (small_site / "tags.html").read_text(encoding="utf-8")
    assert 'id="non-interference"' in tags and 'id="arms-control"' in tags
    home = (small_site / "index.html").read_text(encoding="utf-8")
    assert "<strong>3</strong>" in home and "Lavrov gives an interview in Vladivostok" in home


def test_json_download_matches_the_folder(small_site):
    data = json.loads((small_site / "downloads/chronicle.json").read_text(encoding="utf-8"))
    assert set(data) == {"episodes", "treaties", "actors", "sources", "tags", "license"}
    assert data["license"]["name"] == "CC BY 4.0" and "quotes" in data["license"]["not_covered"]
    for collection in COLLECTIONS:
        assert {record["id"] for record in data[collection]} == record_ids(SMALL, collection)
        for record in data[collection]:
            assert record["url"] == f"{collection}/{record['id']}.html"
            written = yaml.safe_load((SMALL / collection / f"{record['id']}.yml").read_text(encoding="utf-8"))
            renamed = {"source_url" if key == "url" else key for key in written}
            assert set(record) - {"id", "url"} == renamed, record["id"]
    paper = next(s for s in data["sources"] if s["id"] == "test-paper-2018")
    assert paper["source_url"] == "https://example.org/paper" and paper["url"] == "sources/test-paper-2018.html"
    proposal = next(e for e in data["episodes"] if e["id"] == "2018-06-test-proposal")
    assert proposal["date"] == "2018-06" and proposal["outcome"] == "rejected"
    interview = next(e for e in data["episodes"] if e["id"] == "2019-09-04-test-interview")
    assert interview["date"] == "2019-09-04"
    lavrov = next(a for a in data["actors"] if a["id"] == "sergey-lavrov")
    assert lavrov["roles"][0]["from"] == "2004-03-09"
    assert {t["id"] for t in data["tags"]} == {"non-interference", "arms-control"}


def test_csv_and_schema_downloads(small_site):
    with (small_site / "downloads/episodes.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["id"] for row in rows} == record_ids(SMALL, "episodes")
    assert all(row["url"].startswith("episodes/") for row in rows)
    schema = json.loads((small_site / "downloads/schema/episodes.schema.json").read_text(encoding="utf-8"))
    assert {"title", "date", "kind", "summary", "sources"} <= set(schema["required"])
    assert schema["additionalProperties"] is False


def test_atom_feed_of_the_latest_episodes(small_site):
    import xml.etree.ElementTree as ET

    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.parse(small_site / "feed.xml").getroot()
    entries = feed.findall(f"{atom}entry")
    # Newest change first: the fixture's files are dated by their git history (else the build).
    changed = last_changed(SMALL, sorted((SMALL / "episodes").glob("*.yml")), build_date())
    by_change = sorted(changed, key=lambda path: (changed[path].date, path.stem), reverse=True)
    links = [entry.find(f"{atom}link").get("href") for entry in entries]
    assert links == [f"episodes/{path.stem}.html" for path in by_change]
    assert all((small_site / link).is_file() for link in links)
    titles = {entry.find(f"{atom}link").get("href"): entry.find(f"{atom}title").text for entry in entries}
    assert titles["episodes/2018-07-test-refusal.html"] == "July 2018 (uncertain): Washington refuses in a letter"
    assert feed.find(f"{atom}updated").text == f"{changed[by_change[0]].iso}T00:00:00+00:00"


def test_the_feed_dates_an_entry_by_the_records_change_not_the_event(tmp_path, data_copy):
    site = tmp_path / "site"
    # A folder outside git: every record is dated by the build, which SOURCE_DATE_EPOCH fixes.
    result = mkdocs_build(data_copy, site, SOURCE_DATE_EPOCH="1767225600")  # 1 January 2026
    assert result.returncode == 0, result.stderr
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert feed.count("<updated>2026-01-01T00:00:00+00:00</updated>") == 4  # the feed and its 3 entries
    assert "2019-09-04T00:00:00" not in feed
    page = (site / "episodes/2019-09-04-test-interview.html").read_text(encoding="utf-8")
    assert '<time datetime="2026-01-01">as built on 1 January 2026 (the record file' in page


def test_a_faulty_folder_builds_nothing_and_says_why(tmp_path, data_copy):
    (data_copy / "episodes/bad.yml").write_text("title: x\ndate: 2018-13\nkind: rumour\n", encoding="utf-8")
    (data_copy / "actors/worse.yml").write_text("name: [\n", encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("the published site", encoding="utf-8")
    result = mkdocs_build(data_copy, site)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert "episodes/bad.yml:2: date: '2018-13' is not a date" in output
    assert "episodes/bad.yml:3: kind: Input should be" in output
    assert "episodes/bad.yml:1: summary: required field is missing" in output
    assert "actors/worse.yml:2: not valid YAML" in output
    # the site folder is left as it was
    assert [p.name for p in site.iterdir()] == ["index.html"]
    assert (site / "index.html").read_text(encoding="utf-8") == "the published site"


HOSTILE_EPISODE = """\
title: "<script>alert('title')</script> *not bold* [x](javascript:alert(1)) {{ config.site_name }}"
date: 2019-09-04
kind: statement
summary: |
  Raw <img src=x onerror="alert(1)"> and [a link](javascript:alert(2)) and {{ 7 * 7 }}.
body: "[site link](episodes/2018-06-test-proposal.md) and [web link](https://example.org/a)"
sources: [test-wire-2019]
quotes:
  - text: "<b>bold</b> | pipe ` tick {{ 6 * 7 }}"
    source: test-wire-2019
    attributed_to: "<i>anonymous</i>"
"""


def test_no_html_or_script_from_a_record_reaches_a_page(tmp_path, data_copy):
    (data_copy / "episodes/hostile.yml").write_text(HOSTILE_EPISODE, encoding="utf-8")
    # a summary may not link to javascript: — the loader refuses it; render-time escaping is tested without it
    result = mkdocs_build(data_copy, tmp_path / "refused")
    assert result.returncode != 0 and "summary: link 'javascript:alert(2)' is not allowed" in result.stderr
    text = HOSTILE_EPISODE.replace(" and [a link](javascript:alert(2))", "")
    (data_copy / "episodes/hostile.yml").write_text(text, encoding="utf-8")
    site = tmp_path / "site"
    result = mkdocs_build(data_copy, site)
    assert result.returncode == 0, result.stderr
    for page in ("episodes/hostile.html", "timeline.html", "index.html", "sources/test-wire-2019.html"):
        html = (site / page).read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold" not in html, page
        assert "<i>anonymous" not in html and 'href="javascript:' not in html, page
        assert "and 49." not in html and "tick 42" not in html, page  # no template ran on record text
    html = (site / "episodes/hostile.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(" in html and "*not bold*" in html and "{{ config.site_name }}" in html
    assert "&lt;b&gt;bold&lt;/b&gt; | pipe ` tick {{ 6 * 7 }}" in html
    assert "and {{ 7 * 7 }}." in html
    assert re.search(r'href="2018-06-test-proposal.html"[^>]*>site link</a>', html)
    assert 'href="https://example.org/a"' in html


def test_site_url_and_repo_url_make_addresses_and_edit_links(tmp_path):
    site = tmp_path / "site"
    result = mkdocs_build(
        SMALL,
        site,
        CHRONICLE_SITE_URL="https://example.org/chronicle/",
        CHRONICLE_REPO_URL="https://github.com/example/chronicle",
        CHRONICLE_EDIT_URI="edit/main/docs/",
    )
    assert result.returncode == 0, result.stderr
    html = (site / "episodes/2018-06-test-proposal.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://example.org/chronicle/episodes/2018-06-test-proposal.html">' in html
    assert 'href="https://example.org/chronicle/episodes/2018-06-test-proposal.html"' in html  # cite this page
    address = "https://example.org/chronicle/episodes/2018-06-test-proposal.html"
    assert f'<meta name="citation_public_url" content="{address}">' in html
    assert f'<meta property="og:url" content="{address}">' in html
    assert '<meta property="og:image" content="https://example.org/chronicle/assets/images/favicon.png">' in html
    edit = "https://github.com/example/chronicle/edit/main/tests/fixtures/small/episodes/2018-06-test-proposal.yml"
    assert f'href="{edit}"' in html
    timeline = (site / "timeline.html").read_text(encoding="utf-8")
    assert 'href="https://github.com/example/chronicle/edit/main/docs/timeline.md"' in timeline
    assert "<id>https://example.org/chronicle/episodes/2019-09-04-test-interview.html</id>" in (
        site / "feed.xml"
    ).read_text(encoding="utf-8")
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    # A record's lastmod is its last change, not the build's date.
    record = SMALL / "episodes/2018-06-test-proposal.yml"
    lastmod = last_changed(SMALL, [record], build_date())[record].iso
    address = "https://example.org/chronicle/episodes/2018-06-test-proposal.html"
    assert re.search(rf"<loc>{re.escape(address)}</loc>\s*<lastmod>{lastmod}</lastmod>", sitemap)
    downloads = (site / "downloads.html").read_text(encoding="utf-8")
    assert 'href="https://example.org/chronicle/chronicle-offline.zip"' in downloads


def test_a_local_build_links_no_offline_zip(small_site):
    # Only the Pages workflow publishes the zip; a local build has nothing to link to.
    assert "chronicle-offline.zip" not in (small_site / "downloads.html").read_text(encoding="utf-8")


def test_an_empty_folder_builds_every_index(tmp_path):
    data = tmp_path / "empty"
    data.mkdir()
    site = tmp_path / "site"
    result = mkdocs_build(data, site)
    assert result.returncode == 0, result.stderr
    assert "The record has no episodes yet." in (site / "timeline.html").read_text(encoding="utf-8")
    assert json.loads((site / "downloads/chronicle.json").read_text(encoding="utf-8"))["episodes"] == []


def test_the_theme_chrome_rendered_once_per_folder_is_what_each_page_would_render(small_site, tmp_path):
    """Record pages share their folder's nav, tabs and footer (macros/hooks.py): the pages are
    byte for byte those of a build that renders the chrome for every page."""
    uncached = tmp_path / "site"
    result = mkdocs_build(SMALL, uncached, CHRONICLE_CHROME_CACHE="off")
    assert result.returncode == 0, result.stderr
    pages = sorted(path.relative_to(small_site) for path in small_site.rglob("*.html"))
    assert pages == sorted(path.relative_to(uncached) for path in uncached.rglob("*.html"))
    assert sum(1 for page in pages if page.parts[0] in COLLECTIONS) > 8
    different = [page for page in pages if (small_site / page).read_bytes() != (uncached / page).read_bytes()]
    assert different == []


# Printed as the build's own process ends (a forked worker ends without running atexit).
LOADED_HERE = """
import atexit, os, sys
build = os.getpid()
atexit.register(lambda: os.getpid() == build and print("loaded here:", *sorted(
    name for name in ("citeproc", "feedgen", "lxml") if name in sys.modules), file=sys.stderr))
"""


def test_record_pages_rendered_by_worker_processes_are_byte_for_byte_the_same(small_site, tmp_path):
    """A large record's pages are rendered ahead on every core (macros/site.py); forced here. A worker
    makes the downloads, the feed and the citation files too: the build's own process never loads
    the feed's library (nor citeproc-py, every citation being kept from the first build)."""
    ahead = tmp_path / "site"
    (tmp_path / "planted").mkdir()
    (tmp_path / "planted" / "sitecustomize.py").write_text(LOADED_HERE, encoding="utf-8")
    cache = str(tmp_path / "cache")  # its own, filled by a first build: no other test's builds touch it
    assert mkdocs_build(SMALL, tmp_path / "first", CHRONICLE_CACHE=cache).returncode == 0
    result = mkdocs_build(
        SMALL, ahead, CHRONICLE_WORKERS="2", CHRONICLE_CACHE=cache, PYTHONPATH=str(tmp_path / "planted")
    )
    assert result.returncode == 0, result.stderr
    assert "record pages in 2 worker processes" in result.stderr
    assert "loaded here:\n" in result.stderr
    files = sorted(path.relative_to(small_site) for path in small_site.rglob("*") if path.is_file())
    assert files == sorted(path.relative_to(ahead) for path in ahead.rglob("*") if path.is_file())
    assert [f for f in files if (small_site / f).read_bytes() != (ahead / f).read_bytes()] == []


@pytest.mark.parametrize("data", ["small", "real"])
def test_search_reading_index_pages_without_their_hidden_lists_indexes_the_same(data, small_site, real_site, tmp_path):
    """Search skips the stashed lists marked data-search-exclude whole (macros/hooks.py): every file,
    the search index included, is byte for byte what a build that hands it all the HTML makes."""
    built, folder = (small_site, SMALL) if data == "small" else (real_site, REPO / "data")
    whole = tmp_path / "site"
    result = mkdocs_build(folder, whole, CHRONICLE_SEARCH_VIEW="off")
    assert result.returncode == 0, result.stderr
    files = sorted(path.relative_to(built) for path in built.rglob("*") if path.is_file())
    assert files == sorted(path.relative_to(whole) for path in whole.rglob("*") if path.is_file())
    assert Path("search/search_index.json") in files
    assert [f for f in files if (built / f).read_bytes() != (whole / f).read_bytes()] == []


def test_a_stashed_block_is_hidden_from_search_only_when_all_of_it_is():
    from macros.render import hidden_from_search

    assert hidden_from_search('<ul class="x" data-search-exclude>\n<li><ul><li>a</li></ul></li>\n</ul>\n')
    assert hidden_from_search('<div data-search-exclude="">a</div>')
    assert not hidden_from_search("<ul><li>a</li></ul>")  # not marked
    assert not hidden_from_search("<ul data-search-exclude><li>a</li></ul><p>searched</p>")  # more after it
    assert not hidden_from_search('<div data-search-exclude><h2 id="x">A section</h2></div>')  # a heading
    assert not hidden_from_search("<p>before</p><ul data-search-exclude></ul>")
