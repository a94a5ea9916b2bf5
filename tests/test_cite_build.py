"""Every record page of a real build cites itself: head tags, alternate files, the "Cite this page" section.

The generated files are read by real clients: citeproc-py (Chicago and APA) for
CSL-JSON, bibtexparser for BibTeX, json for JSON-LD; and a record page opened
from disk in Chromium has its tags, and its alternate files open.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urljoin

import bibtexparser
import pytest
from bibtexparser.middlewares import LatexDecodingMiddleware
from bs4 import BeautifulSoup
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from sitetools import chronicle_json

from macros import cite

COLLECTIONS = ("episodes", "treaties", "actors", "sources")
NAME = {"episodes": "title", "treaties": "name", "actors": "name", "sources": "title"}
SCHEMA_TYPES = {
    "episodes": {"Event"},
    "treaties": {"Legislation"},
    "actors": {"Person", "Country", "GovernmentOrganization", "Organization"},
    "sources": {"NewsArticle", "Report", "CreativeWork"},
}
ALTERNATES = {
    "application/vnd.citationstyles.csl+json": ".csl.json",
    "application/x-bibtex": ".bib",
    "application/x-research-info-systems": ".ris",
}


def styled(items: list[dict], style: str) -> str:
    """CSL-JSON through citeproc-py, as a citation manager would read it."""
    chosen = CitationStylesStyle(str(cite.STYLES_DIR / cite.STYLES[style][0]), validate=False)
    bibliography = CitationStylesBibliography(chosen, CiteProcJSON(items), formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    return "\n".join(str(entry) for entry in bibliography.bibliography())


def bibtex_titles(text: str) -> dict[str, str]:
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert not library.failed_blocks, [block.error for block in library.failed_blocks]
    return {entry.key: entry.fields_dict["title"].value for entry in library.entries}


def records(site: Path) -> list[tuple[str, dict]]:
    data = chronicle_json(site)
    return [(collection, record) for collection in COLLECTIONS for record in data[collection]]


def head_of(site: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser").head


def check_record(site: Path, collection: str, record: dict) -> None:
    page = record["url"]
    title = record[NAME[collection]]
    head = head_of(site, page)
    assert head.find("meta", attrs={"name": "citation_title"})["content"] == title, page
    assert head.find("meta", attrs={"name": "citation_publisher"})["content"] == "The Chronicle"
    assert head.find("meta", attrs={"property": "og:title"})["content"] == title
    (script,) = head.find_all("script", type="application/ld+json")
    described = json.loads(script.string)
    assert described["@type"] in SCHEMA_TYPES[collection] and described["name"] == title, page
    alternates = {link["type"]: link["href"] for link in head.find_all("link", rel="alternate")}
    assert alternates["application/atom+xml"] == "../feed.xml"
    for media_type, suffix in ALTERNATES.items():
        assert alternates[media_type] == f"{record['id']}{suffix}", page
    folder = site / collection
    (item,) = json.loads((folder / f"{record['id']}.csl.json").read_text(encoding="utf-8"))
    assert item["title"] == title
    for style in cite.STYLES:
        assert title.casefold() in styled([item], style).casefold(), (page, style)
    assert bibtex_titles((folder / f"{record['id']}.bib").read_text(encoding="utf-8")) == {item["id"]: title}
    assert f"TI  - {title}\n" in (folder / f"{record['id']}.ris").read_text(encoding="utf-8")
    section = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser").find(id="cite-this-page").parent
    shown = {dd["data-style"]: dd.get_text() for dd in section.find_all("dd")}
    assert shown == {style: cite.citation(item, style, as_html=False) for style in cite.STYLES}, page


@pytest.mark.parametrize("fixture", ["small_site", "real_site"])
def test_every_record_page_cites_itself_in_every_format(fixture, request):
    site = request.getfixturevalue(fixture)
    found = records(site)
    assert {collection for collection, _ in found} == set(COLLECTIONS)
    for collection, record in found:
        check_record(site, collection, record)


@pytest.mark.parametrize("fixture", ["small_site", "real_site"])
def test_the_whole_record_set_downloads_read_back(fixture, request):
    site = request.getfixturevalue(fixture)
    found = records(site)
    items = json.loads((site / "downloads/chronicle.csl.json").read_text(encoding="utf-8"))
    titles = sorted(record[NAME[collection]] for collection, record in found)
    assert sorted(item["title"] for item in items) == titles
    bibtex = bibtex_titles((site / "downloads/chronicle.bib").read_text(encoding="utf-8"))
    assert sorted(bibtex.values()) == titles
    for style in cite.STYLES:
        text = styled(items, style).casefold()
        assert all(title.casefold() in text for title in titles), style


def test_every_page_points_feed_readers_at_the_feed(small_site):
    for page in ("index.html", "timeline.html", "methodology.html", "episodes/2018-06-test-proposal.html"):
        feed = head_of(small_site, page).find("link", type="application/atom+xml")
        assert (small_site / urljoin(page, feed["href"])).resolve() == (small_site / "feed.xml").resolve(), page


def test_only_record_pages_carry_citation_tags(small_site):
    assert head_of(small_site, "timeline.html").find("meta", attrs={"name": "citation_title"}) is None


def test_the_methodology_example_is_generated_from_a_real_record(real_site):
    methodology = BeautifulSoup((real_site / "methodology.html").read_text(encoding="utf-8"), "html.parser")
    example = methodology.find(class_="chronicle-cite-example")
    target = example.find("a")["href"]
    assert target == "episodes/2018-06-russia-proposes-reaffirming-1933-commitment.html"
    record = BeautifulSoup((real_site / target).read_text(encoding="utf-8"), "html.parser")
    section = record.find(id="cite-this-page").parent
    for style in cite.STYLES:
        shown = example.find("dd", attrs={"data-style": style}).get_text()
        assert shown == section.find("dd", attrs={"data-style": style}).get_text()
        assert "June 2018" in shown or "2018, June" in shown
    files = [pre.get_text() for pre in example.find_all("pre")]
    bib = target.replace(".html", ".bib")
    assert files[0] == (real_site / bib).read_text(encoding="utf-8").rstrip()
    assert json.loads(files[1]) == json.loads((real_site / target.replace(".html", ".csl.json")).read_text())


def test_the_methodology_example_is_there_for_any_data_folder(small_site):
    methodology = (small_site / "methodology.html").read_text(encoding="utf-8")
    assert 'href="episodes/2018-06-test-proposal.html"' in methodology.split("chronicle-cite-example")[1]


def test_the_downloads_page_and_the_json_state_the_licence(small_site):
    downloads = (small_site / "downloads.html").read_text(encoding="utf-8")
    assert "CC BY 4.0" in downloads and "remain their authors" in downloads
    assert 'href="downloads/chronicle.bib"' in downloads and 'href="downloads/chronicle.csl.json"' in downloads
    assert chronicle_json(small_site)["license"]["url"] == "https://creativecommons.org/licenses/by/4.0/"


@pytest.mark.browser
def test_a_record_page_from_disk_has_its_tags_and_its_files_open(offline_page, small_site):
    page = offline_page
    address = (small_site / "episodes/2018-07-test-refusal.html").as_uri()
    page.goto(address)
    title = "Washington refuses in a letter"
    assert page.locator('meta[name="citation_title"]').get_attribute("content") == title
    assert page.locator('meta[name="citation_publication_date"]').get_attribute("content") == "2018/07"
    described = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert (described["@type"], described["name"], described["startDate"]) == ("Event", title, "2018-07")
    hrefs = {
        media_type: page.locator(f'link[rel="alternate"][type="{media_type}"]').get_attribute("href")
        for media_type in [*ALTERNATES, "application/atom+xml"]
    }
    assert page.goto(urljoin(address, hrefs.pop("application/atom+xml"))).ok
    opened = {}
    for media_type, href in hrefs.items():
        response = page.goto(urljoin(address, href))
        assert response.ok, href
        opened[media_type] = page.locator("body").inner_text()
    assert json.loads(opened["application/vnd.citationstyles.csl+json"])[0]["title"] == title
    assert "title = {{Washington refuses in a letter}}" in opened["application/x-bibtex"]
    assert f"TI  - {title}" in opened["application/x-research-info-systems"]
    # The cite section's links reach the same files.
    page.goto(address)
    page.get_by_role("link", name="BibTeX (.bib)").click()
    page.wait_for_url(lambda url: url.endswith("2018-07-test-refusal.bib"))
    assert "@misc{chronicle-episodes-2018-07-test-refusal," in page.locator("body").inner_text()
