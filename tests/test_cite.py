"""A record's citation: one CSL-JSON item, and the BibTeX, RIS, meta tags, JSON-LD and styled text made from it.

Each format is read back by a real client where one exists: bibtexparser for BibTeX,
citeproc-py for CSL-JSON in Chicago and APA, json for CSL-JSON and JSON-LD, an HTML
parser for the head and the "Cite this page" section.
"""

from __future__ import annotations

import datetime
import html
import json
import subprocess
import sys
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.middlewares import LatexDecodingMiddleware
from bs4 import BeautifulSoup
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc import model as citeproc_model
from citeproc.source.json import CiteProcJSON
from conftest import REPO, SMALL
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from macros import cite, csl
from macros.index import Chronicle
from macros.load import load
from macros.model import Actor, Episode, Source, Treaty
from macros.versions import Version

TEMPLATES = Path(cite.__file__).parent / "templates"
LOCAL = cite.Publisher("The Chronicle")
PUBLIC = cite.Publisher("The Chronicle", "https://chronicle.example.org/site")

HOSTILE_TITLES = [
    'Lavrov: "we are ready" — and Washington\'s “answer”',
    "Braces {kept} and {{doubled}} in a title",
    "Arms & sanctions: 50% cuts, #1 priority, under_score and $5",
    "</script><script>alert(1)</script><!-- a title that ends the script",
    "Заявление МИД России о договоре",
    "Back\\slash, tilde~ and -- ligatures ''like`` these",
]


def episode(title: str = "Moscow proposes a treaty", date: str = "2018-06", **fields) -> Episode:
    data = {"title": title, "date": date, "kind": "statement", "summary": "A *summary*.", "sources": ["s"]}
    return Episode.model_validate({**data, **fields}).with_id("a-test-episode")


def source(title: str, language: str = "en", published: str = "2019-09-05") -> Source:
    return Source.model_validate(
        {
            "title": title,
            "outlet": "Test Wire",
            "type": "news",
            "affiliation": "state-media",
            "published": published,
            "language": language,
        }
    ).with_id("a-test-source")


def parse_bibtex(text: str):
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert not library.failed_blocks, [block.error for block in library.failed_blocks]
    return library


def render_with_citeproc(items: list[dict], style: str) -> str:
    """A CSL-JSON file as a citation manager reads it: json, then citeproc-py with the shipped style."""
    chosen = CitationStylesStyle(str(cite.STYLES_DIR / cite.STYLES[style][0]), validate=False)
    bibliography = CitationStylesBibliography(chosen, CiteProcJSON(items), formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    return "\n".join(str(entry) for entry in bibliography.bibliography())


# -- the item ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "parts", "circa"),
    [
        ("2018", [2018], False),
        ("2018-06", [2018, 6], False),
        ("2018-06-15", [2018, 6, 15], False),
        ("2017~", [2017], True),
        ("2024?", [2024], True),
        ("2018-06%", [2018, 6], True),
        ("1933-11-16?", [1933, 11, 16], True),
    ],
)
def test_issued_keeps_the_precision_of_the_record(written, parts, circa):
    item = cite.csl_item(episode(date=written), LOCAL)
    assert item["issued"]["date-parts"] == [parts]
    assert item["issued"].get("circa", False) is circa


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_item_title_is_exactly_the_records(title):
    assert cite.csl_item(episode(title), LOCAL)["title"] == title


def test_item_names_the_site_and_the_permanent_address():
    record = episode()
    assert cite.csl_item(record, LOCAL)["URL"] == "episodes/a-test-episode.html"
    item = cite.csl_item(record, PUBLIC)
    assert item["URL"] == "https://chronicle.example.org/site/episodes/a-test-episode.html"
    assert item["publisher"] == "The Chronicle"
    assert item["type"] == "webpage"
    assert item["abstract"] == "A summary."  # Markdown made plain
    assert "accessed" not in item  # the reader's to give


def test_the_date_of_each_kind_of_record(chronicle):
    treaty = chronicle.treaties["test-treaty"]
    assert cite.csl_item(treaty, LOCAL)["issued"] == {"date-parts": [[1933, 11, 16]]}
    assert cite.csl_item(chronicle.sources["test-paper-2018"], LOCAL)["issued"] == {
        "date-parts": [[2018, 11]],
        "circa": True,
    }
    assert "issued" not in cite.csl_item(chronicle.actors["sergey-lavrov"], LOCAL)
    unsigned = Treaty.model_validate({**treaty.model_dump(by_alias=True, exclude_unset=True), "signed": None}).with_id(
        "unsigned"
    )
    assert cite.csl_item(unsigned, LOCAL)["issued"] == {"date-parts": [[1933, 11, 16]]}  # its first history entry


