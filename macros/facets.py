"""What an episode can be found by: the facets that the timeline's filters and the essay macros share.

The timeline page writes each episode's facets into data attributes and a
small script filters on them in the browser; the `timeline(...)` macro filters
with `EpisodeFilter.matches` at build time. Both read `episode_actors`, so a
reader and a writer narrowing by the same actor see the same episodes.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from .dates import ChronicleDate
from .model import ActorRef, Episode, EpisodeKind, TagRef, TreatyRef


def episode_actors(episode: Episode) -> list[str]:
    """Every actor an episode concerns: who acted, the addressee, those involved, and whoever it quotes."""
    found = [episode.by, episode.to, *episode.actors, *(quote.speaker for quote in episode.quotes)]
    return list(dict.fromkeys(actor for actor in found if actor))


class EpisodeFilter(BaseModel):
    """A selection of episodes; every given criterion must hold.

    `start` and `end` are inclusive bounds in the contract's chronological
    order: `start="2018-06"` keeps June 2018 and later, `end="2018-06"` keeps
    everything up to the end of June 2018. An episode dated only "2018" sorts
    before June 2018, as everywhere in the Chronicle.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: EpisodeKind | None = None
    actor: ActorRef | None = None
    treaty: TreatyRef | None = None
    tag: TagRef | None = None
    start: ChronicleDate | None = None
    end: ChronicleDate | None = None

    @field_validator("start", "end")
    @classmethod
    def _exact_bound(cls, value: ChronicleDate | None, info: ValidationInfo) -> ChronicleDate | None:
        if value is not None and value.qualifier:
            raise PydanticCustomError(
                "qualified_bound",
                "a bound is a year or a date without ?, ~ or %: '{value}'",
                {"value": str(value)},
            )
        return value

    @model_validator(mode="after")
    def _start_not_after_end(self) -> EpisodeFilter:
        if self.start is not None and self.end is not None and _truncated(self.start, self.end) > self.end.sort_key:
            raise PydanticCustomError(
                "start_after_end", "start {start} is after end {end}", {"start": str(self.start), "end": str(self.end)}
            )
        return self

    @property
    def empty(self) -> bool:
        return all(value is None for value in self.model_dump().values())

    def matches(self, episode: Episode) -> bool:
        if self.kind is not None and episode.kind != self.kind:
            return False
        if self.actor is not None and self.actor not in episode_actors(episode):
            return False
        if self.treaty is not None and self.treaty not in episode.treaties:
            return False
        if self.tag is not None and self.tag not in episode.tags:
            return False
        if self.start is not None and episode.date.sort_key < self.start.sort_key:
            return False
        return self.end is None or _truncated(episode.date, self.end) <= self.end.sort_key


def _truncated(date: ChronicleDate, bound: ChronicleDate) -> tuple[int, int, int]:
    """The date's sort key at the bound's precision: "2018-06-30" is within an end of "2018-06"."""
    year, month, day = date.sort_key
    if bound.precision == "year":
        return (year, 0, 0)
    if bound.precision == "month":
        return (year, month, 0)
    return (year, month, day)
