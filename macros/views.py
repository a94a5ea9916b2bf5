"""HTML views of the Chronicle that hand-written pages embed: the explorable timeline, filtered
episode lists, episode cards, proposal threads, treaty tables and lifelines.

Each view is one HTML block, which Python-Markdown passes through untouched
(a blank line would end it, so none is written), with links relative to the
page that calls it. The arguments of the essay macros are validated here with
pydantic, against the ids of this Chronicle; a fault becomes a `MacroError`
whose message is one line. Knows nothing of MkDocs.
"""

from __future__ import annotations

import datetime
import posixpath
import re
from typing import Any, TypeVar

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape
from pydantic import BaseModel, ConfigDict, ValidationError

from . import markup
from .dates import ChronicleDate
from .facets import EpisodeFilter, episode_actors
from .index import Chronicle, collection_of
from .lifeline import PHASE_LABELS, Axis, drawing, life, period, today_or_end
from .model import EpisodeRef, Record, TreatyRef, TreatyStatus
from .render import KIND_LABELS, STATUS_LABELS, label

FIRST_YEAR = 1933  # the Chronicle's record begins with the Roosevelt–Litvinov letters


class MacroError(ValueError):
    """A view asked for something this Chronicle does not hold, or with a bad argument; one line."""


class EpisodeChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: EpisodeRef


class TreatyChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: TreatyRef


class StatusChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: TreatyStatus | None = None


Arguments = TypeVar("Arguments", bound=BaseModel)


def _problem(error: ValidationError) -> str:
    """A pydantic error as one line: `field: message; field: message`."""
    parts = []
    for fault in error.errors(include_url=False):
        where = ".".join(str(part) for part in fault["loc"])
        message = " ".join(str(fault["msg"]).split())
        if fault["type"] == "extra_forbidden":
            message = "no such argument"
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