# -- BibTeX and RIS --------------------------------------------------------------------------


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_bibtex_parses_back_to_the_title(title):
    text = cite.bibtex(cite.csl_item(episode(title), PUBLIC))
    (entry,) = parse_bibtex(text).entries
    assert entry.key == "chronicle-episodes-a-test-episode"
    assert entry.fields_dict["title"].value == title
    assert "\\" not in title or "\\textbackslash{}" in text


def test_bibtex_writes_a_caret_as_latex_does():
    # pylatexenc reads \textasciicircum back as a modifier letter; LaTeX prints "^".
    assert "x\\textasciicircum{}y" in cite.bibtex(cite.csl_item(episode("x^y"), LOCAL))


def test_bibtex_braces_the_title_and_keeps_cyrillic_as_utf8():
    text = cite.bibtex(cite.csl_item(episode("Заявление МИД: New START {A}"), LOCAL))
    assert "title = {{Заявление МИД: New START \\{A\\}}}" in text


def test_bibtex_with_an_unbalanced_brace_still_parses():
    text = cite.bibtex(cite.csl_item(episode("An open { brace"), LOCAL))
    assert "\\textbraceleft{}" in text
    assert len(parse_bibtex(text).entries) == 1


@pytest.mark.parametrize(
    ("written", "year", "month", "date", "note"),
    [
        ("2018-06", "2018", "jun", "2018-06", None),
        ("2018-06-15", "2018", "jun", "2018-06-15", None),
        ("2018", "2018", None, "2018", None),
        ("2017~", "2017", None, "2017~", "Date approximate"),
        ("2024?", "2024", None, "2024?", "Date uncertain"),
    ],
)
def test_bibtex_date_keeps_the_precision(written, year, month, date, note):
    record = episode(date=written)
    text = cite.bibtex(cite.csl_item(record, LOCAL), cite.qualifier_of(record))
    fields = bibtexparser.parse_string(text).entries[0].fields_dict
    assert fields["year"].value == year
    assert (fields["month"].value if "month" in fields else None) == month
    assert fields["date"].value == date
    assert (fields["note"].value if "note" in fields else None) == note
    assert "day" not in fields


def test_ris_keeps_the_title_and_the_precision():
    record = episode("Заявление: “answer” & {more}", date="2018-06~")
    text = cite.ris(cite.csl_item(record, PUBLIC), cite.qualifier_of(record))
    lines = dict(line.split("  - ", 1) if "  - " in line else (line.rstrip(" -"), "") for line in text.splitlines())
    assert text.startswith("TY  - ELEC\n") and text.endswith("ER  -\n")
    assert lines["TI"] == "Заявление: “answer” & {more}"
    assert lines["PY"] == "2018"
    assert lines["DA"] == "2018/06//approximate"
    assert lines["UR"] == "https://chronicle.example.org/site/episodes/a-test-episode.html"
    assert lines["PB"] == "The Chronicle"


# -- suggested citation text (citeproc-py) ------------------------------------------------------


@pytest.mark.parametrize("title", HOSTILE_TITLES)
@pytest.mark.parametrize("style", ["chicago", "apa"])
def test_styled_text_carries_the_title(title, style):
    item = cite.csl_item(episode(title), PUBLIC)
    plain = cite.citation(item, style, as_html=False)
    # Chicago puts English titles in headline case; APA keeps them as written.
    assert (title.casefold() in plain.casefold()) if style == "chicago" else (title in plain)
    assert item["URL"] in plain
    rendered = cite.citation(item, style)
    assert "<script" not in rendered and "</script" not in rendered and "<!--" not in rendered
    shown = BeautifulSoup(f"<p>{rendered}</p>", "html.parser").get_text()
    assert shown == plain


def test_a_title_not_in_english_keeps_its_case_in_every_style():
    title = "Заявление министра иностранных дел о договоре"
    item = cite.csl_item(source(title, language="ru"), LOCAL)
    for style in cite.STYLES:
        assert title in cite.citation(item, style, as_html=False)


@pytest.mark.parametrize(
    ("written", "chicago", "apa"),
    [
        ("2018-06", "June 2018", "(2018, June)"),
        ("2018-06-15", "June 15, 2018", "(2018, June 15)"),
        ("2018", "2018", "(2018)"),
        ("2017~", "[2017?]", "(ca. 2017)"),
    ],
)
def test_styled_text_keeps_the_precision(written, chicago, apa):
    item = cite.csl_item(episode(date=written), LOCAL)
    assert chicago in cite.citation(item, "chicago", as_html=False)
    assert apa in cite.citation(item, "apa", as_html=False)
    assert "June 1," not in cite.citation(item, "chicago", as_html=False)


