"""Filtering the timeline: the shared matching rules, and the page's filters in Chromium from file://."""

from __future__ import annotations

import re

import pytest
from conftest import SMALL
from sitetools import axe, describe_axe, site_page

from macros.facets import EpisodeFilter, episode_actors
from macros.index import Chronicle
from macros.load import load
from macros.model import Episode
from macros.publish import check_links

PROPOSAL, REFUSAL, INTERVIEW = "2018-06-test-proposal", "2018-07-test-refusal", "2019-09-04-test-interview"
ALL = [PROPOSAL, REFUSAL, INTERVIEW]


# --- The rules, shared by the page and the timeline(...) macro ----------------------------------------


def episode(**fields) -> Episode:
    values = {"title": "T", "date": "2019-09-04", "kind": "statement", "summary": "S.", "sources": ["s"]}
    return Episode.model_validate({**values, **fields}).with_id("e")


def test_an_actor_is_who_acted_the_addressee_those_involved_or_a_speaker():
    quoted = episode(by="a", to="b", actors=["c", "a"], quotes=[{"text": "words", "source": "s", "speaker": "d"}])
    assert episode_actors(quoted) == ["a", "b", "c", "d"]
    unnamed = episode(quotes=[{"text": "words", "source": "s", "attributed_to": "a source"}])
    assert episode_actors(unnamed) == []
    assert EpisodeFilter(actor="d").matches(quoted)  # quoted only
    assert not EpisodeFilter(actor="e").matches(quoted)


@pytest.mark.parametrize(
    ("bounds", "dates_kept"),
    [
        ({"start": 2018}, ["2018", "2018-06", "2018-07?", "2019-01-01"]),
        ({"start": "2018-06"}, ["2018-06", "2018-07?", "2019-01-01"]),  # "2018" sorts before June 2018
        ({"end": "2018-06"}, ["2017-12-31", "2018", "2018-06"]),  # up to the end of June
        ({"end": 2018}, ["2017-12-31", "2018", "2018-06", "2018-07?"]),
        ({"start": "2018-06-15", "end": "2018-07"}, ["2018-07?"]),
    ],
)
def test_bounds_are_inclusive_in_the_chronicles_order(bounds, dates_kept):
    dates = ["2017-12-31", "2018", "2018-06", "2018-07?", "2019-01-01"]
    selection = EpisodeFilter(**bounds)
    assert [date for date in dates if selection.matches(episode(date=date))] == dates_kept


def test_every_criterion_must_hold():
    chronicle = Chronicle(load(SMALL))

    def kept(**criteria):
        return [e.id for e in chronicle.timeline if EpisodeFilter(**criteria).matches(e)]

    assert kept() == ALL
    assert kept(actor="united-states") == ALL
    assert kept(actor="united-states", kind="response") == [REFUSAL]
    assert kept(actor="united-states", tag="arms-control", start=2019, end=2019) == [INTERVIEW]
    assert kept(treaty="test-treaty", start=2019) == []


# --- The page, from disk ----------------------------------------------------------------------------


@pytest.fixture
def timeline(browser, small_site):
    with site_page(browser, "file://") as page:
        page.address = (small_site / "timeline.html").as_uri()
        yield page
        assert page.request_log.outside == [], "requests left the site"
        assert page.errors == [], "script errors"


def visible(page) -> list[str]:
    entries = page.locator("[data-episode]")
    return [entries.nth(i).get_attribute("data-episode") for i in range(entries.count()) if entries.nth(i).is_visible()]


def status(page) -> str:
    return page.locator("[data-chronicle-status]").inner_text()