class Views:
    """Renders the views for one Chronicle; made once per build."""

    def __init__(self, chronicle: Chronicle, today: datetime.date | None = None):
        self.chronicle = chronicle
        self.today = today or datetime.date.today()
        self._ids = {
            "episodes": set(chronicle.episodes),
            "treaties": set(chronicle.treaties),
            "actors": set(chronicle.actors),
            "sources": set(chronicle.sources),
            "tags": set(chronicle.tags),
        }
        self.env = Environment(
            loader=PackageLoader("macros", "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(
            date=_date,
            kind=lambda k: KIND_LABELS.get(k, label(k)),
            status=lambda s: STATUS_LABELS.get(s, label(s)),
            label=label,
            words=lambda values: " ".join(values),
            plural=lambda n, word: f"{n} {word}{'' if n == 1 else 's'}",
        )
        self.env.globals.update(chronicle=chronicle, kinds=KIND_LABELS, phases=PHASE_LABELS, actors_of=episode_actors)

    # -- arguments ------------------------------------------------------------------------------

    def arguments(self, model: type[Arguments], values: dict[str, Any]) -> Arguments:
        """The macro's arguments validated against this Chronicle's ids, or a one-line MacroError."""
        try:
            return model.model_validate(values, context={"ids": self._ids})
        except ValidationError as error:
            raise MacroError(_problem(error)) from None

    # -- views ----------------------------------------------------------------------------------

    def timeline(self, page_dir: str, selection: EpisodeFilter | None = None) -> str:
        """The whole timeline with its filters, or, given a selection, the list of the episodes it keeps."""
        if selection is None or selection.empty:
            return self._render("timeline.html.j2", page_dir, facets=self._facets())
        episodes = [episode for episode in self.chronicle.timeline if selection.matches(episode)]
        return self._render("episode_list.html.j2", page_dir, episodes=episodes)

    def episode_card(self, page_dir: str, choice: EpisodeChoice) -> str:
        return self._render("episode_card.html.j2", page_dir, episode=self.chronicle.episodes[choice.id])

    def thread(self, page_dir: str, choice: EpisodeChoice) -> str:
        episode = self.chronicle.episodes[choice.id]
        return self._render("thread.html.j2", page_dir, episode=episode, replies=self.chronicle.thread(episode))

    def treaty_table(self, page_dir: str, choice: StatusChoice) -> str:
        treaties = [t for t in self.chronicle.sorted_treaties() if choice.status in (None, t.status)]
        return self._render("treaty_table.html.j2", page_dir, treaties=treaties, status=choice.status)

    def treaty_life(self, page_dir: str, choice: TreatyChoice) -> str:
        treaty = self.chronicle.treaties[choice.id]
        one = life(treaty, self.chronicle, self.today)
        if one is None:
            raise MacroError(f"treaty '{treaty.id}' has no signing date and no dated history: it has no life to draw")
        picture = drawing(one, Axis.around(one), self._names(), f"lifeline-{treaty.id}")
        return self._render("lifeline.html.j2", page_dir, treaty=treaty, picture=picture)

    def treaty_lives(self, page_dir: str) -> str:
        """Every treaty's life on one axis, from 1933 to the year of the build."""
        lives = [one for t in self.chronicle.sorted_treaties() if (one := life(t, self.chronicle, self.today))]
        start = min([FIRST_YEAR, *(int(period(one.first)[0]) for one in lives)])
        end = max([self.today.year + 1, *(int(today_or_end(one)) + 1 for one in lives)])
        axis = Axis(start, end)
        names = self._names()
        rows = [(one.treaty, drawing(one, axis, names, f"lives-{one.treaty.id}")) for one in lives]
        ticks = [(axis.x(year), str(year)) for year in axis.ticks(most=10)]
        span = (axis.x(axis.start), axis.x(axis.end))
        return self._render("treaty_lives.html.j2", page_dir, rows=rows, ticks=ticks, span=span)

    # -- helpers --------------------------------------------------------------------------------

    def _names(self) -> dict[str, str]:
        return {actor_id: actor.name for actor_id, actor in self.chronicle.actors.items()}

    def _facets(self) -> dict[str, list[tuple[str, str]]]:
        """The values the timeline's filters offer: only those some episode has."""
        episodes = self.chronicle.timeline
        kinds = {episode.kind for episode in episodes}
        actors = {actor for episode in episodes for actor in episode_actors(episode)}
        treaties = {treaty for episode in episodes for treaty in episode.treaties}
        tags = {tag for episode in episodes for tag in episode.tags}
        chronicle = self.chronicle

        def by_name(pairs):
            return sorted(pairs, key=lambda pair: pair[1].casefold())

        return {
            "kind": [(kind, text) for kind, text in KIND_LABELS.items() if kind in kinds],
            "actor": by_name((a, chronicle.actors[a].name) for a in actors),
            "treaty": by_name((t, chronicle.treaties[t].label) for t in treaties),
            "tag": by_name((t, chronicle.tags[t].label) for t in tags),
        }

    def _render(self, template: str, page_dir: str, **values: Any) -> str:
        html = self.env.get_template(template).render(**_links(page_dir), **values)
        # A blank line would end the HTML block in the page's Markdown.
        return re.sub(r"\n\s*\n", "\n", html).strip()


def _date(date: ChronicleDate | None) -> Markup:
    if date is None:
        return Markup("")
    return Markup('<time datetime="{}" title="{}">{}</time>').format(date.earliest.isoformat(), date, date.display())


def _links(page_dir: str) -> dict[str, Any]:
    """Functions that write links relative to the page in `page_dir` (a folder of docs/)."""

    def relative(path: str) -> str:
        return posixpath.relpath(path, page_dir) if page_dir else path

    def url(record: Record) -> str:
        return relative(f"{collection_of(record)}/{record.id}.html")

    def link(record: Record | None, text: Any = None) -> Markup:
        if record is None:
            return Markup("")
        shown = text if text is not None else _title(record)
        return Markup('<a href="{}">{}</a>').format(url(record), shown)

    def resolve(target: str) -> str:
        named = markup.record_link(target)
        if named:
            collection, record_id, fragment = named
            return relative(f"{collection}/{record_id}.html") + fragment
        path, _, fragment = target.partition("#")
        path = path.lstrip("/")
        if path.endswith(".md"):
            path = path[:-3] + ".html"
        return relative(path) + (f"#{fragment}" if fragment else "")

    def md(text: str | None, inline: bool = False) -> Markup:
        return Markup(markup.to_html(text, resolve, inline=inline)) if text else Markup("")

    def page(path: str) -> str:
        return relative(path)

    return dict(url=url, link=link, md=md, page=page, escape=escape)


def _title(record: Record) -> str:
    for attribute in ("title", "label", "name"):
        value = getattr(record, attribute, None)
        if value:
            return value
    return record.id