def test_an_undated_page_gets_a_slot_for_the_access_date(chronicle):
    item = cite.csl_item(chronicle.actors["sergey-lavrov"], LOCAL)
    for style in cite.STYLES:
        assert cite.ACCESSED_SLOT in cite.citation(item, style, as_html=False)
        assert '<span class="chronicle-cite__slot">[date accessed]</span>' in cite.citation(item, style)
    dated = cite.csl_item(episode(), LOCAL)
    assert cite.ACCESSED_SLOT not in cite.citation(dated, "apa", as_html=False)


# -- meta tags --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "scholar", "dublin_core"),
    [
        ("2018-06", "2018/06", "2018-06"),
        ("2018-06-15", "2018/06/15", "2018-06-15"),
        ("2018", "2018", "2018"),
        ("2017~", "2017", "2017"),
    ],
)
def test_meta_dates_keep_the_precision(written, scholar, dublin_core):
    tags = dict(cite.meta_tags(cite.csl_item(episode(date=written), LOCAL)))
    assert tags["citation_publication_date"] == scholar
    assert tags["DC.date"] == dublin_core


def test_meta_tags_name_the_title_and_publisher_and_the_public_address_when_there_is_one():
    title = HOSTILE_TITLES[3]
    local = dict(cite.meta_tags(cite.csl_item(episode(title), LOCAL)))
    assert local["citation_title"] == local["DC.title"] == title
    assert local["citation_publisher"] == "The Chronicle"
    assert "citation_public_url" not in local and "DC.identifier" not in local
    public = dict(cite.meta_tags(cite.csl_item(episode(title), PUBLIC)))
    assert public["citation_public_url"] == "https://chronicle.example.org/site/episodes/a-test-episode.html"


def test_social_tags_use_the_summary_and_the_sites_own_image():
    tags = {key: content for _, key, content in cite.social_tags(cite.csl_item(episode(), PUBLIC), "x/card.png")}
    assert tags["og:title"] == tags["twitter:title"] == "Moscow proposes a treaty"
    assert tags["og:description"] == "A summary."
    assert tags["og:image"] == tags["twitter:image"] == "x/card.png"
    assert tags["og:url"].startswith("https://chronicle.example.org/site/")
    local = {key for _, key, _ in cite.social_tags(cite.csl_item(episode(), LOCAL))}
    assert "og:url" not in local and "og:image" not in local


# -- JSON-LD ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chronicle() -> Chronicle:
    return Chronicle(load(SMALL))


@pytest.fixture
def hostile_chronicle(data_copy: Path) -> Chronicle:
    """The small fixture, with titles and names that try to end a script element."""
    proposal = data_copy / "episodes" / "2018-06-test-proposal.yml"
    proposal.write_text(
        proposal.read_text().replace(
            "title: Moscow proposes reaffirming the 1933 commitment", f"title: {json.dumps(HOSTILE_TITLES[3])}"
        )
    )
    lavrov = data_copy / "actors" / "sergey-lavrov.yml"
    lavrov.write_text(lavrov.read_text().replace("name: Sergey Lavrov", 'name: "Sergey </script> Lavrov & co"'))
    return Chronicle(load(data_copy))


def ld(record, chronicle) -> dict:
    script = cite.json_ld_script(cite.Describer(chronicle, PUBLIC).describe(record))
    assert "<" not in script and ">" not in script and "&" not in script
    return json.loads(script)


def test_json_ld_of_an_episode_is_an_event(chronicle):
    data = ld(chronicle.episodes["2018-06-test-proposal"], chronicle)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Event"
    assert data["name"] == "Moscow proposes reaffirming the 1933 commitment"
    assert data["startDate"] == "2018-06"
    assert [actor["name"] for actor in data["organizer"]] == ["Russia"]
    assert [actor["name"] for actor in data["attendee"]] == ["United States"]
    assert data["about"] == [
        {
            "@type": "Legislation",
            "name": "Test Agreement on Non-Interference",
            "url": "https://chronicle.example.org/site/treaties/test-treaty.html",
        }
    ]
    assert [(s["@type"], s["name"]) for s in data["citation"]] == [("NewsArticle", "Washington declines the proposal")]
    assert data["url"] == data["mainEntityOfPage"]["url"]
    assert data["mainEntityOfPage"]["publisher"]["name"] == "The Chronicle"


def test_json_ld_dates_keep_the_precision_without_the_qualifier(chronicle):
    assert ld(chronicle.episodes["2018-07-test-refusal"], chronicle)["startDate"] == "2018-07"
    assert ld(chronicle.episodes["2019-09-04-test-interview"], chronicle)["startDate"] == "2019-09-04"
    assert ld(chronicle.sources["test-paper-2018"], chronicle)["datePublished"] == "2018-11"


