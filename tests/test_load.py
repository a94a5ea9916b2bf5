"""The loader on small folders, good and bad: every refusal of the data contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from macros.load import DataError, load

GOOD_EPISODE = """\
title: A statement
date: 2019-09-04
kind: statement
summary: Someone said something.
sources: [test-wire-2019]
"""
AS_PROPOSAL = GOOD_EPISODE.replace("kind: statement", "kind: proposal")
LAVROV = "    speaker: sergey-lavrov\n"


def faults_of(folder: Path) -> list[str]:
    with pytest.raises(DataError) as caught:
        load(folder)
    return [str(fault) for fault in caught.value.faults]


def write(folder: Path, relative: str, text: str | bytes) -> Path:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def only_fault(folder: Path) -> str:
    faults = faults_of(folder)
    assert len(faults) == 1, faults
    return faults[0]


def test_the_fixture_folder_loads(data_copy):
    dataset = load(data_copy)
    assert set(dataset.episodes) == {"2018-06-test-proposal", "2018-07-test-refusal", "2019-09-04-test-interview"}
    assert dataset.actors["sergey-lavrov"].native_name == "Сергей Лавров"
    assert str(dataset.sources["test-paper-2018"].published) == "2018-11?"
    assert dataset.episodes["2018-07-test-refusal"].responds_to == "2018-06-test-proposal"


def test_records_naming_one_record_share_its_id(data_copy):
    """Thousands of references name a few hundred records: each id is held once, not per file."""
    dataset = load(data_copy)
    references = [
        reference
        for episode in dataset.episodes.values()
        for reference in (episode.by, episode.to, *episode.actors, *episode.sources, *episode.tags)
        if reference
    ]
    assert len(references) > len(set(references))  # the fixture names some records twice
    shared = {}
    assert all(shared.setdefault(reference, reference) is reference for reference in references)


def test_readme_dotfiles_and_a_bom_are_fine(data_copy):
    write(data_copy, "episodes/README.md", "# Episodes\n")
    write(data_copy, "episodes/.hidden.yml", "not: [valid")
    write(data_copy, "episodes/with-bom.yml", "\ufeff" + GOOD_EPISODE)
    assert "with-bom" in load(data_copy).episodes


def test_missing_folder_and_missing_collections(tmp_path):
    assert "does not exist" in only_fault(tmp_path / "nowhere")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert load(empty).episodes == {}


@pytest.mark.parametrize(
    ("relative", "content", "expected"),
    [
        ("episodes/bad.yml", b"title: \xff\xfe\n", "episodes/bad.yml:1: not valid UTF-8"),
        ("episodes/bad.yml", "title: [unclosed\nkind: x\n", "episodes/bad.yml:2: not valid YAML"),
        ("episodes/bad.yml", "", "episodes/bad.yml:1: the file is empty"),
        ("episodes/bad.yml", "# only a comment\n", "episodes/bad.yml:1: the file is empty"),
        ("episodes/bad.yml", "- a\n- b\n", "episodes/bad.yml:1: a record is a mapping of fields, not a list"),
        ("episodes/bad.yml", "just text\n", "a record is a mapping of fields, not a str"),
        ("episodes/Bad_Name.yml", GOOD_EPISODE, "episodes/Bad_Name.yml: 'Bad_Name' is not a valid id"),
        ("episodes/double--hyphen.yml", GOOD_EPISODE, "'double--hyphen' is not a valid id"),
        ("episodes/" + "a" * 81 + ".yml", GOOD_EPISODE, "is not a valid id"),
        ("episodes/notes.txt", "hello", "episodes/notes.txt: only .yml files belong in a collection folder"),
        ("episodes/old.yaml", GOOD_EPISODE, "episodes/old.yaml: only .yml files belong"),
        ("episodes/sub/x.yml", GOOD_EPISODE, "episodes/sub: a folder inside a collection is not read"),
    ],
)
def test_files_that_are_not_records(data_copy, relative, content, expected):
    write(data_copy, relative, content)
    assert expected in only_fault(data_copy)


def test_alias_bomb_is_refused_without_expanding(data_copy):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    write(data_copy, "actors/bomb.yml", "\n".join(lines) + "\n")
    fault = only_fault(data_copy)
    assert "actors/bomb.yml:1: YAML aliases would expand" in fault and "refused" in fault


def test_honest_aliases_are_fine(data_copy):
    write(
        data_copy,
        "episodes/aliased.yml",
        "title: &t A statement\ndate: 2019-09-04\nkind: statement\nsummary: *t\nsources: &s [test-wire-2019]\n",
    )
    assert load(data_copy).episodes["aliased"].summary == "A statement"


def test_repeated_field_is_refused(data_copy):
    write(data_copy, "actors/twice.yml", "name: A\ntype: person\nname: B\n")
    assert "actors/twice.yml:3: name: the field appears twice (first on line 1)" in only_fault(data_copy)


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        (GOOD_EPISODE.replace("title: A statement\n", ""), "episodes/e.yml:1: title: required field is missing"),
        (GOOD_EPISODE + "colour: red\n", "episodes/e.yml:6: colour: unknown field"),
        (GOOD_EPISODE + "id: e\n", "episodes/e.yml:6: id: unknown field"),
        (GOOD_EPISODE.replace("kind: statement", "kind: rumour"), "episodes/e.yml:3: kind: Input should be"),
        (GOOD_EPISODE.replace("A statement", "x" * 141), "episodes/e.yml:1: title: String should have at most 140"),
        (GOOD_EPISODE.replace("Someone said something.", "y" * 701), "episodes/e.yml:4: summary: String should"),
        (GOOD_EPISODE.replace("2019-09-04", "2018-13"), "episodes/e.yml:2: date: '2018-13' is not a date"),
        (GOOD_EPISODE.replace("2019-09-04", "2018-02-30"), "episodes/e.yml:2: date: '2018-02-30' is not a date"),
        (GOOD_EPISODE.replace("2019-09-04", "June 2018"), "episodes/e.yml:2: date: 'June 2018' is not a date"),
        (GOOD_EPISODE + "end: 2019-09-01\n", "episodes/e.yml:6: end: end 2019-09-01 is before date 2019-09-04"),
        (GOOD_EPISODE + "by: nobody\n", "episodes/e.yml:6: by: no actors record has the id 'nobody'"),
        (GOOD_EPISODE + "to: nobody\n", "episodes/e.yml:6: to: no actors record has the id 'nobody'"),
        (GOOD_EPISODE + "actors: [russia, ghost]\n", "episodes/e.yml:6: actors[1]: no actors record"),
        (GOOD_EPISODE + "treaties: [nope]\n", "episodes/e.yml:6: treaties[0]: no treaties record has the id 'nope'"),
        (GOOD_EPISODE + "responds_to: nope\n", "episodes/e.yml:6: responds_to: no episodes record"),
        (GOOD_EPISODE + "responds_to: e\n", "episodes/e.yml:6: responds_to: an episode cannot respond to itself"),
        (GOOD_EPISODE.replace("[test-wire-2019]", "[nope]"), "episodes/e.yml:5: sources[0]: no sources record"),
        (GOOD_EPISODE.replace("[test-wire-2019]", "[]"), "episodes/e.yml:5: sources: List should have at least 1"),
        (GOOD_EPISODE + "tags: [nope]\n", "episodes/e.yml:6: tags[0]: unknown tag 'nope'"),
        (
            GOOD_EPISODE.replace("kind: statement", "kind: proposal"),
            "episodes/e.yml:1: outcome: a proposal needs an outcome",
        ),
        (GOOD_EPISODE + "outcome: rejected\n", "episodes/e.yml:6: outcome: only a proposal has an outcome"),
        (
            AS_PROPOSAL + "outcome: maybe\n",
            "episodes/e.yml:6: outcome: Input should be",
        ),
    ],
)
def test_episode_refusals_name_file_line_and_field(data_copy, yaml_text, expected):
    write(data_copy, "episodes/e.yml", yaml_text)
    assert expected in only_fault(data_copy)


QUOTE = "quotes:\n  - text: {text}\n    source: {source}\n{who}"


@pytest.mark.parametrize(
    ("text", "source", "who", "expected"),
    [
        (
            " ".join(["word"] * 61),
            "test-wire-2019",
            "    speaker: sergey-lavrov\n",
            "quotes[0].text: a quote is at most 60",
        ),
        (
            "Fine words",
            "test-paper-2018",
            "    speaker: sergey-lavrov\n",
            "quotes[0].source: quote 0 cites 'test-paper-2018'",
        ),
        ("Fine words", "test-wire-2019", "", "quotes[0].attributed_to: a quote needs a speaker"),
        ("Fine words", "test-wire-2019", "    speaker: ghost\n", "quotes[0].speaker: no actors record"),
        ("Fine words", "test-wire-2019", "    speaker: sergey-lavrov\n    lang: not a language\n", "quotes[0].lang"),
    ],
)
def test_quote_refusals(data_copy, text, source, who, expected):
    write(data_copy, "episodes/e.yml", GOOD_EPISODE + QUOTE.format(text=text, source=source, who=who))
    fault = only_fault(data_copy)
    assert "episodes/e.yml:" in fault and expected in fault


def test_sixty_words_and_an_anonymous_speaker_are_fine(data_copy):
    who = "    attributed_to: a source in the Russian Foreign Ministry\n"
    write(
        data_copy,
        "episodes/e.yml",
        GOOD_EPISODE + QUOTE.format(text=" ".join(["w"] * 60), source="test-wire-2019", who=who),
    )
    assert load(data_copy).episodes["e"].quotes[0].lang == "en"


@pytest.mark.parametrize(
    ("field_text", "expected"),
    [
        ("url: javascript:alert(1)\n", "sources/s.yml:6: url: 'javascript:alert(1)' is not an http(s) URL"),
        ("url: ftp://example.org/a\n", "url: 'ftp://example.org/a' is not an http(s) URL"),
        ("archived_url: example.org\n", "sources/s.yml:6: archived_url: 'example.org' is not an http(s) URL"),
        ("affiliation_note: x\n", "affiliation_note: unknown field"),
        ("notes: '[x](javascript:alert(1))'\n", "sources/s.yml:6: notes: link 'javascript:alert(1)' is not allowed"),
        ("notes: '[x](data:text/html,hi)'\n", "notes: link 'data:text/html,hi' is not allowed"),
        ("notes: '[x](episodes/ghost.md)'\n", "notes: link 'episodes/ghost.md' names no record"),
    ],
)
def test_source_refusals(data_copy, field_text, expected):
    base = "title: T\noutlet: O\ntype: news\naffiliation: state-media\npublished: 2019\n"
    write(data_copy, "sources/s.yml", base + field_text)
    assert expected in only_fault(data_copy)


def test_links_to_http_and_to_the_site_are_fine(data_copy):
    notes = "notes: 'See [a](https://example.org), [b](episodes/2018-06-test-proposal.md) and [c](methodology.md).'\n"
    base = "title: T\noutlet: O\ntype: news\naffiliation: state-media\npublished: 2019\n"
    write(data_copy, "sources/s.yml", base + notes)
    assert "s" in load(data_copy).sources


def test_actor_refusals(data_copy):
    write(data_copy, "actors/a.yml", "name: A\ntype: person\nwikidata: 12345\ncountry: atlantis\n")
    write(
        data_copy,
        "actors/b.yml",
        "name: B\ntype: robot\nroles:\n  - title: Minister\n    of: ghost\n    from: 2018-13\n",
    )
    faults = faults_of(data_copy)
    assert any("actors/a.yml:3: wikidata:" in f for f in faults)
    assert any("actors/a.yml:4: country: no actors record has the id 'atlantis'" in f for f in faults)
    assert any("actors/b.yml:2: type: Input should be" in f for f in faults)
    assert any("actors/b.yml:5: roles[0].of: no actors record" in f for f in faults)
    assert any("actors/b.yml:6: roles[0].from: '2018-13' is not a date" in f for f in faults)


def test_treaty_history_out_of_order(data_copy):
    path = data_copy / "treaties/test-treaty.yml"
    path.write_text(path.read_text().replace('date: "2018-06"', "date: 1920"), encoding="utf-8")
    assert "treaties/test-treaty.yml:13: history[1].date: entries must be in date order" in only_fault(data_copy)


def test_treaty_refusals(data_copy):
    path = data_copy / "treaties/test-treaty.yml"
    text = path.read_text().replace("status: historical", "status: forgotten").replace("event: signed", "event: sealed")
    path.write_text(text + "successor: ghost\ntext_url: javascript:x\n", encoding="utf-8")
    faults = faults_of(data_copy)
    assert any("status: Input should be" in f for f in faults)
    assert any("history[0].event: Input should be" in f for f in faults)
    assert any("successor: no treaties record has the id 'ghost'" in f for f in faults)
    assert any("text_url: 'javascript:x' is not an http(s) URL" in f for f in faults)


def test_tags_file_refusals(data_copy):
    write(data_copy, "tags.yml", "good:\n  label: Good\nBad Tag:\n  label: x\nnolabel:\n  description: y\n")
    faults = faults_of(data_copy)
    assert any("tags.yml:3: Bad Tag: not a valid tag id" in f for f in faults)
    assert any("tags.yml:5: nolabel.label: required field is missing" in f for f in faults)
    # every record that uses a tag that is no longer defined is named too
    assert any("episodes/2018-06-test-proposal.yml:14: tags[0]: unknown tag 'non-interference'" in f for f in faults)


def test_reply_cycles_are_refused(data_copy):
    path = data_copy / "episodes/2018-06-test-proposal.yml"
    path.write_text(path.read_text() + "responds_to: 2018-07-test-refusal\n", encoding="utf-8")
    faults = faults_of(data_copy)
    assert any("responds_to: replies go round in a circle" in f for f in faults)


def test_every_fault_of_the_folder_in_one_run(data_copy):
    write(data_copy, "episodes/one.yml", GOOD_EPISODE + "colour: red\n")
    write(data_copy, "episodes/two.yml", GOOD_EPISODE.replace("2019-09-04", "2018-13"))
    write(data_copy, "actors/three.yml", "")
    write(data_copy, "sources/four.yml", "title: T\n")
    faults = faults_of(data_copy)
    assert len(faults) >= 4 + 3  # four files, and sources/four.yml misses outlet, type, affiliation, published
    named = {fault.split(":")[0].rsplit("/", 2)[-2] + "/" + fault.split(":")[0].rsplit("/", 1)[-1] for fault in faults}
    assert {"episodes/one.yml", "episodes/two.yml", "actors/three.yml", "sources/four.yml"} <= named


def test_environment_variable_names_the_folder(monkeypatch, tmp_path):
    from macros.load import data_dir

    monkeypatch.setenv("CHRONICLE_DATA", str(tmp_path))
    assert data_dir() == tmp_path
    monkeypatch.delenv("CHRONICLE_DATA")
    assert data_dir() == Path("data")
