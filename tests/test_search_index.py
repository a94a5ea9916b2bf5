"""The search index the build makes (macros/search_index.py) and the worker that takes it
(overrides/assets/javascripts/workers/chronicle-search.js).

The browser tests hand the same entries to Material's own worker, which indexes
them, and to the site's, which takes the built index: every result of every
query, scores, highlighting and suggestions included, must be the same.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import REPO, mkdocs_build
from sitetools import open_search, serve, site_page

from macros import search_index
from macros.search_index import STOP_WORDS, build, built_json, supports, with_index, written_config

CONFIG = {
    "lang": ["en", "ru"],
    "separator": r"[\s\-]+",
    "pipeline": ["stopWordFilter"],
    "fields": {"names": {"boost": 10000}, "title": {"boost": 1000.0}, "text": {"boost": 1.0}, "tags": {"boost": 1e6}},
}


def terms(value):
    return search_index._Analyser().terms(value)


def test_words_are_split_lowercased_trimmed_and_stop_words_dropped():
    assert terms("The Treaty, signed «in» Moscow.") == ["treaty", "signed", "moscow"]
    assert terms("Non-interference of the U.S.") == ["non", "interference", "u.s"]
    assert terms("Договор и «Протокол»") == ["договор", "протокол"]


def test_javascripts_idea_of_a_space_and_a_word_character_is_kept():
    # JavaScript's \s takes U+FEFF and not U+001C; its \w is ASCII: "café" loses its é at the edge.
    assert terms("x\ufeffy x\x1cy") == ["x", "y", "x\x1cy"]
    assert terms("café naïve") == ["caf", "naïve"]
    # A token of no word character is trimmed to nothing, and Lunr indexes that too.
    assert terms("war — peace") == ["war", "", "peace"]


def test_markup_is_not_indexed_but_the_text_between_it_is():
    assert terms('<p>Hello <a href="/treaty">world</a></p><br/> later') == ["hello", "world", "later"]
    assert terms(["First tag", "second"]) == ["first", "tag", "second"]
    assert terms("x < y") == ["x", "", "y"]  # a "<" that opens no tag is text
    assert terms(None) == [] and terms(7) == [] and terms(["word", 7]) == ["word"]


def test_characters_beyond_the_basic_plane_stay_inside_a_term():
    assert terms("a😀b <b>x</b> 😀") == ["a😀b", "x", ""]


def test_the_stop_words_are_the_ones_the_theme_ships():
    material = Path(__import__("material").__file__).parent / "templates" / "assets" / "javascripts"
    worker = next((material / "workers").glob("search.*.min.js")).read_text(encoding="utf-8")
    english = re.search(r"stopWordFilter=\w+\.generateStopWordFilter\(\[([^\]]*)\]", worker).group(1)
    russian = re.search(
        r'stopWordFilter=\w+\.generateStopWordFilter\("([^"]*)"\.split',
        (material / "lunr" / "min" / "lunr.ru.min.js").read_text(encoding="utf-8"),
    ).group(1)
    shipped = set(re.findall(r'"([^"]+)"', english)) | {word.replace("\\ufeff", "\ufeff") for word in russian.split()}
    assert shipped == STOP_WORDS
    assert f'version="{search_index.LUNR_VERSION}"' in worker


def doc(location, **fields):
    return {"location": location, **fields}


def test_the_index_lists_terms_in_javascripts_order_numbered_as_lunr_meets_them():
    built = build(
        {
            "config": CONFIG,
            "docs": [
                doc("a.html", title="zebra aｚb", text="apple zebra"),
                doc("b.html", title="a😀b", text="apple apple", names="Zed"),
            ],
        }
    )
    # UTF-16 order: U+1F600 is a surrogate pair (D83D…), which sorts before U+FF5A.
    assert built["terms"] == ["apple", "a😀b", "aｚb", "zebra", "zed"]
    numbered = dict(zip(built["terms"], built["order"], strict=True))
    assert numbered == {"zebra": 0, "aｚb": 1, "apple": 2, "zed": 3, "a😀b": 4}
    fields = built["fields"]
    assert fields == ["names", "title", "text", "tags"]
    postings = dict(zip(built["terms"], built["postings"], strict=True))
    # Entry numbers, as the first and the gaps after it; minus the count after an entry that
    # holds the term more than once ("apple apple").
    assert postings["apple"] == [[], [], [0, 1, -2], []]
    assert postings["zebra"] == [[], [0], [0], []]
    assert postings["zed"] == [[1], [], [], []]
    assert built["lengths"] == [[0, 1], [2, 1], [2, 2], [0, 0]]  # terms in each field of each entry
    assert built["averageFieldLength"] == [0.5, 1.5, 2.0, 0.0]  # terms a field, over the entries
    assert built["format"] == search_index.FORMAT and built["lunr"] == "2.3.9"


def test_while_serving_a_rebuild_takes_the_terms_of_unchanged_texts_from_the_last_build(monkeypatch):
    docs = [doc(f"{n}.html", title=f"Episode {n}", text="The same summary", names="Лавров") for n in range(4)]
    remembered: dict[str, list[str]] = {}
    first = build({"config": CONFIG, "docs": docs}, remembered)
    assert first == build({"config": CONFIG, "docs": docs})
    assert remembered["The same summary"] == ["same", "summary"]  # "the": a stop word
    edited = [*docs[:3], doc("3.html", title="Episode 3", text="An edited summary", names="Лавров")]
    analysed = []
    found = search_index._Analyser.terms
    monkeypatch.setattr(
        search_index._Analyser, "terms", lambda self, value: analysed.append(value) or found(self, value)
    )
    again = build({"config": CONFIG, "docs": edited}, remembered)
    assert [value for value in analysed if value is not None] == ["An edited summary"]  # the only new text
    monkeypatch.undo()
    assert again == build({"config": CONFIG, "docs": edited})
    assert "The same summary" in remembered and "An edited summary" in remembered
    assert set(remembered) == {
        "Episode 0",
        "Episode 1",
        "Episode 2",
        "Episode 3",
        "The same summary",
        "An edited summary",
        "Лавров",
    }  # this build's texts only


def test_no_index_where_the_browser_would_build_another():
    docs = [doc("a.html", title="x", text="y")]
    assert supports(CONFIG)
    assert build({"config": {**CONFIG, "pipeline": ["stopWordFilter", "stemmer"]}, "docs": docs}) is None
    assert build({"config": {**CONFIG, "lang": ["en"]}, "docs": docs}) is None
    assert build({"config": CONFIG, "docs": docs + docs}) is None  # two entries at one address
    assert build({"config": CONFIG, "docs": []}) is None


def test_the_index_goes_into_the_config_and_the_entries_stay_as_material_wrote_them():
    docs = [doc("a.html", title="Treaty", text="text", boost=2), doc("b.html", title="Other", text=None)]
    written = json.dumps({"config": CONFIG, "docs": docs}, separators=(",", ":"))
    out = with_index(written, built_json(CONFIG, docs))
    assert out.endswith(written[written.index(',"docs":') :])
    data = json.loads(out)
    assert data["docs"] == docs
    assert data["config"]["chronicle_index"] == build({"config": CONFIG, "docs": docs})
    unknown = json.dumps({"config": {**CONFIG, "lang": ["de"]}, "docs": docs}, separators=(",", ":"))
    assert with_index(unknown, built_json(CONFIG, docs)) == unknown  # built for another configuration
    assert with_index(unknown, built_json({**CONFIG, "lang": ["de"]}, docs)) == unknown  # none built


def test_the_index_is_written_as_json_would_write_it():
    """The index's arrays are written by hand, not by the json module: the same JSON."""
    docs = [doc("a.html", title="Treaty Treaty", text="text <b>bold</b> text"), doc("b.html", title="Др", text="x")]
    built = search_index._build(CONFIG, docs, None)
    assert json.loads(search_index._json(built)) == json.loads(json.dumps(built, default=lambda numbers: list(numbers)))
    assert any(-2 in numbers for holders in built["postings"] for numbers in holders)  # a count, written too


