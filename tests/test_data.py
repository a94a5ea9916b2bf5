"""The record itself: data/ follows the contract and says only what its sources say."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import REPO

from macros.index import Chronicle
from macros.load import load

SEEDS = REPO.parent / "shared" / "seeds"
# Which source record is which seed article. Kept here, not in the records: a seed's file name is an
# internal name that no reader should see.
SEED_OF_SOURCE = {
    "inforos-2018-us-avoids-recommitting": "000_bc8d6a59f38c0428.txt",
    "rt-2020-09-25-putin-offers-guarantees": "001_5159c9803a5ca53b.txt",
    "eir-2019-09-05-lavrov-downward-trend": "002_2883c3e9d1bf4ca2.txt",
    "blog-2022-01-washington-asked-secret": "003_fedd935179ed8639.txt",
    "dantri-2024-russia-conditions-trust": "004_25533cf3c5f14167.txt",
}
# The sites where each article was seen; an address elsewhere would be a guess or a copy.
SEEN_HOSTS = {
    "inforos-2018-us-avoids-recommitting": {"inforos.ru"},
    "rt-2020-09-25-putin-offers-guarantees": {"www.rt.com"},
    "eir-2019-09-05-lavrov-downward-trend": {"larouchepub.com"},
    "blog-2022-01-washington-asked-secret": {"space4peace.blogspot.com"},
    "dantri-2024-russia-conditions-trust": set(),
}
SEED_FILE_NAME = re.compile(r"\d{3}_[0-9a-f]{16}(\.txt)?|seed article", re.IGNORECASE)


def normalized(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def chronicle() -> Chronicle:
    return Chronicle(load(REPO / "data"))


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    if not SEEDS.is_dir():
        pytest.fail(f"the seed articles are missing: expected {SEEDS} beside the checkout")
    return {path.name: normalized(path.read_text(encoding="utf-8")) for path in SEEDS.glob("*.txt")}


def seed_of(source_id: str) -> str | None:
    return SEED_OF_SOURCE.get(source_id)


def strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings_in(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in strings_in(item)]
    return []


def test_each_seed_article_has_one_source_record_without_a_guessed_url(chronicle, seeds):
    assert set(SEED_OF_SOURCE.values()) == set(seeds)
    assert set(SEED_OF_SOURCE) <= set(chronicle.sources)
    for source_id in SEED_OF_SOURCE:
        source = chronicle.sources[source_id]
        if source.url:  # only the address where the article was seen, on its own outlet's site
            assert urlsplit(source.url).hostname in SEEN_HOSTS[source_id], source_id
        assert source.relays, source_id
    outlets = {chronicle.sources[s].outlet for s in SEED_OF_SOURCE}
    assert {"Inforos", "RT", "Executive Intelligence Review", "Dan Tri"} <= outlets


def test_no_public_text_names_a_seed_file(chronicle):
    records = [*chronicle.episodes.values(), *chronicle.treaties.values(), *chronicle.actors.values()]
    records += [*chronicle.sources.values(), *chronicle.tags.values()]
    for record in records:
        for text in strings_in(record.model_dump(mode="json")):
            assert not SEED_FILE_NAME.search(text), f"{record.id}: {text!r} names an internal seed file"


def test_the_seed_articles_are_named_by_outlet_title_and_date(chronicle):
    for source_id in SEED_OF_SOURCE:
        source = chronicle.sources[source_id]
        assert source.title in normalized(source.notes or ""), source_id


def test_affiliations_are_labelled_honestly(chronicle):
    by_outlet = {s.outlet: s.affiliation for s in chronicle.sources.values()}
    assert by_outlet["RT"] == "state-media"
    assert by_outlet["Dan Tri"] == "state-media"
    assert by_outlet["Executive Intelligence Review"] == "partisan"
    # Relaying TASS does not make Inforos state media; who stands behind it is not documented.
    assert by_outlet["Inforos"] == "unknown"
    assert "TASS" in chronicle.sources["inforos-2018-us-avoids-recommitting"].relays
    assert all(s.notes for s in chronicle.sources.values())


def test_implied_publication_dates_say_they_are_uncertain(chronicle):
    published = {s.outlet: str(s.published) for s in chronicle.sources.values()}
    assert published["RT"] == "2020-09-25"
    assert published["Executive Intelligence Review"] == "2019-09-05"
    assert published["Inforos"].endswith(("?", "~", "%"))
    assert published["Dan Tri"].endswith(("?", "~", "%"))


def test_every_quote_is_word_for_word_in_its_article(chronicle, seeds):
    checked = 0
    for episode in chronicle.episodes.values():
        for quote in episode.quotes:
            seed = seed_of(quote.source)
            assert seed, f"{episode.id}: quote from {quote.source}, which is not one of the seed articles"
            assert normalized(quote.text) in seeds[seed], f"{episode.id}: {quote.text!r} is not in {seed}"
            assert len(quote.text.split()) <= 60
            checked += 1
    assert checked >= 20


@pytest.mark.parametrize(
    ("date", "words"),
    [
        ("1933-11-16", "Roosevelt"),
        ("2018-06", "1933"),
        ("2018-07-16", "Helsinki"),
        ("2019-09-04", "Vladivostok"),
        ("2020-09-25", "Putin"),
        ("2021-12-17", "draft"),
        ("2022-01-21", "Geneva"),
    ],
)
def test_the_episodes_of_the_articles_are_recorded(chronicle, date, words):
    found = [e for e in chronicle.episodes.values() if str(e.date).startswith(date) and words in e.title + e.summary]
    assert found, (date, words)


def test_the_refused_recommitments_are_one_thread_each(chronicle):
    for date, addressee in (("2017", "rex-tillerson"), ("2018-06", "mike-pompeo")):
        proposals = [p for p in chronicle.proposals if str(p.date).startswith(date) and p.to == addressee]
        assert len(proposals) == 1, (date, addressee)
        proposal = proposals[0]
        assert proposal.outcome == "rejected"
        replies = [reply for _, reply in chronicle.thread(proposal)]
        assert any(reply.kind == "response" and reply.by == "united-states" for reply in replies), proposal.id


def test_replies_point_at_what_they_answer(chronicle):
    responses = [e for e in chronicle.episodes.values() if e.kind == "response"]
    assert responses and all(e.responds_to for e in responses)


def test_treaties_have_their_life_histories_sourced(chronicle):
    inf = chronicle.treaties["inf-treaty"]
    assert inf.status == "terminated"
    assert {"signed", "entered-into-force", "withdrawn", "terminated"} <= {h.event for h in inf.history}
    new_start = chronicle.treaties["new-start"]
    assert {"signed", "extended", "suspended", "expired"} <= {h.event for h in new_start.history}
    for treaty in chronicle.treaties.values():
        assert all(entry.source for entry in treaty.history), treaty.id
    names = " ".join(t.name for t in chronicle.treaties.values())
    for expected in ("Incidents", "Security Guarantees", "Information"):
        assert expected.lower() in names.lower()


def test_russian_people_carry_their_cyrillic_names(chronicle):
    for actor_id in ("sergey-lavrov", "vladimir-putin", "maria-zakharova", "anatoly-antonov", "maxim-litvinov"):
        actor = chronicle.actors[actor_id]
        assert re.search("[А-Яа-я]", actor.native_name or ""), actor_id


def test_every_tag_is_used(chronicle):
    for tag in chronicle.tags:
        assert chronicle.tagged_episodes[tag] or chronicle.tagged_treaties[tag], tag


def test_the_site_builds_from_data(real_site: Path):
    proposals = (real_site / "proposals.html").read_text(encoding="utf-8")
    assert "2017-us-reply-letter-on-1933-commitment" in proposals
    assert "2018-07-us-refusal-letter-before-helsinki" in proposals
    assert (real_site / "actors/sergey-lavrov.html").is_file()


def test_the_comparison_with_the_incidents_at_sea_agreement_is_putins(chronicle):
    kremlin = "kremlin-2020-09-25-statement-information-security"
    records = [
        chronicle.episodes["2020-09-25-putin-proposes-non-interference-guarantees"],
        chronicle.treaties["information-space-incidents-agreement-proposal-2020"],
        chronicle.treaties["incidents-at-sea-agreement-1972"],
    ]
    for record in records:
        assert kremlin in record.sources, record.id
        assert "likened" in record.summary, record.id
        assert not re.search(r"RT (likens|describes|described)", record.summary), record.id


def test_the_drafts_provisions_rest_on_the_published_text_not_on_the_blog(chronicle):
    draft = chronicle.treaties["draft-us-russia-treaty-on-security-guarantees-2021"]
    assert "mfa-russia-2021-12-17-draft-security-guarantees" in draft.sources
    assert draft.provisions and all("(draft text)" in provision for provision in draft.provisions)
    assert not any("blog" in provision for provision in draft.provisions)
    assert "own news text, not in the Washington Post" in normalized(draft.summary)


def test_the_proposed_reaffirmation_is_its_own_record_beside_the_1933_letters(chronicle):
    letters = chronicle.treaties["roosevelt-litvinov-agreement"]
    assert [str(entry.date) for entry in letters.history] == ["1933-11-16"]
    reaffirmation = chronicle.treaties["reaffirmation-of-1933-commitment-proposal-2017"]
    assert reaffirmation.kind == "proposal"
    linked = reaffirmation.predecessor == letters.id or f"treaties/{letters.id}.md" in reaffirmation.summary
    assert linked
    assert f"treaties/{reaffirmation.id}.md" in letters.summary
    events = [(str(entry.date)[:4], entry.event, entry.by) for entry in reaffirmation.history]
    assert events == [
        ("2017", "proposed", "russia"),
        ("2017", "rejected", "united-states"),
        ("2018", "proposed", "russia"),
        ("2018", "rejected", "united-states"),
    ]
    assert all("source" in (entry.note or "") for entry in reaffirmation.history)


ANONYMOUS_SOURCE = "inforos-2018-us-avoids-recommitting"


def test_the_anonymous_ministry_source_stays_anonymous_and_attributed(chronicle):
    statement = chronicle.episodes["2018-11-foreign-ministry-source-on-us-refusals"]
    assert statement.by is None, "the ministry is not on record, only an unnamed source in it"
    assert "unnamed" in statement.title.lower()
    resting = [e for e in chronicle.episodes.values() if e.sources == [ANONYMOUS_SOURCE]]
    assert len(resting) >= 3
    for episode in resting:
        summary = normalized(episode.summary)
        assert re.search(r"\bsource\b", summary), episode.id
        if episode.kind == "proposal":
            assert "rests on the source" in summary, episode.id
    for episode in chronicle.proposals:
        if ANONYMOUS_SOURCE in episode.sources:
            assert re.search(r"rests on (the source|these two Russian accounts)", normalized(episode.summary)), (
                episode.id
            )


def test_new_start_records_russias_announced_suspension_and_the_us_answer(chronicle):
    new_start = chronicle.treaties["new-start"]
    assert new_start.status == "expired"
    announced = [e for e in new_start.history if str(e.date) == "2023-02-21"]
    assert len(announced) == 1
    entry = announced[0]
    assert (entry.event, entry.by, entry.source) == (
        "suspended",
        "russia",
        "kremlin-2023-02-21-address-federal-assembly",
    )
    assert entry.episode and chronicle.episodes[entry.episode].by == "vladimir-putin"
    answers = [reply for _, reply in chronicle.thread(chronicle.episodes[entry.episode])]
    assert any(reply.by == "us-state-department" and "legally invalid" in reply.summary for reply in answers)
    summary = normalized(new_start.summary)
    assert "Russia suspended it" not in summary
    assert "suspending its participation" in summary and "legally invalid" in summary
    expiry = new_start.history[-1]
    assert (str(expiry.date), expiry.event, expiry.source) == ("2026-02-05", "expired", "new-start-2010-treaty-text")


def test_the_inf_treaty_ended_with_the_us_withdrawal_and_russia_suspended_it_first(chronicle):
    inf = chronicle.treaties["inf-treaty"]
    assert inf.status == "terminated"
    events = [(str(entry.date), entry.event, entry.by) for entry in inf.history]
    assert ("2019-08-02", "terminated", None) in events
    assert events[-1][:2] == ("2019-08-02", "terminated")
    assert ("2019-02-02", "suspended", "russia") in events
    assert ("2019-03-04", "suspended", "russia") in events
    for entry in inf.history:
        if entry.by == "russia":
            assert entry.source and entry.episode, entry
    russian_suspension = chronicle.episodes["2019-02-02-russia-suspends-participation-in-inf-treaty"]
    assert russian_suspension.responds_to == "2019-02-01-us-announces-inf-withdrawal"
    announcement = chronicle.episodes["2019-02-01-us-announces-inf-withdrawal"]
    assert "suspend its obligations under the INF Treaty" in announcement.title


def test_the_posts_paraphrase_of_an_unnamed_official_is_attributed_to_the_official(chronicle):
    episode = chronicle.episodes["2022-01-us-asks-russia-to-keep-written-response-secret"]
    quotes = [q for q in episode.quotes if q.text.startswith("the written response will continue to fall short")]
    assert len(quotes) == 1
    quote = quotes[0]
    assert quote.speaker is None
    assert "official" in quote.attributed_to and "paraphrase" in quote.attributed_to


def test_the_secrecy_request_is_told_after_the_meeting_and_before_the_reply(chronicle):
    order = [episode.id for episode in chronicle.timeline]
    secrecy = order.index("2022-01-us-asks-russia-to-keep-written-response-secret")
    assert order.index("2022-01-21-lavrov-blinken-meeting-geneva") < secrecy
    assert order.index("2022-01-21-lavrov-urges-publication-of-us-response") < secrecy
    assert secrecy < order.index("2022-01-26-us-delivers-written-response")
    assert str(chronicle.episodes[order[secrecy]].date).endswith("?"), "the day is inferred, so it stays marked"


def test_the_link_from_zakharovas_reply_to_wray_is_labelled_an_inference(chronicle):
    reply = chronicle.episodes["2020-09-zakharova-rejects-wray-accusations"]
    assert reply.responds_to == "2020-09-17-wray-testifies-on-russian-election-interference"
    summary = normalized(reply.summary)
    assert "the Chronicle's inference" in summary
    assert '"these accusations"' in summary
    assert "accusations made in Wray's testimony" not in summary


def test_lavrovs_two_accusations_are_apart_and_mueller_is_named_in_the_quote(chronicle):
    interview = chronicle.episodes["2019-09-04-lavrov-vladivostok-interview"]
    texts = [quote.text for quote in interview.quotes]
    obama = [text for text in texts if "Obama" in text]
    democrats = [text for text in texts if "Russia card" in text]
    assert len(obama) == 1 and len(democrats) == 1
    assert "Russia card" not in obama[0] and "Obama" not in democrats[0]
    if "robert-mueller" in interview.actors:
        assert "Mueller" in democrats[0], "an actor named only in a cut clause"
    assert any(text.startswith("those proposals concern spheres of strategic stability") for text in texts)


def test_antonov_says_the_same_ideas_came_before_2022(chronicle):
    summary = normalized(chronicle.episodes["2024-antonov-conditions-to-restore-trust"].summary)
    assert "similar ideas before Russia began" in summary
    assert '"special military campaign"' in summary


def test_the_drafts_were_handed_over_before_they_were_published(chronicle):
    handed = chronicle.episodes["2021-12-15-russia-hands-draft-security-guarantees-to-us"]
    published = chronicle.episodes["2021-12-17-russia-publishes-draft-security-guarantees"]
    assert handed.kind == "proposal" and published.kind == "publication"
    assert handed.date < published.date
    replies = {reply.id for _, reply in chronicle.thread(handed)}
    assert {"2022-01-26-us-delivers-written-response", "2022-01-26-nato-conveys-written-proposals"} <= replies
    for treaty_id in handed.treaties:
        first = chronicle.treaties[treaty_id].history[0]
        assert (str(first.date), first.event, first.episode) == ("2021-12-15", "proposed", handed.id)


def test_the_december_2021_thread_runs_to_russias_reply_and_the_invasion(chronicle):
    handed = chronicle.episodes["2021-12-15-russia-hands-draft-security-guarantees-to-us"]
    thread = {reply.id: depth for depth, reply in chronicle.thread(handed)}
    assert thread.get("2022-02-17-russia-replies-to-us-written-response") == 2
    invasion = chronicle.episodes["2022-02-24-russia-invades-ukraine"]
    assert invasion.kind == "context"
    assert {"kremlin-2022-02-24-address", "dantri-2024-russia-conditions-trust"} <= set(invasion.sources)
    assert chronicle.previous(invasion).id == "2022-02-17-russia-replies-to-us-written-response"


@pytest.mark.parametrize(
    ("episode_id", "kind", "official_source"),
    [
        ("2014-03-18-russia-annexes-crimea", "context", "kremlin-2014-03-18-crimea-treaty"),
        (
            "2014-03-us-sanctions-over-ukraine-and-crimea",
            "sanction",
            "ofac-2014-05-08-ukraine-related-sanctions-regulations",
        ),
        (
            "2016-10-07-us-accuses-russia-of-election-interference",
            "accusation",
            "dhs-odni-2016-10-07-election-security",
        ),
    ],
)
def test_the_context_the_articles_name_has_its_episodes(chronicle, episode_id, kind, official_source):
    episode = chronicle.episodes[episode_id]
    assert episode.kind == kind
    assert official_source in episode.sources
    assert any(source in SEED_OF_SOURCE for source in episode.sources), "the article that names it is cited"


WHERE_PUBLISHED = re.compile(r"website|Federal Register|\.gov\b|\.ru\b|Wikisource|treaty series", re.IGNORECASE)


def test_every_government_document_says_where_a_reader_can_find_it(chronicle):
    for source in chronicle.sources.values():
        if source.affiliation == "government" and not (source.url or source.archived_url):
            assert WHERE_PUBLISHED.search(normalized(source.notes or "")), source.id


def test_no_link_in_a_record_is_broken_by_line_folding(chronicle):
    records = [*chronicle.episodes.values(), *chronicle.treaties.values(), *chronicle.sources.values()]
    for record in records:
        for text in strings_in(record.model_dump(mode="json")):
            assert not re.search(r"\]\([^)]*\s[^)]*\)", text), f"{record.id}: a link target holds a space"
