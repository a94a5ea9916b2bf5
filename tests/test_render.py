"""Escaping and safe Markdown: no HTML and no unsafe link from a record reaches a page."""

from __future__ import annotations

import re

import markdown
import pytest
from conftest import SMALL

from macros import markup
from macros.index import Chronicle
from macros.load import load
from macros.render import Renderer, escape_text, href

# The page's own Markdown extensions, as mkdocs.yml lists them.
PAGE = markdown.Markdown(extensions=["tables", "def_list", "attr_list", "md_in_html", "pymdownx.escapeall"])


def as_page(text: str) -> str:
    return PAGE.reset().convert(text)


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "*emphasis* _and_ `code` # heading | cell",
        "![image](https://example.org/x.png)",
        "<https://example.org>",
        "&amp; &lt; entities",
        "\\*escaped\\* and trailing backslash \\",
        "1933. A year, not a list",
        "- not a list",
        "# not a heading",
        ": not a definition",
        "> not a quote",
        "{: .not-an-attribute }",
    ],
)
def test_plain_text_is_shown_literally(hostile):
    html = as_page(f"Before {escape_text(hostile)} after")
    assert "<script" not in html and "<img" not in html and "<a " not in html and "<em>" not in html
    assert "<code>" not in html
    text = html.removeprefix("<p>Before ").removesuffix(" after</p>")
    unescaped = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    assert unescaped == hostile


def test_escaped_text_is_safe_in_a_table_cell():
    html = as_page(f"| a | b |\n| --- | --- |\n| {escape_text('x | y')} | z |")
    assert "<td>x | y</td>" in html


def resolve(target: str) -> str:
    return "RESOLVED:" + target


def test_markdown_fields_keep_formatting_but_not_html():
    html = markup.to_html("**Bold**, *em* and <script>alert(1)</script> <b>raw</b>", resolve)
    assert "<strong>Bold</strong>" in html and "<em>em</em>" in html
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html


def test_a_body_keeps_its_headings_tables_and_code_under_the_page_sections():
    html = markup.to_html("# Background\n\n## Detail\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n    code", resolve)
    # The page's sections are h2: a record's top heading comes under them.
    assert "<h3>Background</h3>" in html and "<h4>Detail</h4>" in html
    assert "<table>" in html and "<td>1</td>" in html
    assert "<pre><code>code" in html
    assert " id=" not in html  # no anchors that could clash with the page's own


def test_a_body_written_from_h2_also_starts_at_h3():
    html = markup.to_html("## Background\n\ntext\n\n### Detail", resolve)
    assert "<h3>Background</h3>" in html and "<h4>Detail</h4>" in html


@pytest.mark.parametrize(
    "target",
    ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "vbscript:x", "//evil.example/x"],
)
def test_unsafe_links_lose_their_target(target):
    html = markup.to_html(f"[x]({target})", resolve)
    assert "javascript" not in html.lower() and "data:" not in html and "vbscript" not in html
    assert "evil.example" not in html
    assert markup.link_problem(target) is not None


def test_site_links_are_resolved_and_web_links_kept():
    html = markup.to_html("[a](episodes/x.md) and [b](https://example.org/p?q=1)", resolve)
    assert 'href="RESOLVED:episodes/x.md"' in html
    assert 'href="https://example.org/p?q=1"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_inline_drops_the_paragraph_and_blank_lines_never_remain():
    assert markup.to_html("just *this*", resolve, inline=True) == "just <em>this</em>"
    assert "\n\n" not in markup.to_html("one\n\ntwo\n\n- a\n- b", resolve)


def test_href_cannot_end_a_markdown_link():
    assert href("https://example.org/a (b)<c>") == "https://example.org/a%20%28b%29%3Cc%3E"


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(Chronicle(load(SMALL)), site_url="https://example.org/c")