def test_json_ld_of_a_treaty_is_legislation(chronicle):
    data = ld(chronicle.treaties["test-treaty"], chronicle)
    assert data["@type"] == "Legislation"
    assert data["name"] == "Test Agreement on Non-Interference"
    assert data["alternateName"] == ["Test Agreement", "Тестовое соглашение"]
    assert data["legislationDate"] == "1933-11-16"
    assert "legislationLegalForce" not in data  # "historical" says nothing of legal force
    assert [party["@type"] for party in data["legislationPassedBy"]] == ["Country", "Country"]


def test_legal_force_follows_the_status(chronicle):
    treaty = chronicle.treaties["test-treaty"]
    fields = treaty.model_dump(by_alias=True, exclude_unset=True)
    in_force = Treaty.model_validate({**fields, "status": "in-force"}).with_id("t")
    withdrawn = Treaty.model_validate({**fields, "status": "withdrawn"}).with_id("t")
    assert ld(in_force, chronicle)["legislationLegalForce"] == "https://schema.org/InForce"
    assert ld(withdrawn, chronicle)["legislationLegalForce"] == "https://schema.org/NotInForce"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("person", "Person"),
        ("state", "Country"),
        ("office", "GovernmentOrganization"),
        ("organization", "Organization"),
    ],
)
def test_json_ld_type_of_an_actor(chronicle, kind, expected):
    actor = Actor.model_validate({"name": "Сергей Лавров", "type": kind, "wikidata": "Q1"}).with_id("a")
    data = ld(actor, chronicle)
    assert data["@type"] == expected
    assert data["name"] == "Сергей Лавров"
    assert data["sameAs"] == "https://www.wikidata.org/wiki/Q1"


def test_json_ld_of_a_person_names_its_country_and_native_name(chronicle):
    data = ld(chronicle.actors["sergey-lavrov"], chronicle)
    assert data["alternateName"] == "Сергей Лавров"
    assert data["nationality"]["name"] == "Russia"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("news", "NewsArticle"), ("official", "Report"), ("analysis", "Report"), ("blog", "CreativeWork")],
)
def test_json_ld_type_of_a_source(chronicle, kind, expected):
    record = Source.model_validate(
        {
            "title": "A source",
            "outlet": "An Outlet & Co",
            "type": kind,
            "affiliation": "independent",
            "published": "2018-06",
            "url": "https://example.org/a",
        }
    ).with_id("s")
    data = ld(record, chronicle)
    assert data["@type"] == expected
    assert data["name"] == "A source"
    assert data["publisher"] == {"@type": "Organization", "name": "An Outlet & Co"}
    assert data["datePublished"] == "2018-06"
    assert data["url"] == "https://example.org/a"
    assert data["subjectOf"]["url"] == "https://chronicle.example.org/site/sources/s.html"


def test_json_ld_cannot_end_its_script_element(hostile_chronicle):
    record = hostile_chronicle.episodes["2018-06-test-proposal"]
    data = ld(record, hostile_chronicle)
    assert data["name"] == HOSTILE_TITLES[3]
    lavrov = ld(hostile_chronicle.actors["sergey-lavrov"], hostile_chronicle)
    assert lavrov["name"] == "Sergey </script> Lavrov & co"


# -- files of one record and of the whole set -----------------------------------------------


def test_record_files_sit_beside_the_page_and_read_back(chronicle):
    citer = cite.Citer(chronicle, PUBLIC)
    record = chronicle.episodes["2018-07-test-refusal"]
    files = citer.cite(record).files()
    assert set(files) == {
        "episodes/2018-07-test-refusal.csl.json",
        "episodes/2018-07-test-refusal.bib",
        "episodes/2018-07-test-refusal.ris",
    }
    (item,) = json.loads(files["episodes/2018-07-test-refusal.csl.json"])
    assert item["title"] == "Washington refuses in a letter"
    assert item["issued"] == {"date-parts": [[2018, 7]], "circa": True}
    for style in cite.STYLES:
        assert "washington refuses in a letter" in render_with_citeproc([item], style).casefold()
    (entry,) = parse_bibtex(files["episodes/2018-07-test-refusal.bib"]).entries
    assert entry.fields_dict["title"].value == "Washington refuses in a letter"
    assert entry.fields_dict["date"].value == "2018-07?"


def test_every_record_has_its_files(chronicle):
    files = cite.Citer(chronicle, LOCAL).record_files()
    records = [r for c in ("episodes", "treaties", "actors", "sources") for r in getattr(chronicle, c).values()]
    assert len(files) == 3 * len(records)
    for record in records:
        assert f"{cite.page_path(record).removesuffix('.html')}.csl.json" in files


