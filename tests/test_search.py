"""Search finds what a reader asks for: the queries below are a reader's, from disk in Chromium.

Record pages have one search entry each, built from the record (macros/search.py):
its name ranks it first, Russian case forms find it, a month finds that month's
episodes, and the headings every record page repeats are not indexed.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sitetools import chronicle_json, open_search, site_page

from macros.search import russian_forms

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def search(browser, real_site):
    """Search the real site from disk; return the addresses of the results, best first."""
    with site_page(browser, "file://") as page:
        page.goto((real_site / "index.html").as_uri())

        def results_for(query: str) -> list[str]:
            results = open_search(page, query)
            hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
            return [urlsplit(href).path.split(real_site.name + "/", 1)[-1] for href in hrefs]

        yield results_for
        assert page.request_log.outside == [] and page.errors == [] and page.csp_refusals == []


@pytest.mark.parametrize(
    ("query", "record"),
    [
        ("INF", "treaties/inf-treaty.html"),
        ("New START", "treaties/new-start.html"),
        ("Лавров", "actors/sergey-lavrov.html"),
        ("Lavrov", "actors/sergey-lavrov.html"),
        ("Путин", "actors/vladimir-putin.html"),
    ],
)
def test_a_name_or_abbreviation_ranks_its_record_first(search, query, record):
    assert search(query)[0] == record


@pytest.mark.parametrize("query", ["Лаврова", "Лаврову", "Лавровым"])
def test_russian_case_forms_of_a_name_find_the_person(search, query):
    assert "actors/sergey-lavrov.html" in search(query)[:3]


def test_the_russian_name_of_a_treaty_finds_it(search):
    assert "treaties/inf-treaty.html" in search("Договор о ракетах средней дальности")[:3]


def test_a_month_and_year_finds_that_months_episodes(search, real_site):
    september = {
        f"episodes/{e['id']}.html" for e in chronicle_json(real_site)["episodes"] if e["date"].startswith("2020-09")
    }
    assert len(september) >= 2
    found = search("September 2020")
    assert found[0] in september
    assert september <= set(found[: len(september) + 2])


def test_headings_repeated_on_every_record_page_do_not_crowd_the_results(search):
    for query in ("Cite this page", "Sources", "Lavrov"):
        sections = [path for path in search(query) if "#" in path and path.split("/")[0] in ("episodes", "actors")]
        assert sections == [], query


def test_case_forms_of_russian_names():
    assert {"Лаврова", "Лаврову", "Лавровым", "Лаврове"} <= set(russian_forms("Сергей Лавров"))
    assert {"Сергея", "Сергею"} <= set(russian_forms("Сергей Лавров"))
    assert {"Захаровой", "Захарову"} <= set(russian_forms("Мария Захарова"))
    assert russian_forms("Sergey Lavrov") == []


def test_the_index_holds_one_entry_per_record_page(real_site: Path):
    index = json.loads((real_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    record_entries = [
        doc["location"]
        for doc in index["docs"]
        if doc["location"].split("/")[0] in ("episodes", "treaties", "actors", "sources")
    ]
    record_pages = [
        p.relative_to(real_site).as_posix()
        for c in ("episodes", "treaties", "actors", "sources")
        for p in (real_site / c).glob("*.html")
    ]
    assert sorted(record_entries) == sorted(record_pages)


def test_an_abbreviation_counts_twice_among_a_treatys_names():
    from conftest import REPO

    from macros.index import Chronicle
    from macros.load import load
    from macros.search import search_entry

    chronicle = Chronicle(load(REPO / "data"))
    treaty = search_entry(chronicle, chronicle.treaties["inf-treaty"])
    assert treaty["names"] == "INF Treaty INF"
    # The result's heading shows the short name, then the full one, set apart.
    assert treaty["title"].startswith("INF Treaty: Treaty Between the United States of America")
    entry = search_entry(chronicle, chronicle.actors["sergey-lavrov"])
    assert "Лаврову" in entry["names"] and entry["boost"] == 2
