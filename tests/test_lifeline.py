"""Treaty lifelines: phases from a treaty's dated history, dates of every precision on an axis, the SVG."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import SMALL

from macros.dates import ChronicleDate
from macros.index import Chronicle
from macros.lifeline import Axis, drawing, life, period, year_fraction
from macros.load import load
from macros.model import Treaty
from macros.render import Renderer
from macros.views import MacroError, TreatyChoice, Views

TODAY = datetime.date(2026, 11, 29)
SVG = "{http://www.w3.org/2000/svg}"


def treaty(record_id: str = "t", **fields) -> Treaty:
    values = {"name": "A treaty", "kind": "treaty", "parties": ["russia"], "status": "in-force", "summary": "S."}
    values["sources"] = ["test-paper-2018"]
    return Treaty.model_validate({**values, **fields}).with_id(record_id)


@pytest.fixture(scope="module")
def chronicle() -> Chronicle:
    return Chronicle(load(SMALL))


def d(text: str) -> ChronicleDate:
    return ChronicleDate.parse(text)


# --- Dates of every precision -------------------------------------------------------------------


def test_a_year_a_month_and_a_day_are_periods_of_their_length():
    assert period(d("1933")) == (1933.0, 1934.0)
    june = period(d("2018-06"))
    assert june == (year_fraction(datetime.date(2018, 6, 1)), year_fraction(datetime.date(2018, 7, 1)))
    assert round((june[1] - june[0]) * 365) == 30
    day = period(d("2019-02-01"))
    assert round((day[1] - day[0]) * 365, 6) == 1
    december = period(d("2019-12"))
    assert december[1] == 2020.0  # December ends where the next year begins


def test_an_uncertain_year_is_drawn_as_the_whole_year_and_marked_uncertain(chronicle):
    one = life(treaty(history=[{"date": "2024?", "event": "proposed"}], status="proposed"), chronicle, TODAY)
    picture = drawing(one, Axis(2020, 2030, margin=0), {}, "x")
    (mark,) = picture.events
    assert mark.uncertain
    assert (mark.x, mark.width) == (40.0, 10.0)  # all of 2024 on a 2020-2030 axis
    assert mark.text == "2024 (uncertain): proposed"
    exact = drawing(life(treaty(signed="2019-02-01"), chronicle, TODAY), Axis(2019, 2020, margin=0), {}, "y")
    assert not exact.events[0].uncertain
    assert exact.events[0].x == pytest.approx(100 * 31 / 365, abs=0.001)


def test_the_axis_keeps_margins_and_round_ticks():
    axis = Axis(1933, 2027)
    assert axis.x(1933) == 3.0 and axis.x(2027) == 97.0
    assert axis.x(1900) == 3.0  # nothing is drawn outside the axis
    assert axis.ticks(most=10) == [1940, 1950, 1960, 1970, 1980, 1990, 2000, 2010, 2020]
    assert Axis(2010, 2027).ticks() == [2010, 2015, 2020, 2025]


# --- Phases ------------------------------------------------------------------------------------


def test_a_treaty_still_in_force_runs_to_the_build_date(chronicle):
    one = life(
        treaty(signed="1972-05-25", history=[{"date": "1972-05-25", "event": "entered-into-force"}]), chronicle, TODAY
    )
    assert one.ongoing and one.ended is None
    assert [(p.state, str(p.start), p.end) for p in one.phases] == [
        ("signed", "1972-05-25", d("1972-05-25")),
        ("in-force", "1972-05-25", None),
    ]
    picture = drawing(one, Axis.around(one), {}, "x")
    assert [bar.state for bar in picture.bars] == ["in-force"]  # a phase of no length is not drawn
    axis = Axis.around(one)
    assert axis.end == 2027
    assert picture.bars[0].x + picture.bars[0].width == pytest.approx(axis.x(year_fraction(TODAY)), abs=0.002)
    assert picture.today == axis.x(year_fraction(TODAY))
    assert "No end is recorded: in force as of 29 November 2026 (the date of this build)." in picture.summary
    assert picture.title == "Life of A treaty, 1972–today"


def test_a_proposal_never_signed(chronicle):
    history = [{"date": "2020-09-25", "event": "proposed", "by": "russia"}]
    one = life(treaty(kind="proposal", status="proposed", history=history), chronicle, TODAY)
    assert [(p.state, p.end) for p in one.phases] == [("proposed", None)]
    assert one.ongoing
    picture = drawing(one, Axis.around(one), {"russia": "Russia"}, "x")
    assert picture.summary.startswith("Proposed by Russia 25 September 2020. No end is recorded: proposed as of")


def test_a_rejected_draft_ends_at_its_rejection(chronicle):
    history = [{"date": "2021-12-17", "event": "published"}, {"date": "2022-01-26", "event": "rejected"}]
    one = life(treaty(kind="draft-treaty", status="rejected", history=history), chronicle, TODAY)
    assert one.ended == d("2022-01-26") and not one.ongoing
    assert [(p.state, str(p.start), str(p.end)) for p in one.phases] == [("proposed", "2021-12-17", "2022-01-26")]
    picture = drawing(one, Axis(1933, 2027), {}, "x")
    assert picture.bars[0].width == 0.5  # a month on a ninety-year axis is drawn wide enough to see
    assert picture.today is None


def test_a_withdrawal_ends_the_life_and_a_suspension_is_a_phase(chronicle):
    history = [
        {"date": "1987-12-08", "event": "signed"},
        {"date": "1988-06-01", "event": "entered-into-force"},
        {"date": "2019-02-01", "event": "withdrawal-announced", "by": "united-states"},
        {"date": "2019-02-02", "event": "suspended"},
        {"date": "2019-08-02", "event": "withdrawn"},
    ]
    one = life(treaty(signed="1987-12-08", status="withdrawn", history=history), chronicle, TODAY)
    assert [p.state for p in one.phases] == ["signed", "in-force", "suspended"]
    assert one.phases[-1].end == d("2019-08-02") and one.ended == d("2019-08-02")
    assert len(one.events) == 5  # `signed` is not counted twice
    assert Axis.around(one) == Axis(1987, 2020)
    text = drawing(one, Axis.around(one), {"united-states": "United States"}, "x").summary
    assert "withdrawal announced by United States 1 February 2019" in text


def test_a_status_that_is_over_without_a_dated_end_says_so(chronicle):
    one = life(treaty(signed="1990", status="expired"), chronicle, TODAY)
    assert one.over_undated and not one.ongoing
    assert one.phases[-1].end == d("1990")
    assert "the record does not date that end" in drawing(one, Axis.around(one), {}, "x").summary


def test_a_reaffirmation_proposed_after_signing_does_not_end_the_life(chronicle):
    history = [
        {"date": "1933-11-16", "event": "signed"},
        {"date": "2018-06", "event": "proposed"},
        {"date": "2018-07?", "event": "rejected"},
    ]
    one = life(treaty(status="historical", signed="1933-11-16", history=history), chronicle, TODAY)
    assert [(p.state, p.end) for p in one.phases] == [("signed", None)]
    assert one.ongoing


def test_a_treaty_that_dates_nothing_has_no_life(chronicle):
    assert life(treaty(status="proposed"), chronicle, TODAY) is None


# --- The SVG ----------------------------------------------------------------------------------


def with_treaty(data: Path, record_id: str, text: str) -> Views:
    (data / "treaties" / f"{record_id}.yml").write_text(text, encoding="utf-8")
    chronicle = Chronicle(load(data))
    return Views(chronicle, Renderer(chronicle), today=TODAY)


def svg_of(html: str) -> ET.Element:
    start, end = html.index("<svg"), html.index("</svg>") + len("</svg>")
    return ET.fromstring(html[start:end])


def test_the_svg_has_a_role_a_title_a_description_and_phases_in_percent(data_copy):
    views = with_treaty(
        data_copy,
        "pact",
        "name: Pact <&> of \"1933\"\nkind: treaty\nparties: [russia]\nsigned: '1933'\nstatus: in-force\n"
        "history:\n  - {date: '1933', event: signed}\n  - {date: '2018-06', event: entered-into-force}\n"
        "  - {date: '2019-02-01', event: suspended, by: russia}\n"
        "summary: S.\nsources: [test-paper-2018]\n",
    )
    html = views.treaty_life("", TreatyChoice(id="pact"))
    svg = svg_of(html)  # well-formed XML: record text is escaped
    assert svg.get("role") == "img"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title.text == 'Life of Pact <&> of "1933", 1933–today'
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert desc.text.startswith('Pact <&> of "1933": Signed 1933; entered into force June 2018; suspended by Russia')
    phases = [rect for rect in svg.iter(f"{SVG}rect") if "chronicle-lifeline__phase" in rect.get("class")]
    assert [rect.get("class").split("--")[1] for rect in phases] == ["signed", "in-force", "suspended"]
    assert all(rect.get("x").endswith("%") and rect.get("width").endswith("%") for rect in phases)
    periods = [rect for rect in svg.iter(f"{SVG}rect") if rect.get("class") == "chronicle-lifeline__period"]
    assert len(periods) == 1  # the year 1933 is shaded; a month or a day on a 94-year axis is too narrow
    labels = [text.text for text in svg.iter(f"{SVG}text")]
    assert labels[0] == "1940" and labels[-1] == "2020"
    assert "<script" not in html and 'href="treaties/pact.html"' in html


def test_a_treaty_without_dates_cannot_be_drawn(data_copy):
    views = with_treaty(
        data_copy, "idea", "name: Idea\nkind: proposal\nparties: [russia]\nstatus: proposed\nsummary: S.\n"
        "sources: [test-paper-2018]\n"
    )  # fmt: skip
    with pytest.raises(MacroError, match="treaty 'idea' has no signing date and no dated history"):
        views.treaty_life("", TreatyChoice(id="idea"))
    # The treaties index leaves it out rather than failing.
    assert 'data-lifeline="idea"' not in views.treaty_lives("")
    assert 'data-lifeline="test-treaty"' in views.treaty_lives("")


def test_every_treaty_shares_one_axis_from_1933_to_the_build_year(chronicle):
    html = Views(chronicle, Renderer(chronicle), today=TODAY).treaty_lives("")
    assert '<a href="treaties/test-treaty.html">Test Agreement</a>' in html
    axis = svg_of(html[html.index("chronicle-lives__axis") :])
    labels = [text.text for text in axis.iter(f"{SVG}text")]
    assert labels[0] == "1940" and labels[-1] == "2020"
    assert Axis(1933, 2027).x(year_fraction(TODAY)) < 97.0


def test_a_treaty_page_draws_its_life_beside_its_history(chronicle):
    page = Renderer(chronicle).record_page(chronicle.treaties["test-treaty"]).html
    figure = page[page.index('<figure class="chronicle-lifeline"') : page.index("</figure>")]
    assert page.index('id="life-history"') < page.index("<figure") < page.index('<ol class="chronicle-history">')
    svg = svg_of(figure)
    assert svg.get("role") == "img" and svg.find(f"{SVG}title").text.startswith("Life of Test Agreement, 1933–")
    assert "the list below gives each of its dated events" in figure


def test_a_treaty_page_with_a_signing_date_but_no_history_draws_it_too(data_copy):
    (data_copy / "treaties" / "pact.yml").write_text(
        "name: Pact\nkind: treaty\nparties: [russia]\nsigned: '1991-07'\nstatus: in-force\nsummary: S.\n"
        "sources: [test-paper-2018]\n",
        encoding="utf-8",
    )
    chronicle = Chronicle(load(data_copy))
    page = Renderer(chronicle).record_page(chronicle.treaties["pact"]).html
    assert 'id="life-history"' in page and "<svg" in page
    assert svg_of(page).find(f"{SVG}desc").text.startswith("Pact: Signed July 1991. No end is recorded: signed as of")
    assert '<ol class="chronicle-history">' not in page