HASHES = {
    "kind=proposal": [PROPOSAL],
    "kind=response": [REFUSAL],
    "actor=united-states": ALL,  # to, by, and among the actors
    "actor=sergey-lavrov": [INTERVIEW],  # by, and the speaker of a quote
    "treaty=test-treaty": [PROPOSAL],
    "tag=non-interference": [PROPOSAL, INTERVIEW],
    "tag=arms-control": [INTERVIEW],
    "from=2019": [INTERVIEW],
    "to=2018": [PROPOSAL, REFUSAL],
    "from=2018&to=2018": [PROPOSAL, REFUSAL],
    "kind=response&actor=russia": [REFUSAL],
    "actor=united-states&tag=non-interference&from=2019": [INTERVIEW],
    "kind=proposal&actor=russia&treaty=test-treaty&tag=non-interference&from=2018&to=2018": [PROPOSAL],
    "kind=proposal&tag=arms-control": [],
}


@pytest.mark.browser
@pytest.mark.parametrize("fragment", list(HASHES))
def test_an_address_shows_exactly_the_matching_episodes(timeline, fragment):
    timeline.goto(f"{timeline.address}#{fragment}")
    expected = HASHES[fragment]
    assert visible(timeline) == expected
    hidden = [e for e in ALL if e not in expected]
    for episode_id in hidden:  # hidden, not faded
        entry = timeline.locator(f'[data-episode="{episode_id}"]')
        assert entry.get_attribute("hidden") is not None
        assert entry.evaluate("e => getComputedStyle(e).display") == "none"
    if expected:
        assert status(timeline) == f"Showing {len(expected)} of 3 episodes."
    else:
        assert status(timeline) == "No episode matches these filters (of 3)."
    # A year with nothing to show disappears with its link.
    years_shown = sorted({episode_id[:4] for episode_id in expected})
    sections = timeline.locator("section[data-year]")
    assert [sections.nth(i).get_attribute("data-year") for i in range(2) if sections.nth(i).is_visible()] == years_shown
    year_links = timeline.locator(".chronicle-years a")
    assert [year_links.nth(i).inner_text() for i in range(2) if year_links.nth(i).is_visible()] == years_shown
    # The form says what the address says.
    for pair in fragment.split("&"):
        key, value = pair.split("=")
        assert timeline.locator(f'[name="{key}"]').input_value() == value


@pytest.mark.browser
def test_the_keyboard_alone_filters_and_back_and_forward_follow(timeline):
    timeline.goto(timeline.address)
    assert visible(timeline) == ALL and status(timeline) == "Showing all 3 episodes."
    kind = timeline.locator("#chronicle-filter-kind")
    kind.focus()
    timeline.keyboard.press("ArrowDown")  # a closed select changes with the arrow keys
    timeline.wait_for_url(re.compile(r"#kind=proposal$"))
    assert visible(timeline) == [PROPOSAL]
    timeline.keyboard.press("Tab")
    assert timeline.evaluate("document.activeElement.id") == "chronicle-filter-actor"
    for _ in range(3):
        timeline.keyboard.press("Tab")
    assert timeline.evaluate("document.activeElement.id") == "chronicle-filter-from"
    timeline.keyboard.type("2019")
    timeline.keyboard.press("Enter")
    timeline.wait_for_url(re.compile(r"#kind=proposal&from=2019$"))
    assert visible(timeline) == []
    timeline.go_back()
    timeline.wait_for_url(re.compile(r"#kind=proposal$"))
    assert visible(timeline) == [PROPOSAL]
    assert timeline.locator("#chronicle-filter-from").input_value() == ""
    timeline.go_back()
    timeline.wait_for_url(re.compile(r"timeline\.html$"))
    assert visible(timeline) == ALL
    timeline.go_forward()
    timeline.wait_for_url(re.compile(r"#kind=proposal$"))
    assert visible(timeline) == [PROPOSAL] and status(timeline) == "Showing 1 of 3 episodes."