def test_record_links_are_relative_to_the_page(renderer):
    episode = renderer.chronicle.episodes["2018-06-test-proposal"]
    page = renderer.record_page(episode).html
    assert '<a href="../actors/russia.html">Russia</a>' in page
    address = "https://example.org/c/episodes/2018-06-test-proposal.html"
    assert f'<a href="{address}">{address}</a>' in page
    latest = renderer.fragment("latest", count=5)
    assert "(episodes/2018-06-test-proposal.md)" in latest
    nested = renderer.fragment("latest", page_dir="about", count=5)
    assert "(../episodes/2018-06-test-proposal.md)" in nested


def test_record_link_macro_degrades_to_text(renderer):
    assert (
        renderer.fragment("record_link", address="actors/russia", text="Moscow").strip() == "[Moscow](actors/russia.md)"
    )
    assert renderer.fragment("record_link", address="actors/ghost", text="Ghost").strip() == "Ghost"


@pytest.mark.parametrize(
    "hostile",
    ["1933. A year", "2) item", "- item", "+ item", "# heading", ": definition", "> quote", "* item", "`code`"],
)
def test_plain_text_starting_a_line_opens_no_block(hostile):
    html = as_page(str(escape_text(hostile)))
    assert html.startswith("<p>") and html.endswith("</p>"), html
    assert html[3:-4].replace("&gt;", ">") == hostile


def test_each_record_page_suggests_a_citation(renderer):
    episode = renderer.chronicle.episodes["2018-06-test-proposal"]
    rendered = renderer.record_page(episode)
    page = rendered.html
    address = "https://example.org/c/episodes/2018-06-test-proposal.html"
    title = "Moscow proposes reaffirming the 1933 commitment"
    assert f'Permanent address:\n<a href="{address}">{address}</a>' in page
    # Chicago and APA, rendered from the record's CSL item, keep its month.
    chicago = re.search(r'<dd class="chronicle-cite__text" data-style="chicago">(.*?)</dd>', page)[1]
    apa = re.search(r'<dd class="chronicle-cite__text" data-style="apa">(.*?)</dd>', page)[1]
    assert "Moscow Proposes Reaffirming the 1933 Commitment" in chicago and "June 2018" in chicago
    assert f"<i>{title}</i>" in apa and "(2018, June)" in apa and address in apa
    assert 'href="2018-06-test-proposal.bib"' in page and 'href="2018-06-test-proposal.csl.json"' in page
    # The episode has quotes: the reader is told to cite their source too.
    assert "to cite a quote, cite its source as well" in page
    assert f'<meta name="citation_title" content="{title}">' in rendered.head
    treaty = renderer.record_page(renderer.chronicle.treaties["test-treaty"]).html
    assert "Test Agreement on Non-Interference" in treaty.split('id="cite-this-page"')[1]
    assert "cite its source as well" not in treaty


def test_a_record_page_is_html_with_its_sections_for_the_table_of_contents(renderer):
    page = renderer.record_page(renderer.chronicle.episodes["2018-06-test-proposal"])
    assert page.path == "episodes/2018-06-test-proposal.html"
    assert page.title == "Moscow proposes reaffirming the 1933 commitment"
    assert [anchor for _, anchor, _ in page.toc] == ["summary", "quotes", "thread", "sources", "cite-this-page"]
    assert page.html.count("<h1>") == 1 and "markdown=" not in page.html


def test_a_long_reply_chain_is_one_flat_list_indented_at_most_six_deep(renderer):
    page = renderer.record_page(renderer.chronicle.episodes["2018-07-test-refusal"]).html
    assert page.count('<ol class="chronicle-thread">') == 1
    assert 'class="chronicle-depth-1" aria-current="page"' in page


def _chain(length: int) -> Chronicle:
    """A folder of `length` episodes, each answering the one before."""
    from conftest import SMALL

    dataset = load(SMALL)
    first = dataset.collection("episodes")["2018-07-test-refusal"]
    episodes = {}
    for n in range(length):
        fields = {"responds_to": f"chain-{n - 1}"} if n else {"responds_to": None}
        episodes[f"chain-{n}"] = first.model_copy(update=fields).with_id(f"chain-{n}")
    dataset.collection("episodes").update(episodes)
    return Chronicle(dataset)