def test_whole_set_downloads_read_back(hostile_chronicle):
    downloads = cite.Citer(hostile_chronicle, LOCAL).downloads()
    assert set(downloads) == {"chronicle.bib", "chronicle.csl.json"}
    items = json.loads(downloads["chronicle.csl.json"])
    count = sum(len(getattr(hostile_chronicle, c)) for c in ("episodes", "treaties", "actors", "sources"))
    assert len(items) == count == len({item["id"] for item in items})
    entries = parse_bibtex(downloads["chronicle.bib"]).entries
    assert [entry.key for entry in entries] == [item["id"] for item in items]
    titles = {entry.fields_dict["title"].value for entry in entries}
    assert HOSTILE_TITLES[3] in titles and "Sergey </script> Lavrov & co" in titles
    for style in cite.STYLES:
        rendered = render_with_citeproc(items, style).casefold()
        assert all(item["title"].casefold() in rendered for item in items)


# -- templates ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def templates() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined, trim_blocks=True)


def page_link(path: str) -> str:
    return "../" + path


def test_head_template_carries_every_tag(templates, hostile_chronicle):
    record = hostile_chronicle.episodes["2018-06-test-proposal"]
    citation = cite.Citer(hostile_chronicle, PUBLIC).cite(record)
    values = citation.head_values(page_link, feed="../feed.xml", image="../assets/card.png", canonical=True)
    head = templates.get_template("head.html.j2").render(site_name="The Chronicle", **values)
    soup = BeautifulSoup(f"<head>{head}</head>", "html.parser")
    title = HOSTILE_TITLES[3]
    assert soup.find("meta", attrs={"name": "citation_title"})["content"] == title
    assert soup.find("meta", attrs={"name": "citation_publication_date"})["content"] == "2018/06"
    assert soup.find("meta", attrs={"property": "og:title"})["content"] == title
    assert soup.find("meta", attrs={"name": "twitter:image"})["content"] == "../assets/card.png"
    assert soup.find("link", rel="canonical")["href"] == citation.address
    alternates = {link["type"]: link["href"] for link in soup.find_all("link", rel="alternate")}
    assert alternates == {
        "application/vnd.citationstyles.csl+json": "../episodes/2018-06-test-proposal.csl.json",
        "application/x-bibtex": "../episodes/2018-06-test-proposal.bib",
        "application/x-research-info-systems": "../episodes/2018-06-test-proposal.ris",
        "application/atom+xml": "../feed.xml",
    }
    scripts = soup.find_all("script")
    assert len(scripts) == 1 and scripts[0]["type"] == "application/ld+json"
    assert json.loads(scripts[0].string)["name"] == title
    assert head.count("</script>") == 1


def test_head_template_leaves_out_what_a_local_build_cannot_say(templates, chronicle):
    citation = cite.Citer(chronicle, LOCAL).cite(chronicle.actors["russia"])
    head = templates.get_template("head.html.j2").render(
        site_name="The Chronicle", **citation.head_values(page_link, feed="", canonical=True)
    )
    soup = BeautifulSoup(head, "html.parser")
    assert soup.find("link", rel="canonical") is None
    assert soup.find("meta", attrs={"name": "citation_public_url"}) is None
    assert soup.find("link", type="application/atom+xml") is None
    assert json.loads(soup.find("script").string)["@type"] == "Country"


def render_cite(templates, chronicle, record, publisher=PUBLIC, version=None) -> BeautifulSoup:
    citation = cite.Citer(chronicle, publisher).cite(record)
    version = version or Version(datetime.date(2026, 11, 20), True)
    section = templates.get_template("cite.html.j2").render(**citation.cite_values(page_link, version))
    return BeautifulSoup(section, "html.parser")


def test_cite_section_shows_both_styles_the_address_the_version_and_the_files(templates, hostile_chronicle):
    record = hostile_chronicle.episodes["2018-06-test-proposal"]
    soup = render_cite(templates, hostile_chronicle, record)
    assert soup.find("h2").get_text() == "Cite this page¶"
    address = "https://chronicle.example.org/site/episodes/2018-06-test-proposal.html"
    assert soup.find("a", href=address).get_text() == address
    texts = {dd["data-style"]: dd.get_text() for dd in soup.find_all("dd")}
    assert set(texts) == {"chicago", "apa"}
    item = cite.csl_item(record, PUBLIC)
    for style, text in texts.items():
        assert text == cite.citation(item, style, as_html=False)
    assert HOSTILE_TITLES[3] in texts["apa"]
    assert soup.find("script") is None
    assert soup.find("time")["datetime"] == "2026-11-20"
    assert "last changed 20 November 2026" in soup.find("time").get_text()
    links = {a.get_text(): a["href"] for a in soup.find_all("a", type=True)}
    assert links == {
        "CSL-JSON (.csl.json)": "../episodes/2018-06-test-proposal.csl.json",
        "BibTeX (.bib)": "../episodes/2018-06-test-proposal.bib",
        "RIS (.ris)": "../episodes/2018-06-test-proposal.ris",
    }
    assert "cite its source as well" in soup.get_text()  # the episode has a quote
    assert "[date accessed]" in soup.get_text()