@pytest.mark.browser
def test_changing_the_hash_of_an_open_page_and_showing_everything_again(timeline):
    timeline.goto(f"{timeline.address}#tag=arms-control")
    assert visible(timeline) == [INTERVIEW]
    timeline.evaluate("location.hash = 'actor=russia&to=2018'")
    timeline.wait_for_function("document.querySelector('[data-chronicle-status]').textContent.includes('2 of 3')")
    assert visible(timeline) == [PROPOSAL, REFUSAL]
    # A year link is an anchor, not a filter: the filters stay.
    timeline.locator('.chronicle-years a[data-year="2018"]').click()
    timeline.wait_for_url(re.compile(r"#y2018$"))
    assert visible(timeline) == [PROPOSAL, REFUSAL]
    timeline.get_by_role("button", name="Show every episode").click()
    timeline.wait_for_url(re.compile(r"timeline\.html$"))
    assert visible(timeline) == ALL and status(timeline) == "Showing all 3 episodes."
    timeline.go_back()
    timeline.wait_for_url(re.compile(r"#y2018$"))
    timeline.go_back()
    timeline.wait_for_url(re.compile(r"#actor=russia&to=2018$"))
    assert visible(timeline) == [PROPOSAL, REFUSAL]


@pytest.mark.browser
def test_a_value_the_form_does_not_offer_matches_nothing_and_is_shown(timeline):
    timeline.goto(f"{timeline.address}#actor=nobody-at-all")
    assert visible(timeline) == []
    assert timeline.locator("#chronicle-filter-actor").input_value() == "nobody-at-all"


@pytest.mark.browser
def test_without_javascript_the_whole_list_is_there(browser, small_site):
    with site_page(browser, "file://", java_script_enabled=False) as page:
        page.goto((small_site / "timeline.html").as_uri() + "#kind=proposal")
        assert visible(page) == ALL
        assert not page.locator("form[data-chronicle-filters]").is_visible()
        assert not page.locator("[data-chronicle-status]").is_visible()


@pytest.mark.browser
def test_the_filtered_timeline_has_no_accessibility_violation(timeline):
    timeline.goto(f"{timeline.address}#kind=response&actor=russia")
    assert visible(timeline) == [REFUSAL]
    violations = axe(timeline)
    assert violations == [], describe_axe(violations)


@pytest.mark.browser
def test_the_script_does_nothing_on_other_pages(timeline, small_site):
    timeline.goto((small_site / "index.html").as_uri() + "#kind=proposal")
    assert timeline.locator("script[src$='timeline-filters.js']").count() == 1
    assert timeline.locator("[data-episode][hidden]").count() == 0


@pytest.mark.browser
@pytest.mark.parametrize(
    ("page", "link", "expected"),
    [
        ("actors/sergey-lavrov.html", "../timeline.html#actor=sergey-lavrov", [INTERVIEW]),
        ("actors/united-states.html", "../timeline.html#actor=united-states", ALL),
        ("treaties/test-treaty.html", "../timeline.html#treaty=test-treaty", [PROPOSAL]),
        ("tags.html", "timeline.html#tag=arms-control", [INTERVIEW]),
    ],
)
def test_actor_treaty_and_tag_pages_link_to_the_filtered_timeline(timeline, small_site, page, link, expected):
    timeline.goto((small_site / page).as_uri())
    timeline.locator(f'article a[href="{link}"]').click()
    timeline.wait_for_url(re.compile(re.escape(link.removeprefix("../")) + "$"))
    assert visible(timeline) == expected


def test_a_filtered_timeline_address_is_a_view_not_a_broken_anchor(tmp_path):
    (tmp_path / "timeline.html").write_text(
        '<div data-hash-keys="kind actor treaty tag from to"><h2 id="y2018">2018</h2></div>', encoding="utf-8"
    )
    (tmp_path / "other.html").write_text('<p id="x">x</p>', encoding="utf-8")
    links = [
        "timeline.html#actor=russia",
        "timeline.html#kind=proposal&actor=russia&treaty=t&tag=t&from=2018&to=2019",
        "timeline.html#y2018",
        "timeline.html#actor=",  # no value
        "timeline.html#colour=red",  # a key the page does not read
        "timeline.html#y1999",
        "other.html#actor=russia",  # a page that reads no state
    ]
    (tmp_path / "index.html").write_text("".join(f'<a href="{link}">x</a>' for link in links), encoding="utf-8")
    broken = [link.target for link in check_links(tmp_path)]
    assert broken == links[3:]
