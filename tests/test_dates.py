import datetime

import pytest

from macros.dates import ChronicleDate


@pytest.mark.parametrize(
    ("written", "display"),
    [
        ("1933-11-16", "16 November 1933"),
        ("2018-06", "June 2018"),
        ("2018", "2018"),
        ("2017~", "c. 2017"),
        ("2024?", "2024 (uncertain)"),
        ("2018-06%", "c. June 2018 (uncertain)"),
        ("2018-11?", "November 2018 (uncertain)"),
    ],
)
def test_display_keeps_the_precision(written, display):
    assert ChronicleDate.parse(written).display() == display


@pytest.mark.parametrize("written", ["1933-11-16", "2018-06", "2017~", "2024?", "2018-06-30%"])
def test_round_trips_as_written(written):
    assert str(ChronicleDate.parse(written)) == written


def test_yaml_typed_values_are_the_same_date():
    assert ChronicleDate.parse(datetime.date(2018, 6, 15)) == ChronicleDate.parse("2018-06-15")
    assert ChronicleDate.parse(2018) == ChronicleDate.parse("2018")


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("2018-13", "no month 13"),
        ("2018-02-30", "February 2018 has 28 days"),
        ("2019-02-29", "has 28 days"),
        ("June 2018", "not a date"),
        ("18-06-15", "not a date"),
        ("2018-6", "not a date"),
        ("2018-06-15T10:00", "not a date"),
        ("2018?~", "not a date"),
        ("", "not a date"),
    ],
)
def test_refuses_what_is_not_a_date(written, message):
    with pytest.raises(ValueError, match=message):
        ChronicleDate.parse(written)


def test_refuses_other_types():
    with pytest.raises(ValueError):
        ChronicleDate.parse(True)
    with pytest.raises(ValueError):
        ChronicleDate.parse(2018.5)
    with pytest.raises(ValueError, match="no time of day"):
        ChronicleDate.parse(datetime.datetime(2018, 6, 15, 10, 0))


def test_leap_day_exists_in_leap_years():
    assert ChronicleDate.parse("2020-02-29").display() == "29 February 2020"


def test_sorting_is_chronological_and_less_precise_first():
    written = ["2018-06-15", "2018", "2017~", "2018-06", "2018-01-01", "1933-11-16", "2024?"]
    ordered = sorted(map(ChronicleDate.parse, written), key=lambda d: d.sort_key)
    assert [str(d) for d in ordered] == ["1933-11-16", "2017~", "2018", "2018-01-01", "2018-06", "2018-06-15", "2024?"]


def test_qualifiers():
    assert ChronicleDate.parse("2024?").uncertain and not ChronicleDate.parse("2024?").approximate
    assert ChronicleDate.parse("2017~").approximate and not ChronicleDate.parse("2017~").uncertain
    both = ChronicleDate.parse("2017%")
    assert both.uncertain and both.approximate
    assert ChronicleDate.parse("2017").precision == "year"
    assert ChronicleDate.parse("2017-03").precision == "month"
    assert ChronicleDate.parse("2017-03-01").precision == "day"


@pytest.mark.parametrize("written", ["0000", "0000-01", "0000-12-31~"])
def test_refuses_a_year_the_calendar_cannot_hold(written):
    with pytest.raises(ValueError, match="there is no year 0"):
        ChronicleDate.parse(written)


@pytest.mark.parametrize("written", ["0001", "0001-01-01", "9999", "9999-12-31?"])
def test_the_first_and_last_years_are_dates_the_pages_can_print(written):
    date = ChronicleDate.parse(written)
    assert date.earliest.year == date.year
    assert date.display()
