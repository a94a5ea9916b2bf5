"""What is derived from the records: order, back-links and threads."""

from __future__ import annotations

import pytest
from conftest import SMALL

from macros.index import Chronicle
from macros.load import load


@pytest.fixture(scope="module")
def chronicle() -> Chronicle:
    return Chronicle(load(SMALL))


def test_timeline_is_chronological_with_neighbours(chronicle):
    ids = [e.id for e in chronicle.timeline]
    assert ids == ["2018-06-test-proposal", "2018-07-test-refusal", "2019-09-04-test-interview"]
    first, middle, last = chronicle.timeline
    assert chronicle.previous(first) is None and chronicle.next(first) is middle
    assert chronicle.previous(last) is middle and chronicle.next(last) is None
    assert [year for year, _ in chronicle.by_year()] == [2018, 2019]
    assert [e.id for e in chronicle.latest(2)] == ["2019-09-04-test-interview", "2018-07-test-refusal"]


def test_threads_and_ancestry(chronicle):
    proposal = chronicle.episodes["2018-06-test-proposal"]
    reply = chronicle.episodes["2018-07-test-refusal"]
    assert chronicle.proposals == [proposal]
    assert chronicle.thread(proposal) == [(1, reply)]
    assert chronicle.ancestry(reply) == [proposal]
    assert chronicle.ancestry(proposal) == []


def test_back_links(chronicle):
    assert [e.id for e in chronicle.treaty_episodes["test-treaty"]] == ["2018-06-test-proposal"]
    lavrov = chronicle.actor_appearances["sergey-lavrov"]
    assert [(a.episode.id, a.roles) for a in lavrov] == [("2019-09-04-test-interview", ["by", "quoted"])]
    assert [q.text for _, q in chronicle.actor_quotes["sergey-lavrov"]] == [
        "our relations with the U.S. are undermined"
    ]
    russia = {a.episode.id: a.roles for a in chronicle.actor_appearances["russia"]}
    assert russia == {"2018-06-test-proposal": ["by"], "2018-07-test-refusal": ["to"]}
    assert [t.id for t in chronicle.actor_treaties["united-states"]] == ["test-treaty"]
    paper = chronicle.citations["test-paper-2018"]
    assert {e.id for e in paper.episodes} == {"2018-06-test-proposal", "2018-07-test-refusal"}
    assert [t.id for t in paper.treaties] == ["test-treaty"]
    assert len(paper.quotes) == 1
    assert [e.id for e in chronicle.tagged_episodes["arms-control"]] == ["2019-09-04-test-interview"]
    assert [t.id for t in chronicle.tagged_treaties["non-interference"]] == ["test-treaty"]


def test_find_and_counts(chronicle):
    assert chronicle.find("episodes/2018-06-test-proposal.md").id == "2018-06-test-proposal"
    assert chronicle.find("actors/sergey-lavrov").name == "Sergey Lavrov"
    assert chronicle.find("episodes/ghost") is None and chronicle.find("nowhere/x") is None
    assert chronicle.counts() == {
        "episodes": 3,
        "treaties": 1,
        "actors": 3,
        "sources": 2,
        "quotes": 2,
        "proposals": 1,
    }