def test_a_long_reply_chain_makes_pages_of_bounded_size():
    sizes = {}
    for length in (100, 200):
        renderer = Renderer(_chain(length))
        pages = [renderer.record_page(renderer.chronicle.episodes[f"chain-{n}"]).html for n in range(length)]
        sizes[length] = sum(map(len, pages))
        middle = pages[length // 2]
        assert middle.count('<li class="chronicle-depth') <= 2 * 5 + 4
        assert "more steps" in middle and "later replies" in middle
    # Twice the chain, about twice the output: no page lists the whole chain.
    assert sizes[200] < 2.2 * sizes[100]


def _replies(updates: dict[str, dict]) -> Chronicle:
    """The small folder with more episodes, each a copy of the refusal with `updates` applied."""
    dataset = load(SMALL)
    episodes = dataset.collection("episodes")
    first = episodes["2018-07-test-refusal"]
    for episode_id, fields in updates.items():
        episodes[episode_id] = first.model_copy(update=fields).with_id(episode_id)
    return Chronicle(dataset)


def test_the_proposals_page_nests_each_reply_under_the_one_it_answers():
    from bs4 import BeautifulSoup

    from macros.dates import ChronicleDate

    chronicle = _replies(
        {
            "reply-2": {"responds_to": "2018-07-test-refusal", "date": ChronicleDate.parse("2018-08")},
            "reply-3": {"responds_to": "reply-2", "date": ChronicleDate.parse("2018-09")},
            "reply-4": {"responds_to": "2018-06-test-proposal", "date": ChronicleDate.parse("2018-10")},
        }
    )
    renderer = Renderer(chronicle)
    page = renderer.unstash(markdown.markdown(renderer.fragment("proposals"), extensions=["tables", "attr_list"]))
    replies = BeautifulSoup(page, "html.parser").select_one(".chronicle-replies > ul")

    def tree(listing) -> list:
        return [
            (item.a["href"].split("/")[-1][:-5], tree(item.ul) if item.ul else [])
            for item in listing.find_all("li", recursive=False)
        ]

    assert tree(replies) == [
        ("2018-07-test-refusal", [("reply-2", [("reply-3", [])])]),
        ("reply-4", []),
    ]
    assert "chronicle-stash" not in page


def test_html_kept_from_the_markdown_comes_back_once_and_only_once(renderer):
    stashed = renderer.stash("<ul><li>kept</li></ul>")
    page = renderer.unstash(f"<p>before</p>\n{stashed}\n<p>after</p>")
    assert page == "<p>before</p>\n<ul><li>kept</li></ul>\n<p>after</p>"
    with pytest.raises(ValueError, match="placeholder"):
        renderer.unstash(f"<p>{stashed}</p>")  # used already: lost, and said so


def test_search_reads_an_index_page_without_the_lists_it_would_skip(renderer):
    hidden = renderer.stash('<ul data-search-exclude><li><a href="x.html">An episode</a></li></ul>')
    shown = renderer.stash("<ul><li>searched</li></ul>")
    page, searched = renderer.unstash_for_search(f"<h2 id='y'>1990</h2>\n{hidden}\n{shown}")
    assert page == (
        "<h2 id='y'>1990</h2>\n"
        '<ul data-search-exclude><li><a href="x.html">An episode</a></li></ul>\n'
        "<ul><li>searched</li></ul>"
    )
    assert searched == "<h2 id='y'>1990</h2>\n\n<ul><li>searched</li></ul>"


def test_the_timeline_hides_its_lists_from_search_whole(renderer):
    from macros.render import hidden_from_search
    from macros.views import Views

    Views(renderer.chronicle, renderer).timeline("")
    blocks = list(renderer._stashed.values())
    assert blocks and all(hidden_from_search(block) for block in blocks)