def test_cite_section_of_a_local_build_and_a_record_without_quotes(templates, chronicle):
    record = chronicle.episodes["2018-07-test-refusal"]
    soup = render_cite(templates, chronicle, record, LOCAL, Version(datetime.date(2026, 11, 29), False))
    assert soup.find("code").get_text() == "episodes/2018-07-test-refusal.html"
    assert "cite its source as well" not in soup.get_text()
    assert "history is not available" in soup.find("time").get_text()


def test_undated_record_has_its_access_slot_inside_the_styled_text(templates, chronicle):
    soup = render_cite(templates, chronicle, chronicle.actors["russia"])
    slots = soup.find_all(class_="chronicle-cite__slot")
    assert len(slots) == 2 and all(slot.find_parent("dd") for slot in slots)


def test_the_styles_ship_with_their_licence():
    for file_name, _ in cite.STYLES.values():
        text = (cite.STYLES_DIR / file_name).read_text(encoding="utf-8")
        assert 'license="http://creativecommons.org/licenses/by-sa/3.0/"' in text
    assert "CC BY-SA" in (cite.STYLES_DIR / "README.md").read_text(encoding="utf-8")


def test_html_of_the_styled_text_is_escaped_not_stripped():
    item = cite.csl_item(episode("A <b>bold</b> & plain title"), LOCAL)
    rendered = cite.citation(item, "apa")
    assert "<b>" not in rendered
    assert "A <b>bold</b> & plain title" in html.unescape(rendered.replace("<i>", "").replace("</i>", ""))


def test_json_ld_without_a_public_address_links_from_the_page(chronicle):
    describer = cite.Describer(chronicle, LOCAL, lambda path: "../" + path)
    data = describer.describe(chronicle.episodes["2018-06-test-proposal"])
    assert data["organizer"][0]["url"] == "../actors/russia.html"
    assert data["url"] == "../episodes/2018-06-test-proposal.html"


def test_a_citation_is_kept_between_builds_under_a_key_of_all_it_depends_on(tmp_path, monkeypatch):
    monkeypatch.setattr(cite, "CACHE", tmp_path / "citations")
    item = cite.csl_item(episode(), LOCAL)
    first = cite.citation(item, "chicago")
    assert list(cite._read_kept().values()) == [first]
    monkeypatch.setattr(csl, "format_text", lambda *request: pytest.fail("made again, not read back"))
    monkeypatch.setattr(cite, "_known", None)  # a new build's process
    assert cite.citation(item, "chicago") == first  # read back, the same text
    assert "Moscow Proposes a Treaty" in first  # Chicago writes titles in title case
    monkeypatch.undo()
    monkeypatch.setattr(cite, "CACHE", tmp_path / "citations")
    cite.citation(item, "apa")
    cite.citation({**item, "title": "Another title"}, "chicago")
    assert len(cite._read_kept()) == 3


def test_a_save_rewrites_only_the_files_of_the_texts_it_adds(tmp_path, monkeypatch):
    """Texts are kept in files by their key's first two hex digits: a rebuild that makes one text
    rewrites one small file, not every text the cache has ever kept."""
    monkeypatch.setattr(cite, "CACHE", tmp_path / "citations")
    items = [cite.csl_item(episode(f"Proposal number {n}"), LOCAL) for n in range(12)]
    for item in items:
        cite.citation(item, "apa")
    files = sorted((tmp_path / "citations").glob("*.json"))
    assert len(files) > 1
    for path in files:
        for key in json.loads(path.read_text(encoding="utf-8")):
            assert path.name == f"{key[:2]}.json"
    before = {path: path.stat().st_mtime_ns for path in files}
    written = []
    original = Path.replace
    monkeypatch.setattr(Path, "replace", lambda self, target: written.append(Path(target)) or original(self, target))
    cite.citation(items[0], "chicago")
    assert written == [tmp_path / "citations" / f"{cite._key(items[0], 'chicago', True)[:2]}.json"]
    assert all(path.stat().st_mtime_ns == before[path] for path in files if path not in written)
    assert len(cite._read_kept()) == 13


