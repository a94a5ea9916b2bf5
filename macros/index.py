"""What is derived from the records, computed once per build.

Back-links (who cites whom), the chronological order with its neighbours,
and proposal -> reply threads. Reads validated models only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby

from .load import Dataset
from .model import Actor, Episode, Quote, Record, Source, Tag, Treaty

COLLECTION_OF: dict[type, str] = {Episode: "episodes", Treaty: "treaties", Actor: "actors", Source: "sources"}


def collection_of(record: Record) -> str:
    return COLLECTION_OF[type(record)]


def chronological(episodes) -> list[Episode]:
    return sorted(episodes, key=lambda e: (e.date.sort_key, e.title.casefold(), e.id))


@dataclass
class Appearance:
    """An episode an actor takes part in, and how."""

    episode: Episode
    roles: list[str]


@dataclass
class Citations:
    """Everything that rests on one source."""

    episodes: list[Episode] = field(default_factory=list)
    quotes: list[tuple[Episode, Quote]] = field(default_factory=list)
    treaties: list[Treaty] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.episodes) + len(self.treaties)


class Chronicle:
    """The validated records with every index the pages need."""

    def __init__(self, data: Dataset):
        self.data = data
        self.episodes = data.episodes
        self.treaties = data.treaties
        self.actors = data.actors
        self.sources = data.sources
        self.tags = data.tags

        self.timeline = chronological(data.episodes.values())
        self._position = {episode.id: n for n, episode in enumerate(self.timeline)}

        self.replies: dict[str, list[Episode]] = defaultdict(list)
        self.treaty_episodes: dict[str, list[Episode]] = defaultdict(list)
        self.actor_appearances: dict[str, list[Appearance]] = defaultdict(list)
        self.actor_quotes: dict[str, list[tuple[Episode, Quote]]] = defaultdict(list)
        self.actor_treaties: dict[str, list[Treaty]] = defaultdict(list)
        self.citations: dict[str, Citations] = defaultdict(Citations)
        self.tagged_episodes: dict[str, list[Episode]] = defaultdict(list)
        self.tagged_treaties: dict[str, list[Treaty]] = defaultdict(list)

        for episode in self.timeline:
            self._index_episode(episode)
        for treaty in sorted(data.treaties.values(), key=lambda t: t.label.casefold()):
            self._index_treaty(treaty)

    def _index_episode(self, episode: Episode) -> None:
        if episode.responds_to:
            self.replies[episode.responds_to].append(episode)
        for treaty_id in episode.treaties:
            self.treaty_episodes[treaty_id].append(episode)
        roles: dict[str, list[str]] = defaultdict(list)
        if episode.by:
            roles[episode.by].append("by")
        if episode.to:
            roles[episode.to].append("to")
        for actor_id in episode.actors:
            roles[actor_id].append("involved")
        for quote in episode.quotes:
            if quote.speaker:
                self.actor_quotes[quote.speaker].append((episode, quote))
                if "quoted" not in roles[quote.speaker]:
                    roles[quote.speaker].append("quoted")
            self.citations[quote.source].quotes.append((episode, quote))
        for actor_id, how in roles.items():
            self.actor_appearances[actor_id].append(Appearance(episode, how))
        for source_id in episode.sources:
            self.citations[source_id].episodes.append(episode)
        for tag in episode.tags:
            self.tagged_episodes[tag].append(episode)

    def _index_treaty(self, treaty: Treaty) -> None:
        for party in treaty.parties:
            self.actor_treaties[party].append(treaty)
        cited = list(treaty.sources) + [entry.source for entry in treaty.history if entry.source]
        for source_id in dict.fromkeys(cited):
            self.citations[source_id].treaties.append(treaty)
        listed = {episode.id for episode in self.treaty_episodes[treaty.id]}
        for entry in treaty.history:
            if entry.episode and entry.episode not in listed:
                listed.add(entry.episode)
                self.treaty_episodes[treaty.id].append(self.episodes[entry.episode])
        self.treaty_episodes[treaty.id] = chronological(self.treaty_episodes[treaty.id])
        for tag in treaty.tags:
            self.tagged_treaties[tag].append(treaty)

    # -- order -------------------------------------------------------------

    def previous(self, episode: Episode) -> Episode | None:
        n = self._position[episode.id]
        return self.timeline[n - 1] if n > 0 else None

    def next(self, episode: Episode) -> Episode | None:
        n = self._position[episode.id]
        return self.timeline[n + 1] if n + 1 < len(self.timeline) else None

    def latest(self, count: int) -> list[Episode]:
        return list(reversed(self.timeline[-count:])) if count > 0 else []

    def by_year(self) -> list[tuple[int, list[Episode]]]:
        return [(year, list(group)) for year, group in groupby(self.timeline, key=lambda e: e.date.year)]

    # -- threads -----------------------------------------------------------

    @property
    def proposals(self) -> list[Episode]:
        return [episode for episode in self.timeline if episode.kind == "proposal"]

    def thread(self, episode: Episode) -> list[tuple[int, Episode]]:
        """Every reply below an episode, depth-first, with its depth (1 = a direct reply).

        A stack, not recursion: a chain of thousands of replies, each answering the last, is one deep path.
        """
        found: list[tuple[int, Episode]] = []
        seen = {episode.id}
        stack = [(1, reply) for reply in reversed(self.replies.get(episode.id, []))]
        while stack:
            depth, reply = stack.pop()
            if reply.id in seen:  # the loader refuses cycles; this keeps a bad index finite
                continue
            seen.add(reply.id)
            found.append((depth, reply))
            stack.extend((depth + 1, below) for below in reversed(self.replies.get(reply.id, [])))
        return found

    def ancestry(self, episode: Episode) -> list[Episode]:
        """What this episode answers, and what that answers, oldest first."""
        chain: list[Episode] = []
        seen = {episode.id}
        current = episode
        while current.responds_to and current.responds_to not in seen:
            current = self.episodes[current.responds_to]
            seen.add(current.id)
            chain.append(current)
        return list(reversed(chain))

    # -- lookups -----------------------------------------------------------

    def tag_list(self) -> list[Tag]:
        return sorted(self.tags.values(), key=lambda t: t.label.casefold())

    def sorted_actors(self) -> list[Actor]:
        return sorted(self.actors.values(), key=lambda a: (a.type, a.name.casefold()))

    def sorted_sources(self) -> list[Source]:
        return sorted(self.sources.values(), key=lambda s: (s.published.sort_key, s.title.casefold()))

    def sorted_treaties(self) -> list[Treaty]:
        def key(treaty: Treaty):
            first = treaty.signed or (treaty.history[0].date if treaty.history else None)
            return (first.sort_key if first else (9999, 0, 0), treaty.label.casefold())

        return sorted(self.treaties.values(), key=key)

    def find(self, address: str) -> Record | None:
        """The record at "episodes/<id>" (".md" or ".html" may follow), if there is one."""
        collection, _, record_id = address.partition("/")
        record_id = record_id.removesuffix(".md").removesuffix(".html")
        if collection not in COLLECTION_OF.values():
            return None
        return getattr(self, collection).get(record_id)

    def counts(self) -> dict[str, int]:
        return {
            "episodes": len(self.episodes),
            "treaties": len(self.treaties),
            "actors": len(self.actors),
            "sources": len(self.sources),
            "quotes": sum(len(e.quotes) for e in self.episodes.values()),
            "proposals": len(self.proposals),
        }
