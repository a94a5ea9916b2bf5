"""A treaty's life at a glance: its phases between dated events, drawn as an inline SVG at build time.

`life(...)` reads a treaty's `signed` date and `history` and cuts its time
into phases (proposed, signed, in force, suspended) that end at withdrawal,
termination, expiry or rejection, or run on to the day of the build. `Axis`
places dates of any precision on a time axis: a date is a period (a year, a
month, a day) and is drawn as one. Positions are percentages of the width, so
that the drawing stretches to a phone's screen or a desk's while its text
keeps its size. Knows nothing of MkDocs.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

from .dates import ChronicleDate
from .index import Chronicle
from .model import Episode, Treaty

EVENT_LABELS = {
    "proposed": "proposed",
    "published": "published",
    "signed": "signed",
    "ratified": "ratified",
    "entered-into-force": "entered into force",
    "extended": "extended",
    "suspended": "suspended",
    "withdrawal-announced": "withdrawal announced",
    "withdrawn": "withdrawn",
    "terminated": "terminated",
    "expired": "expired",
    "rejected": "rejected",
}
PHASE_LABELS = {"proposed": "Proposed", "signed": "Signed", "in-force": "In force", "suspended": "Suspended"}
MIN_BAR = 0.5  # % of the width: the narrowest phase drawn
# Events that end a treaty's life; "rejected" ends it only if it was never signed.
ENDING = {"withdrawn", "terminated", "expired"}
# Statuses that say the life is over even when the history does not date its end.
OVER = {"rejected", "withdrawn", "terminated", "expired", "superseded"}


@dataclass(frozen=True)
class Event:
    date: ChronicleDate
    event: str
    by: str | None = None
    episode: str | None = None

    @property
    def label(self) -> str:
        return EVENT_LABELS[self.event]


@dataclass(frozen=True)
class Phase:
    state: str
    start: ChronicleDate
    end: ChronicleDate | None  # None: it runs on to the build date

    @property
    def label(self) -> str:
        return PHASE_LABELS[self.state]


@dataclass
class Life:
    treaty: Treaty
    events: list[Event]
    phases: list[Phase]
    episodes: list[Episode]
    today: datetime.date
    ended: ChronicleDate | None = None  # the dated end, if the history gives one
    over_undated: bool = False  # the status says it is over, but no event dates the end
    notes: list[str] = field(default_factory=list)

    @property
    def ongoing(self) -> bool:
        return self.ended is None and not self.over_undated

    @property
    def first(self) -> ChronicleDate:
        return self.events[0].date

    @property
    def last(self) -> ChronicleDate:
        return self.events[-1].date


def life(treaty: Treaty, chronicle: Chronicle, today: datetime.date) -> Life | None:
    """The treaty's life, or None when its record dates nothing (no `signed`, no history)."""
    events = [Event(entry.date, entry.event, entry.by, entry.episode) for entry in treaty.history]
    if treaty.signed is not None and not any(e.event == "signed" and e.date == treaty.signed for e in events):
        events.insert(0, Event(treaty.signed, "signed"))  # before any event of the same date
    if not events:
        return None
    events.sort(key=lambda e: e.date.sort_key)  # stable: the history's own order among equal dates

    phases: list[Phase] = []
    state: str | None = None
    since: ChronicleDate | None = None
    ever_signed = False
    ended: ChronicleDate | None = None

    def change(new_state: str | None, date: ChronicleDate) -> None:
        nonlocal state, since
        if new_state == state:
            return
        if state is not None and since is not None:
            phases.append(Phase(state, since, date))
        state, since = new_state, date

    for event in events:
        kind = event.event
        if kind in ("proposed", "published") and not ever_signed:
            change("proposed", event.date)
        elif kind == "signed" and state in (None, "proposed"):
            ever_signed = True
            change("signed", event.date)
        elif kind == "entered-into-force":
            ever_signed = True
            change("in-force", event.date)
        elif kind == "suspended":
            change("suspended", event.date)
        elif kind in ENDING or (kind == "rejected" and not ever_signed):
            change(None, event.date)
            ended = event.date
            break
    result = Life(treaty, events, phases, list(chronicle.treaty_episodes.get(treaty.id, [])), today, ended)
    if state is not None and since is not None:
        if treaty.status in OVER:
            # The status says it is over and the history gives no date: draw to the last event, say so in words.
            phases.append(Phase(state, since, events[-1].date))
            result.over_undated = True
        else:
            phases.append(Phase(state, since, None))
    return result


# --- Where a date falls ------------------------------------------------------------------------


def year_fraction(day: datetime.date) -> float:
    """The day as a fractional year: 1 July 2018 is about 2018.5."""
    start = datetime.date(day.year, 1, 1)
    length = datetime.date(day.year + 1, 1, 1) - start
    return day.year + (day - start) / length


def period(date: ChronicleDate) -> tuple[float, float]:
    """The span of time a date means, as fractional years: "2018" is all of 2018, "2018-06" all of June."""
    first = date.earliest
    if date.precision == "day":
        after = first + datetime.timedelta(days=1)
    elif date.precision == "month":
        after = datetime.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    else:
        after = datetime.date(first.year + 1, 1, 1)
    return year_fraction(first), year_fraction(after)


def middle(date: ChronicleDate) -> float:
    start, end = period(date)
    return (start + end) / 2