def test_an_index_goes_in_only_if_built_for_the_configuration_material_wrote():
    """The build makes the index before Material writes its JSON, so as not to hold both at once;
    it checks it made it for the configuration Material wrote (else makes it again for that one)."""
    docs = [doc("a.html", title="Treaty", text="text <b>bold</b>"), doc("b.html", title="Другой", text="x y")]
    written = json.dumps({"config": CONFIG, "docs": docs}, separators=(",", ":"))
    assert written_config(written) == CONFIG and written_config("[]") is None
    assert with_index(written, (CONFIG, '"planted"')).count('"chronicle_index":"planted"') == 1
    other = {**CONFIG, "fields": {"title": {"boost": 1000.0}, "text": {"boost": 1.0}}}
    assert with_index(written, (other, '"planted"')) == written
    assert with_index(written, None) == written
    assert built_json({**CONFIG, "lang": ["de"]}, docs) is None and built_json(None, docs) is None


def test_the_pages_name_the_sites_worker_and_the_index_carries_the_built_one(small_site: Path):
    page = (small_site / "index.html").read_text(encoding="utf-8")
    worker = r'"search": "assets/javascripts/workers/chronicle-search\.js\?material=search\.\w+\.min\.js"'
    assert re.search(worker, page)
    assert (small_site / "assets" / "javascripts" / "workers" / "chronicle-search.js").is_file()
    index = json.loads((small_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["chronicle_index"] == build({"config": index["config"], "docs": index["docs"]})
    offline = (small_site / "search" / "search_index.js").read_text(encoding="utf-8")
    assert offline.startswith("var __index = ") and '"chronicle_index":' in offline


def test_without_the_built_index_the_pages_use_materials_worker(tmp_path: Path):
    site = tmp_path / "site"
    result = mkdocs_build(REPO / "tests" / "fixtures" / "small", site, CHRONICLE_SEARCH_INDEX="browser")
    assert result.returncode == 0, result.stderr
    page = (site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'"search": "assets/javascripts/workers/search\.\w+\.min\.js"', page)
    assert "chronicle_index" not in (site / "search" / "search_index.json").read_text(encoding="utf-8")


# --- The two workers, side by side in Chromium ----------------------------------------

# Each worker's answer to the setup and to each query; an answer marked partial (the site's
# first answer to a query with many results) is kept apart, and the complete one awaited.
ASK_BOTH = """
async ([material, ours, index, queries]) => {
  async function answers(url) {
    const worker = new Worker(url);
    let waiting = null;
    let partials = [];
    worker.onmessage = (event) => event.data.partial ? partials.push(event.data) : waiting(event.data);
    worker.onerror = (event) => waiting({ error: event.message });
    const send = (message) => new Promise((resolve) => { waiting = resolve; worker.postMessage(message); });
    const ready = await send({ type: 0, data: index });
    const results = [ready];
    const firsts = [[]];
    for (const query of queries) {
      partials = [];
      results.push(await send({ type: 2, data: query }));
      firsts.push(partials);
    }
    worker.terminate();
    return [results, firsts];
  }
  return [await answers(material), await answers(ours)];
}
"""

QUERIES = [
    "treaty", "Treaty", "INF Treaty", "treat*", "*ty", "treaty~1", "title:treaty", "text:moscow",
    "+treaty +russia", "-treaty", "+treaty -inf", "Договор", "Лаврова", "Путин", "москва", "1933",
    "2017–2018", "non-interference", "U.S.", "the", "a", "e", "zzz", "caf", "a😀b", "new start",
    "guarantees^10 security", "", "   ",
]  # fmt: skip


def workers(site: Path) -> tuple[str, str]:
    material = next((site / "assets" / "javascripts" / "workers").glob("search.*.min.js")).name
    folder = "assets/javascripts/workers/"
    return folder + material, f"{folder}chronicle-search.js?material={material}"


def ask_both(browser, site: Path, index: dict, queries: list[str]) -> tuple[list, list, list]:
    """Material's worker's answers and the site's complete ones, and the site's first answers:
    each is checked against its complete one."""
    with serve(site) as base, site_page(browser, base) as page:
        page.goto(base + "index.html")
        (material, material_firsts), (ours, our_firsts) = page.evaluate(ASK_BOTH, [*workers(site), index, queries])
        assert page.errors == [] and page.csp_refusals == []
    assert not any(material_firsts)
    for firsts, complete in zip(our_firsts, ours, strict=True):
        assert_first_answers_lead_to_the_complete_ones(firsts, complete)
    return material, ours, our_firsts


SHOWN_FIRST = 10  # result groups Material shows before the reader scrolls


def assert_first_answers_lead_to_the_complete_ones(firsts: list[dict], complete: dict) -> None:
    """A first answer lists the complete answer's results, in its order, with its scores and
    suggestions; the groups Material shows first are highlighted already, exactly as in the
    complete answer."""
    for first in firsts:
        assert first["type"] == complete["type"] == 3
        items, final = first["data"]["items"], complete["data"]["items"]
        assert len(items) == len(final) > SHOWN_FIRST
        assert items[:SHOWN_FIRST] == final[:SHOWN_FIRST]
        assert [[(item["location"], item["score"]) for item in group] for group in items] == [
            [(item["location"], item["score"]) for item in group] for group in final
        ]
        assert first["data"].get("suggest") == complete["data"].get("suggest")


def setup(index: dict) -> dict:
    """What the theme posts to the worker: the configuration and the entries, nothing else."""
    return {"config": index["config"], "docs": index["docs"], "options": {"suggest": True}}


@pytest.mark.browser
def test_every_answer_on_the_real_record_is_the_one_materials_worker_gives(browser, real_site: Path):
    index = json.loads((real_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    material, ours, firsts = ask_both(browser, real_site, setup(index), QUERIES)
    assert sum(len(answer["data"]["items"]) for answer in material[1:]) > 100  # the queries find things
    # "treaty", "e", "1933"...: more results than Material shows first. Their first answers
    # leave results plain that the complete ones highlight.
    assert sum(map(len, firsts)) >= 3
    assert any(
        first["data"] != complete["data"] for answers, complete in zip(firsts, ours, strict=True) for first in answers
    )
    for query, theirs, mine in zip(["(setup)", *QUERIES], material, ours, strict=True):
        assert mine == theirs, query


@pytest.mark.browser
def test_every_answer_on_awkward_text_is_the_one_materials_worker_gives(browser, small_site: Path):
    docs = [
        doc("a.html", title="War — and «peace»", text="<p>Treaty <code>INF</code> signed</p> in Moscow", boost=2),
        doc("a.html#section", title="Café naïve", text="a😀b <em>nested <b>deep</b></em> tail-end a\ufeffb"),
        doc("b.html", title="Договор и протокол", text="Лаврова, Путин — 1933/2017–2018", names="Путин Putin"),
        doc("c.html", title="The the THE", text="", tags=["treaty", "moscow <b>x</b>"]),
        doc("d.html", title="U.S.–Russia", text="non-interference treaty treaty treaty"),
    ]
    index = {"config": {**CONFIG, "chronicle_index": build({"config": CONFIG, "docs": docs})}, "docs": docs}
    queries = [*QUERIES, "peace", "deep", "nested", "tail", "x", "section"]
    material, ours, _ = ask_both(browser, small_site, setup(index), queries)
    assert sum(len(answer["data"]["items"]) for answer in material[1:]) > 20
    for query, theirs, mine in zip(["(setup)", *queries], material, ours, strict=True):
        assert mine == theirs, query


@pytest.mark.browser
def test_the_site_worker_searches_the_built_index_not_the_entries(browser, small_site: Path):
    """Emptied postings find nothing: the worker did not index the entries itself."""
    index = json.loads((small_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    built = index["config"]["chronicle_index"]
    emptied = {**built, "postings": [[[] for _ in built["fields"]] for _ in built["terms"]]}
    index["config"]["chronicle_index"] = emptied
    material, ours, _ = ask_both(browser, small_site, setup(index), ["treaty"])
    assert material[1]["data"]["items"] and not ours[1]["data"]["items"]
    for unknown in ({**emptied, "format": 0}, {**emptied, "lunr": "2.3.8"}):  # not for it: it indexes
        index["config"]["chronicle_index"] = unknown
        material, ours, _ = ask_both(browser, small_site, setup(index), ["treaty"])
        assert ours == material


# Messages posted together: the worker takes each before any second answer is due. Once a
# complete answer holds `last`, a query that finds nothing follows: every answer the worker
# gives before that one's belongs to the queries posted together.
ASK_TOGETHER = """
async ([worker, index, queries, last]) => {
  const running = new Worker(worker);
  const answers = [];
  let done = null;
  let closing = false;
  running.onmessage = (event) => {
    answers.push(event.data);
    const complete = event.data.type === 3 && !event.data.partial;
    if (complete && closing && event.data.data.items.length === 0) done();
    else if (complete && !closing && JSON.stringify(event.data.data.items).includes(last)) {
      closing = true;
      running.postMessage({ type: 2, data: "zzzzqx" });
    }
  };
  const settled = new Promise((resolve) => { done = resolve; });
  running.postMessage({ type: 0, data: index });
  for (const query of queries) running.postMessage({ type: 2, data: query });
  await settled;
  running.terminate();
  return answers;
}
"""


def ask_together(browser, site: Path, queries: list[str], last: str) -> list[dict]:
    """The site's worker's answers to `queries` posted at once, up to a complete answer that
    holds `last` (a word of the last query's results) and a closing query's answer."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    with serve(site) as base, site_page(browser, base) as page:
        page.goto(base + "index.html")
        answers = page.evaluate(ASK_TOGETHER, [workers(site)[1], setup(index), queries, last])
        assert page.errors == [] and page.csp_refusals == []
    return answers


def kinds(answers: list[dict]) -> list[str]:
    return ["ready" if a["type"] == 1 else "first" if a.get("partial") else "complete" for a in answers]


@pytest.mark.browser
def test_a_query_asked_before_the_second_answer_to_another_stops_it(browser, real_site: Path):
    """The reader typed on: the earlier query gets no second answer, the later one exactly one."""
    answers = ask_together(browser, real_site, ["treaty", "e"], "<mark>E")
    assert kinds(answers) == ["ready", "first", "first", "complete", "complete"]
    assert answers[2]["data"]["items"][0] == answers[3]["data"]["items"][0]  # the last query's
    assert answers[4]["data"]["items"] == []  # the closing query's


@pytest.mark.browser
def test_a_query_asked_twice_gets_one_complete_answer_after_the_first_ones(browser, real_site: Path):
    """The theme may post the same query twice: both get a first answer, and one complete one follows."""
    answers = ask_together(browser, real_site, ["treaty", "treaty"], "<mark>Treaty")
    assert kinds(answers) == ["ready", "first", "first", "complete", "complete"]
    assert answers[1] == answers[2]
    assert answers[4]["data"]["items"] == []


@pytest.mark.browser
def test_from_disk_the_results_past_the_first_groups_are_highlighted_once_the_complete_answer_comes(
    real_site: Path, offline_page
):
    """Read from disk the worker runs on the page's thread: its second answer waits for the page
    to draw the first, then replaces it, and the results a reader scrolls to are highlighted."""
    page = offline_page
    page.goto((real_site / "index.html").as_uri())
    open_search(page, "treaty")
    # Scrolled up and down, frame after frame, until a result past the first answer's highlighted
    # groups shows highlighted ("treaty" finds 53 groups). Material adds four groups each time
    # the end of the list comes into view, and draws the list anew when the complete answer comes.
    page.wait_for_function(
        """() => {
          const list = document.querySelector(".md-search__scrollwrap");
          const past = document.querySelectorAll(".md-search-result__item:nth-child(n+45) mark");
          if (past.length) return true;
          if (list.scrollTop + list.clientHeight >= list.scrollHeight - 1) list.scrollBy(0, -200);
          else list.scrollTo(0, list.scrollHeight);
          return false;
        }""",
        polling="raf",
    )
    assert page.errors == [] and page.request_log.outside == []