def test_a_text_asked_for_reads_only_the_file_it_is_kept_in(tmp_path, monkeypatch):
    """Where workers render the record pages, the build's process shows a text or two: it does
    not read (and hold) the thousands the cache keeps."""
    monkeypatch.setattr(cite, "CACHE", tmp_path / "citations")
    items = [cite.csl_item(episode(f"Proposal number {n}"), LOCAL) for n in range(6)]
    for item in items:
        cite.citation(item, "apa")
    assert len(list((tmp_path / "citations").glob("*.json"))) > 1
    monkeypatch.setattr(cite, "_known", None)  # a new build's process
    read = []
    original = cite._read_shard
    monkeypatch.setattr(cite, "_read_shard", lambda path: read.append(path.name) or original(path))
    shown = cite.citation(items[0], "apa")
    assert read == [f"{cite._key(items[0], 'apa', True)[:2]}.json"]
    assert shown == cite.citation(items[0], "apa") and len(read) == 1  # read once


def test_the_texts_workers_made_are_saved_without_their_files_being_held_here(tmp_path, monkeypatch):
    """A first build's workers make thousands of texts: the build's process saves them file by
    file, and does not keep the files it does not show a text of."""
    monkeypatch.setattr(cite, "CACHE", tmp_path / "citations")
    monkeypatch.setattr(cite, "_known", None)
    made = {f"{n:02x}{'0' * 62}": f"text {n}" for n in range(40)}
    cite.keep_texts(made)
    assert cite._read_kept() == made
    assert cite._known is not None and not cite._known[1], "files held"
    assert cite._text(next(iter(made))) == "text 0"  # read when asked for


def test_the_one_file_of_earlier_versions_is_replaced(tmp_path, monkeypatch):
    (tmp_path / "citations").mkdir()
    (tmp_path / "citations" / "texts.json").write_text('{"old": "text"}', encoding="utf-8")
    monkeypatch.setattr(cite, "CACHE", tmp_path / "citations")
    cite.citation(cite.csl_item(episode(), LOCAL), "apa")
    assert not (tmp_path / "citations" / "texts.json").exists()
    assert len(cite._read_kept()) == 1


def test_a_first_build_makes_every_missing_citation_at_once_on_every_core(tmp_path, monkeypatch):
    monkeypatch.setattr(cite, "CACHE", tmp_path / "citations")
    monkeypatch.setattr(cite, "PARALLEL_FROM", 4)
    # Apostrophes: titles citeproc-py prints (webpage_citation writes out only plain ones).
    items = [cite.csl_item(episode(f"Moscow's proposal number {n}"), LOCAL) for n in range(6)]
    assert all(cite._quick_text(item, "apa", True) is None for item in items)
    cite.prepare(items)  # in worker processes where there are two cores or more
    made = cite._read_kept()
    assert len(made) == len(items) * len(cite.STYLES)
    for item in items:
        for style in cite.STYLES:
            assert made[cite._key(item, style, True)] == csl.format_text(item, style, True)


def test_a_save_keeps_the_texts_another_build_kept_meanwhile(tmp_path, monkeypatch):
    """Two builds at once (`serve` beside a build): each keeps its own texts and the other's."""
    monkeypatch.setattr(cite, "CACHE", tmp_path / "citations")
    first, second = (cite.csl_item(episode(f"Proposal number {n}"), LOCAL) for n in (1, 2))
    cite.citation(first, "apa")
    assert cite._text(cite._key(first, "apa", True)) is not None  # read, and kept in this process
    key = cite._key(second, "apa", True)
    # Another build keeps a text in the file this process writes to next, and one in another file.
    beside = {key[:2] + "another build's key": "another build's text"}
    elsewhere = {("0" if key[0] != "0" else "1") + "f another key": "another text"}
    for kept in (beside, elsewhere):
        path = cite._shard(next(iter(kept)))
        path.write_text(json.dumps({**cite._read_shard(path), **kept}), encoding="utf-8")
    cite.citation(second, "apa")
    assert set(cite._read_kept()) == {cite._key(first, "apa", True), key, *beside, *elsewhere}


def test_a_damaged_cache_is_made_anew(tmp_path, monkeypatch):
    monkeypatch.setattr(cite, "CACHE", tmp_path / "citations")
    item = cite.csl_item(episode(), LOCAL)
    (tmp_path / "citations").mkdir()
    cite._shard(cite._key(item, "apa", True)).write_text("{not json", encoding="utf-8")
    assert "Moscow proposes a treaty" in cite.citation(item, "apa")
    assert len(cite._read_kept()) == 1