@dataclass(frozen=True)
class Axis:
    """Whole years from `start` to `end` (exclusive) mapped onto a drawing's width, in %,
    with a margin on each side for the labels of the first and last ticks."""

    start: int
    end: int
    margin: float = 3.0

    @classmethod
    def around(cls, one: Life) -> Axis:
        first = math.floor(period(one.first)[0])
        last = today_or_end(one)
        return cls(first, max(math.floor(last) + 1, first + 1))

    def x(self, when: float) -> float:
        share = min(max((when - self.start) / (self.end - self.start), 0.0), 1.0)
        return round(self.margin + share * (100 - 2 * self.margin), 3)

    def ticks(self, most: int = 8) -> list[int]:
        span = self.end - self.start
        step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000) if span / s <= most)
        first = math.ceil(self.start / step) * step
        return list(range(first, self.end + 1, step))


def today_or_end(one: Life) -> float:
    """Where the drawn life stops: its dated end, its last event, or the build date."""
    if one.ended is not None:
        return period(one.ended)[1]
    if one.over_undated:
        return period(one.last)[1]
    return year_fraction(one.today)


# --- What the template draws -------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    state: str
    label: str
    x: float
    width: float
    ongoing: bool


@dataclass(frozen=True)
class Mark:
    x: float  # where the period the date means begins
    width: float  # how wide that period is
    centre: float
    text: str
    uncertain: bool


@dataclass(frozen=True)
class Drawing:
    """Everything lifeline.svg.j2 needs: positions in % of the width, and the words."""

    id: str
    title: str
    desc: str  # the treaty's name and `summary`
    summary: str
    bars: list[Bar]
    events: list[Mark]
    episodes: list[Mark]
    ticks: list[tuple[float, str]]
    today: float | None
    left: float  # where the axis begins and ends
    right: float


def _mark(axis: Axis, date: ChronicleDate, text: str) -> Mark:
    start, end = period(date)
    x, right = axis.x(start), axis.x(end)
    return Mark(x, round(right - x, 3), axis.x(middle(date)), f"{date.display()}: {text}", bool(date.qualifier))


def describe(one: Life, names: dict[str, str]) -> str:
    """The life in words, after the treaty's name: the text equivalent of the drawing."""
    steps = []
    for event in one.events:
        who = f" by {names.get(event.by, event.by)}" if event.by else ""
        steps.append(f"{event.label}{who} {event.date.display()}")
    text = "; ".join(steps)
    text = text[:1].upper() + text[1:] + "."
    if one.ongoing:
        state = one.phases[-1].label.lower() if one.phases else "recorded"
        text += f" No end is recorded: {state} as of {one.today.day} {one.today:%B %Y} (the date of this build)."
    elif one.over_undated:
        text += f" Its status is {one.treaty.status.replace('-', ' ')}; the record does not date that end."
    if one.episodes:
        count = len(one.episodes)
        text += f" {count} episode{'' if count == 1 else 's'} in the Chronicle concern{'s' if count == 1 else ''} it."
    return text


def drawing(one: Life, axis: Axis, names: dict[str, str], drawing_id: str) -> Drawing:
    bars = []
    for phase in one.phases:
        start = middle(phase.start)
        stop = middle(phase.end) if phase.end is not None else year_fraction(one.today)
        x = axis.x(start)
        width = axis.x(stop) - x
        if width > 0:
            width = max(width, MIN_BAR)  # a month on a ninety-year axis must still show
        bars.append(Bar(phase.state, phase.label, x, round(width, 3), phase.end is None))
    events = []
    for event in one.events:
        who = f" by {names.get(event.by, event.by)}" if event.by else ""
        events.append(_mark(axis, event.date, event.label + who))
    episodes = [_mark(axis, episode.date, episode.title) for episode in one.episodes]
    ticks = [(axis.x(year), str(year)) for year in axis.ticks()]
    first, last = one.first.year, (one.ended or one.last).year
    span = f"{first}" if first == last and not one.ongoing else f"{first}–{'today' if one.ongoing else last}"
    today = axis.x(year_fraction(one.today)) if one.ongoing else None
    title = f"Life of {one.treaty.label}, {span}"
    summary = describe(one, names)
    return Drawing(
        id=drawing_id,
        title=title,
        desc=f"{one.treaty.label}: {summary}",
        summary=summary,
        bars=[bar for bar in bars if bar.width > 0 or bar.ongoing],
        events=events,
        episodes=episodes,
        ticks=ticks,
        today=today,
        left=axis.x(axis.start),
        right=axis.x(axis.end),
    )


class Lifelines:
    """The treaties' lives for one build, each drawn on an axis of its own (a treaty's page, an essay)."""

    def __init__(self, chronicle: Chronicle, today: datetime.date):
        self.chronicle = chronicle
        self.today = today
        self.names = {actor_id: actor.name for actor_id, actor in chronicle.actors.items()}

    def life(self, treaty: Treaty) -> Life | None:
        return life(treaty, self.chronicle, self.today)

    def drawing(self, treaty: Treaty, drawing_id: str | None = None) -> Drawing | None:
        """The treaty's lifeline, or None when its record dates nothing."""
        one = self.life(treaty)
        if one is None:
            return None
        return drawing(one, Axis.around(one), self.names, drawing_id or f"lifeline-{treaty.id}")
