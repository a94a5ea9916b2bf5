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
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from .facets import EpisodeFilter, episode_actors
from .index import Chronicle
from .lifeline import Axis, Lifelines, drawing, period, today_or_end
from .model import EpisodeRef, TreatyRef, TreatyStatus
from .render import KIND_LABELS, Renderer

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
    """Renders the views for one Chronicle in the Renderer's HTML environment (the record pages' filters,
    links and dates), with a few additions of its own; made once per build."""

    def __init__(self, chronicle: Chronicle, renderer: Renderer, today: datetime.date | None = None):
        self.chronicle = chronicle
        self.renderer = renderer
        self.lifelines = Lifelines(chronicle, today or datetime.date.today())
        self._ids = {
            "episodes": set(chronicle.episodes),
            "treaties": set(chronicle.treaties),
            "actors": set(chronicle.actors),
            "sources": set(chronicle.sources),
            "tags": set(chronicle.tags),
        }
        self.env = renderer.html_env.overlay()
        self.env.filters.update(words=lambda values: " ".join(values))
        self.env.globals.update(actors_of=episode_actors)

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
        picture = self.lifelines.drawing(treaty)
        if picture is None:
            raise MacroError(f"treaty '{treaty.id}' has no signing date and no dated history: it has no life to draw")
        return self._render("lifeline.html.j2", page_dir, treaty=treaty, picture=picture)

    def treaty_lives(self, page_dir: str) -> str:
        """Every treaty's life on one axis, from 1933 to the year of the build."""
        lifelines = self.lifelines
        lives = [one for treaty in self.chronicle.sorted_treaties() if (one := lifelines.life(treaty))]
        start = min([FIRST_YEAR, *(int(period(one.first)[0]) for one in lives)])
        end = max([lifelines.today.year + 1, *(int(today_or_end(one)) + 1 for one in lives)])
        axis = Axis(start, end)
        rows = [(one.treaty, drawing(one, axis, lifelines.names, f"lives-{one.treaty.id}")) for one in lives]
        ticks = [(axis.x(year), str(year)) for year in axis.ticks(most=10)]
        span = (axis.x(axis.start), axis.x(axis.end))
        return self._render("treaty_lives.html.j2", page_dir, rows=rows, ticks=ticks, span=span)

    # -- helpers --------------------------------------------------------------------------------

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
        html = self.env.get_template(template).render(**self.renderer._html_context(page_dir), **values)
        # A blank line would end the HTML block in the page's Markdown.
        return re.sub(r"\n\s*\n", "\n", html).strip()