def test_a_cache_that_cannot_be_written_is_no_fault(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setattr(cite, "CACHE", blocked / "citations")
    assert "Moscow proposes a treaty" in cite.citation(cite.csl_item(episode(), LOCAL), "apa")


@pytest.mark.parametrize("threads", [False, True], ids=["forked", "spawned"])
def test_citation_workers_find_the_package_when_its_path_is_gone(tmp_path, threads):
    """MkDocs takes the hook's entry off sys.path after loading it: workers must still import us.
    They are forked, quick to start, unless the build runs another thread (`serve` does): then
    forking is not safe, and they are spawned."""
    code = f"""
import multiprocessing, sys, threading
sys.path.insert(0, {str(REPO)!r})
from macros import cite
sys.path.remove({str(REPO)!r})
if {threads!r}:
    threading.Thread(target=threading.Event().wait, daemon=True).start()
methods = []
get_context = multiprocessing.get_context
multiprocessing.get_context = lambda method: methods.append(method) or get_context(method)
cite.CACHE = __import__("pathlib").Path({str(tmp_path)!r})
cite.PARALLEL_FROM = 2
item = {{"id": "x", "type": "webpage", "title": "A title", "URL": "episodes/x.html"}}
cite.prepare([item, {{**item, "id": "y"}}])
print(len(cite._read_kept()), *methods)
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(2 * len(cite.STYLES)), "spawn" if threads else "fork"]


def test_a_build_with_every_text_kept_never_loads_citeproc(tmp_path):
    """citeproc-py and lxml cost a process about 5 MB: only a missing text that webpage_citation
    does not write out loads them (the real record has such titles: quotes, apostrophes)."""
    code = f"""
import sys
sys.path.insert(0, {str(REPO)!r})
from pathlib import Path
from macros import cite
from macros.index import Chronicle
from macros.load import load
from macros.render import Renderer
cite.CACHE = Path({str(tmp_path)!r})
cite.PARALLEL_FROM = 10**6  # made here, not in workers
renderer = Renderer(Chronicle(load(Path({str(REPO / "data")!r}))), "", "The Chronicle", {{}})
renderer.citer.prepare()
if sys.argv[1] == "kept":
    assert "citeproc" not in sys.modules and "lxml" not in sys.modules, "citeproc-py loaded"
    records = list(renderer.citer.records())
    assert all("Chronicle" in str(cite.citation(renderer.citer.cite(record).item, "chicago")) for record in records)
    assert "citeproc" not in sys.modules, "citeproc-py loaded for a kept text"
else:
    assert "citeproc" in sys.modules
"""
    for state in ("missing", "kept"):
        result = subprocess.run([sys.executable, "-c", code, state], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr


def test_what_cite_remembers_of_a_style_and_an_entry_changes_no_text(monkeypatch):
    """csl.py remembers citeproc-py's answers about a style (`calls_variable`, XPath searches,
    roots, children, locale options, the names a condition tests) and an entry's reference:
    every record of the real data and every hostile title, in both styles, as HTML and as
    plain text, reads the same as with citeproc-py's own methods."""
    chronicle = Chronicle(load(Path(cite.__file__).resolve().parent.parent / "data"))
    records = [*chronicle.episodes.values(), *chronicle.treaties.values()]
    records += [*chronicle.actors.values(), *chronicle.sources.values()]
    items = [cite.csl_item(record, PUBLIC) for record in records]
    items += [cite.csl_item(episode(title, date="2024?"), LOCAL) for title in HOSTILE_TITLES]
    requests = [(item, style, as_html) for item in items for style in cite.STYLES for as_html in (True, False)]
    remembered = csl.format_all(requests)
    for kind, ask in csl.SHIPPED_CALLS_VARIABLE.items():
        monkeypatch.setattr(kind, "calls_variable", ask)
    monkeypatch.setattr(citeproc_model.CitationStylesElement, "xpath_search", csl.SHIPPED_XPATH_SEARCH)
    monkeypatch.setattr(CitationItem, "reference", csl.SHIPPED_REFERENCE)
    monkeypatch.setattr(citeproc_model.CitationStylesElement, "get_root", csl.SHIPPED_GET_ROOT)
    monkeypatch.setattr(citeproc_model.SomewhatObjectifiedElement, "__getattr__", csl.SHIPPED_CHILD)
    monkeypatch.setattr(citeproc_model.Locale, "get_option", csl.SHIPPED_LOCALE_OPTION)
    monkeypatch.setattr(citeproc_model.If, "_type", csl.SHIPPED_IF_TYPE)
    monkeypatch.setattr(citeproc_model.If, "_variable", csl.SHIPPED_IF_VARIABLE)
    assert csl.format_all(requests) == remembered
    assert len(set(remembered)) > len(records)
