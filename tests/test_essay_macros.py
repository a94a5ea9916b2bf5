"""The essay macros in real `mkdocs build --strict` runs: what each one shows, and how a wrong call fails.

Each build is of a copy of this repository's mkdocs.yml, macros/, overrides/
and docs/ in a temporary folder, with the test's essay pages added (out of the
nav), built from tests/fixtures/small.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import REPO, SMALL

PROPOSAL, REFUSAL, INTERVIEW = "2018-06-test-proposal", "2018-07-test-refusal", "2019-09-04-test-interview"


def essay_project(folder: Path, pages: dict[str, str]) -> Path:
    """A copy of the site's configuration, macros and pages, with these pages (path -> Markdown) added."""
    shutil.copy(REPO / "mkdocs.yml", folder / "mkdocs.yml")
    for part in ("macros", "overrides", "docs"):
        shutil.copytree(REPO / part, folder / part, ignore=shutil.ignore_patterns("__pycache__"))
    for path, text in pages.items():
        (folder / "docs" / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / "docs" / path).write_text(text, encoding="utf-8")
    return folder


def build(folder: Path, data: Path = SMALL) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "CHRONICLE_DATA": str(data), "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder / "site")],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


def article(site: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser").find("article")


def shown(site: Path, page: str) -> list[str]:
    return [element["data-episode"] for element in article(site, page).select("[data-episode]")]


TIMELINES = {
    "kind": ('timeline(kind="proposal")', [PROPOSAL]),
    "actor-to-by-actors": ('timeline(actor="united-states")', [PROPOSAL, REFUSAL, INTERVIEW]),
    "actor-speaker": ('timeline(actor="sergey-lavrov")', [INTERVIEW]),
    "treaty": ('timeline(treaty="test-treaty")', [PROPOSAL]),
    "tag": ('timeline(tag="arms-control")', [INTERVIEW]),
    "start-year": ("timeline(start=2019)", [INTERVIEW]),
    "end-month": ('timeline(end="2018-06")', [PROPOSAL]),
    "start-month-end-year": ('timeline(start="2018-07", end=2018)', [REFUSAL]),
    "positional": ('timeline("response", "russia")', [REFUSAL]),
    "combined": ('timeline(kind="statement", actor="united-states", tag="non-interference", start=2019)', [INTERVIEW]),
    "none": ('timeline(kind="meeting")', []),
}


@pytest.fixture(scope="module")
def essays(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One build of pages that call every macro; the built site."""
    pages = {f"timeline-{name}.md": f"# {name}\n\n{{{{ {call} }}}}\n" for name, (call, _) in TIMELINES.items()}
    pages["deep/card.md"] = f'# Card\n\n{{{{ episode_card("{INTERVIEW}") }}}}\n'
    pages["thread.md"] = f'# Thread\n\nBefore.\n\n{{{{ thread("{PROPOSAL}") }}}}\n\nAfter.\n'
    pages["life.md"] = '# Life\n\n{{ treaty_life("test-treaty") }}\n'
    pages["lives.md"] = "# Lives\n\n{{ treaty_lives() }}\n"
    pages["table.md"] = (
        '# Table\n\n{{ treaty_table(status="historical") }}\n\nThen:\n\n{{ treaty_table("in-force") }}\n'
    )
    pages["full.md"] = "# Everything\n\n{{ timeline() }}\n"
    pages["part.md"] = f"# Part\n\nSee [its summary](episodes/{PROPOSAL}.md#summary).\n"
    folder = essay_project(tmp_path_factory.mktemp("essays"), pages)
    result = build(folder)
    assert result.returncode == 0, result.stderr
    assert f"'episodes/{PROPOSAL}.md' does not contain" not in result.stderr
    return folder / "site"


@pytest.mark.parametrize("name", list(TIMELINES))
def test_timeline_shows_the_matching_episodes(essays, name):
    call, expected = TIMELINES[name]
    assert shown(essays, f"timeline-{name}.html") == expected, call
    if not expected:
        assert "No episode in the record matches." in article(essays, f"timeline-{name}.html").get_text()


def test_a_filtered_timeline_has_no_form_and_links_each_episode(essays):
    content = article(essays, "timeline-actor-to-by-actors.html")
    assert content.find("form") is None
    links = [a["href"] for a in content.select("[data-episode] a")]
    assert f"episodes/{PROPOSAL}.html" in links and f"episodes/{INTERVIEW}.html" in links
    entry = content.select_one(f'[data-episode="{INTERVIEW}"]')
    assert entry["data-actors"].split() == ["sergey-lavrov", "united-states"]
    assert entry["data-tags"].split() == ["non-interference", "arms-control"] and entry["data-year"] == "2019"


def test_timeline_without_arguments_is_the_explorable_timeline(essays):
    content = article(essays, "full.html")
    assert content.select_one("form[data-chronicle-filters]") is not None
    assert content.select_one("[role=status][aria-live=polite]") is not None
    assert shown(essays, "full.html") == [PROPOSAL, REFUSAL, INTERVIEW]
    assert [h2["id"] for h2 in content.select("section[data-year] h2")] == ["y2018", "y2019"]


def test_episode_card_links_relative_to_a_page_in_a_folder(essays):
    card = article(essays, "deep/card.html").select_one(".chronicle-card")
    assert card["data-episode"] == INTERVIEW
    assert card.select_one(".chronicle-card__title a")["href"] == f"../episodes/{INTERVIEW}.html"
    assert "Lavrov said that relations were undermined." in card.get_text()
    assert card.select_one(".chronicle-card__actors a")["href"] == "../actors/sergey-lavrov.html"


def test_thread_shows_the_proposal_its_replies_and_its_outcome(essays):
    content = article(essays, "thread.html")
    thread = content.select_one(".chronicle-conversation")
    assert thread.select_one(".chronicle-conversation__head")["data-episode"] == PROPOSAL
    assert [li["data-episode"] for li in thread.select("ol li")] == [REFUSAL]
    assert "Outcome: Rejected" in " ".join(thread.select_one(".chronicle-conversation__outcome").get_text().split())
    paragraphs = [p.get_text() for p in content.find_all("p", recursive=False)]
    assert paragraphs[0] == "Before." and paragraphs[-1] == "After."  # the Markdown around the view is intact


def test_treaty_life_and_lives_draw_svg(essays):
    figure = article(essays, "life.html").select_one("figure.chronicle-lifeline")
    assert figure.find("svg")["role"] == "img"
    assert figure.find("svg").find("title").get_text().startswith("Life of Test Agreement, 1933–")
    row = article(essays, "lives.html").select_one('[data-lifeline="test-treaty"]')
    assert row.find("a")["href"] == "treaties/test-treaty.html" and row.find("svg")["role"] == "img"


def test_treaty_table_by_status(essays):
    tables = article(essays, "table.html")
    assert [tr["data-treaty"] for tr in tables.select("tr[data-treaty]")] == ["test-treaty"]
    assert "No treaty in the record has the status “In force”." in tables.get_text()


# --- Wrong calls: one line naming the page, the call and the value ---------------------------------

ERRORS = {
    "unknown-kind": ('timeline(kind="meetings")', "kind: Input should be 'proposal'"),
    "unknown-actor": ('timeline(actor="sergei-lavrov")', "actor: no actors record has the id 'sergei-lavrov'"),
    "unknown-treaty": ('timeline(treaty="start")', "treaty: no treaties record has the id 'start'"),
    "unknown-tag": ('timeline(tag="arms")', "tag: unknown tag 'arms'"),
    "bad-date": ('timeline(start="2018-13")', "start: Value error, '2018-13' is not a date: there is no month 13"),
    "date-with-qualifier": ('timeline(end="2018?")', "end: a bound is a year or a date without ?, ~ or %: '2018?'"),
    "start-after-end": ("timeline(start=2020, end=2019)", "start 2020 is after end 2019"),
    "misspelt-argument": ('timeline(kinds="proposal")', "kinds: no such argument"),
    "too-many-arguments": ('episode_card("a", "b")', "takes at most 1 positional argument(s), not 2"),
    "given-twice": ('treaty_table("in-force", status="expired")', "status: given twice"),
    "unknown-episode": ('episode_card("2018-06-no-such")', "id: no episodes record has the id '2018-06-no-such'"),
    "unknown-thread": ('thread("ghost")', "id: no episodes record has the id 'ghost'"),
    "unknown-life": ('treaty_life("ghost")', "id: no treaties record has the id 'ghost'"),
    "unknown-status": ('treaty_table(status="in force")', "status: Input should be 'proposed'"),
    "argument-to-lives": ("treaty_lives(1933)", "takes at most 0 positional argument(s), not 1"),
    "wrong-type": ("episode_card(2018)", "id: Input should be a valid string"),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_a_wrong_call_fails_the_build_with_one_line(tmp_path, name):
    call, message = ERRORS[name]
    folder = essay_project(tmp_path, {"essays/wrong.md": f"# Wrong\n\nText.\n\n{{{{ {call} }}}}\n"})
    result = build(folder)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and 'File "' not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1, result.stderr
    assert f"ERROR page essays/wrong.md: {call.replace(chr(34), chr(39))}: " in errors[0]
    assert message in errors[0]
    assert not (folder / "site" / "essays" / "wrong.html").exists()


def test_a_link_to_a_part_of_a_record_page_resolves(essays):
    link = article(essays, "part.html").select_one("p a")
    assert link["href"] == f"episodes/{PROPOSAL}.html#summary"
    assert article(essays, link["href"].split("#")[0]).select_one("#summary") is not None


def test_a_link_to_a_part_a_record_page_lacks_fails_the_build_naming_both(tmp_path):
    folder = essay_project(tmp_path, {"part.md": f"# Part\n\n[Gone](episodes/{PROPOSAL}.md#no-such-part)\n"})
    result = build(folder)
    assert result.returncode != 0
    assert f"part.html: episodes/{PROPOSAL}.html#no-such-part" in result.stderr
    # MkDocs' own check of the page's anchors sees the record page's ids too.
    assert f"the doc 'episodes/{PROPOSAL}.md' does not contain an anchor '#no-such-part'" in result.stderr
    assert not (folder / "site").exists()


def test_a_treaty_that_dates_nothing_cannot_be_drawn_in_an_essay(tmp_path, data_copy):
    (data_copy / "treaties" / "idea.yml").write_text(
        "name: Idea\nkind: proposal\nparties: [russia]\nstatus: proposed\nsummary: S.\nsources: [test-paper-2018]\n",
        encoding="utf-8",
    )
    folder = essay_project(tmp_path, {"life.md": '# Life\n\n{{ treaty_life("idea") }}\n'})
    result = build(folder, data_copy)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    expected = "ERROR page life.md: treaty_life('idea'): treaty 'idea' has no signing date and no dated history"
    assert expected in result.stderr


def test_the_writing_page_shows_every_example_live_on_the_record(real_site):
    content = article(real_site, "writing.html")
    assert "This folder of records has no" not in content.get_text()
    sources = [" ".join(code.get_text().split()) for code in content.select("pre code")]
    calls = [source for source in sources if source.startswith("{{")]
    assert len(calls) == 6
    views = (".chronicle-entries", ".chronicle-card", ".chronicle-conversation", "figure.chronicle-lifeline", "table")
    for view in views:
        assert content.select_one(view) is not None, view
