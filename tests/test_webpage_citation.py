"""The citation texts written out without a CSL engine (macros/webpage_citation.py) are, to the
character, the ones citeproc-py makes with the shipped styles: for the real record, for the
benchmark's synthetic records, and for random items. Items outside the fixed pattern are left
to citeproc-py."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from citeproc.model import TextCased
from conftest import REPO

from macros import cite, csl, webpage_citation
from macros.index import Chronicle
from macros.load import load

sys.path.insert(0, str(REPO / "scripts"))
from benchmark import make_folder

SLOT = cite.ACCESSED_SLOT


def quick(item, style, as_html=True):
    return webpage_citation.text(item, style, as_html, cite._style_digest(style), SLOT)


def compared(items) -> int:
    """How many texts were made without citeproc-py; each is checked against citeproc-py's."""
    made = 0
    for item in items:
        for style in cite.STYLES:
            for as_html in (True, False):
                text = quick(item, style, as_html)
                if text is not None:
                    assert text == csl.format_text(item, style, as_html), (item, style, as_html)
                    made += 1
    return made


def items_of(folder: Path, publisher: cite.Publisher) -> list[dict]:
    citer = cite.Citer(Chronicle(load(folder)), publisher)
    return [citer.cite(record).item for record in citer.records()]


def test_the_stop_words_are_citeprocs():
    assert set(TextCased._stop_words) == webpage_citation.STOP_WORDS


def test_the_patterns_are_checked_against_the_shipped_styles():
    """A new style file or citeproc-py release changes the digest: the patterns must be checked
    again (this suite) and the digests updated; until then every text is citeproc-py's."""
    assert {style: cite._style_digest(style) for style in cite.STYLES} == webpage_citation.STYLE_DIGESTS
    item = items_of(REPO / "data", cite.Publisher())[0]
    assert quick(item, "apa") is not None
    assert webpage_citation.text(item, "apa", True, "another style", SLOT) is None


@pytest.mark.parametrize("site_url", ["", "https://example.org/chronicle/"], ids=["local", "published"])
def test_every_text_of_the_real_record_made_without_citeproc_is_citeprocs(site_url):
    items = items_of(REPO / "data", cite.Publisher(site_url=site_url))
    # Most of the record: titles with quotes or apostrophes are left to citeproc-py.
    assert compared(items) > 2 * len(items)


def test_every_text_of_the_benchmarks_records_is_made_without_citeproc_and_is_citeprocs(tmp_path):
    make_folder(tmp_path / "data", 40)
    items = items_of(tmp_path / "data", cite.Publisher())
    assert compared(items) == 4 * len(items)


WORDS = [
    *["the", "a", "an", "of", "and", "to", "in", "on", "for", "with", "via", "yet", "so", "up", "down", "or"],
    *["treaty", "Treaty", "USSR", "U.S.", "u.s.", "mid-year", "Anti-Ballistic", "START", "new", "post-war"],
    *["Лавров", "заявил", "1933", "2021", "ii", "iPhone", "McFaul", "e-mail", "naïve", "straße", "Østrup"],
    *["proposes", "answer", "non-interference", "x", "I", "ABM", "New", "talks", "2+2", "50%", "A/B", "s.n"],
]
SEPARATORS = [" ", " ", " ", " ", ", ", "; ", ": ", " – ", " — ", " - ", "/", ". ", " (", ") ", "-"]


def random_item(rng: random.Random) -> dict:
    words = [rng.choice(WORDS) for _ in range(rng.randint(1, 9))]
    title = words[0]
    for word in words[1:]:
        title += rng.choice(SEPARATORS) + word
    item = {
        "id": f"chronicle-episodes-{rng.randint(0, 10**6)}",
        "type": "webpage",
        "title": title,
        "publisher": rng.choice(["The Chronicle", "Chronicle of US–Russia Diplomacy", "Хроника", "1933 Project"]),
        "URL": rng.choice(["episodes/x.html", "https://example.org/chronicle/episodes/x-1.html", "a_b/x~y.html"]),
        "language": rng.choice(["en", "en", "en", "ru", "en-GB", "de", "EN"]),
    }
    shape = rng.randint(0, 3)
    if shape:
        parts = [rng.randint(1000, 2100), rng.randint(1, 12), rng.randint(1, 28)][:shape]
        item["issued"] = {"date-parts": [parts]}
        if rng.random() < 0.3:
            item["issued"]["circa"] = True
    if rng.random() < 0.5:
        item["abstract"] = "Some summary: with “quotes” & <markup>."
    return item


def test_every_text_of_random_items_made_without_citeproc_is_citeprocs():
    rng = random.Random(20261130)
    items = [random_item(rng) for _ in range(500)]
    made = compared(items)
    assert made > 2 * len(items)  # most are in the pattern: the comparison is not empty


EPISODE = {
    "id": "chronicle-episodes-x",
    "type": "webpage",
    "title": "Moscow proposes a treaty",
    "publisher": "The Chronicle",
    "URL": "episodes/x.html",
    "language": "en",
    "issued": {"date-parts": [[2021, 12, 17]]},
}


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Lavrov: “we are ready”"},
        {"title": "Washington's answer"},
        {"title": 'A "quoted" word'},
        {"title": "Bread & salt"},
        {"title": "A <b>bold</b> title"},
        {"title": "Is it over?"},
        {"title": "Ends with a period."},
        {"title": " Leading space"},
        {"title": "Two  spaces"},
        {"title": "A\ttab"},
        {"title": "(In brackets)"},
        {"title": "Ellipsis... inside"},
        {"publisher": "the chronicle"},
        {"URL": "episodes/x.html?a=1&b=2"},
        {"URL": ""},
        {"language": None},
        {"type": "book"},
        {"author": [{"literal": "TASS"}]},
        {"issued": {"date-parts": [[999, 1, 1]]}},
        {"issued": {"date-parts": [[2021, 13]]}},
        {"issued": {"date-parts": [[2021, 1, 1]], "circa": False}},
        {"issued": {"date-parts": [[2021], [2022]]}},
        {"issued": {"literal": "spring 2021"}},
    ],
)
def test_an_item_outside_the_pattern_is_left_to_citeproc(change, tmp_path, monkeypatch):
    item = {**EPISODE, **change}
    assert quick(EPISODE, "chicago") is not None
    assert all(quick(item, style, as_html) is None for style in cite.STYLES for as_html in (True, False))
    if change.get("language", "") is not None and "issued" not in change:
        monkeypatch.setattr(cite, "CACHE", tmp_path / "citations")
        assert cite.citation(item, "chicago", as_html=False) == csl.format_text(item, "chicago", False)


def test_a_first_build_of_plain_items_never_loads_citeproc(tmp_path, monkeypatch):
    monkeypatch.setattr(cite, "CACHE", tmp_path / "citations")
    monkeypatch.setattr(csl, "format_all", lambda requests: pytest.fail("citeproc-py asked"))
    monkeypatch.setattr(csl, "format_text", lambda *request: pytest.fail("citeproc-py asked"))
    items = items_of(REPO / "tests" / "fixtures" / "small", cite.Publisher())
    plain = [item for item in items if all(quick(item, style) is not None for style in cite.STYLES)]
    assert plain
    cite.prepare(plain)
    assert len(cite._read_kept()) == 2 * len(plain)
    assert cite.citation(plain[0], "apa") == quick(plain[0], "apa")
