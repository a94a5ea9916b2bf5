"""Property: any folder of records is either refused, each fault naming a file that was written,
or loaded and rendered (every record page, the downloads, the feed) without an exception."""

from __future__ import annotations

import datetime
import shutil
import tempfile
from pathlib import Path

import yaml
from conftest import SMALL
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from jinja2 import BytecodeCache

from macros import export
from macros.load import DataError
from macros.model import COLLECTIONS
from macros.site import Site

# Pieces of text at and beyond the contract's edges: Markdown marks, raw HTML, Jinja,
# control, bidi and other invisible characters, lone surrogates.
PIECES = [
    *("word", " ", "Сергей Лавров", "\n", "\n\n", "\t", "    ", "[", "]", "(", ")", "](", "![", "*", "_", "`"),
    *("# ", "- ", "> ", "1. ", "|", "---", ":", "'", '"', "@", "=", "+", "\\", "&lt;", "&amp;", "&#x09;", "&#0;"),
    *("<script>alert(1)</script>", "<a href='javascript:x'>", "{{ x }}", "{% x %}", "[^1]", "<!--"),
    *("\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9b", "\r", "\u2028", "\u202e", "\u2066", "\u200f", "\u061c"),
    *("\ufeff", "\uffff", "\ud800", "\U0001f600"),
]
URLS = [
    *("https://example.org/", "http://example.org/a?b=c#d", "HTTPS://EXAMPLE.ORG", "https://xn--e1afmkfd.xn--p1ai/"),
    *("episodes/2018-06-test-proposal.md", "episodes/ghost.md", "methodology.md#x", "#top", "/actors/russia.html"),
    *("https://trusted.example@other.example/", "http:\\\\evil.example", "/\\evil.example", "//evil.example"),
    *("java\tscript:alert(1)", "JAVASCRIPT:alert(1)", "%6a%61vascript:alert(1)", "data:text/html,x", "mailto:a@b.c"),
    *("https://example.org/\u202e", "../../../etc/passwd", "https://", "https://localhost/", "ftp://example.org/"),
    *("https://example.org:99999/", "https://[::1]/", "https://example.org/a b", "<https://example.org>"),
]
DATES = [
    *("0000", "0001", "0001-01-01", "9999", "9999-12-31", "2018-02-29", "2020-02-29", "1933-11-16~"),
    *("2018-13", "2018?", "2018-06%", "10000", "-0001", "2018-06-15T10:00", "", "June 2018"),
]

GOOD_URLS = [url for url in URLS[:9] if url != "episodes/ghost.md"]
CLEAN = [
    *("word", " ", "Сергей Лавров", "*em*", "**strong**", "`code`", "\n\n", "\n\n- item\n- item\n\n", "&amp;"),
    *("<b>bold?</b>", "{{ x }}", "[", "\\[", "\u200f", "\n\n## Heading\n\n", "> quoted\n\n", "| a | b |"),
    *("[a link](https://example.org/)", "[a record](episodes/2018-06-test-proposal.md)", "[page](methodology.md)"),
]

urls = st.one_of(st.sampled_from(URLS), st.text(max_size=12))
links = st.builds(lambda text, url: f"[{text}]({url})", st.sampled_from(["x", "", "[y]", "*z*"]), urls)
hostile_texts = st.lists(st.one_of(st.sampled_from(PIECES), links, st.text(max_size=8)), max_size=24).map("".join)
clean_texts = st.lists(st.sampled_from(CLEAN), max_size=12).map(lambda pieces: "word" + "".join(pieces))
hostile_dates = st.one_of(
    st.sampled_from(DATES),
    st.integers(min_value=-10, max_value=12_000),
    st.sampled_from([None, True, 1.5, [], {}]),
)
clean_dates = st.one_of(
    st.dates(min_value=datetime.date(1, 1, 1)), st.sampled_from(["0001", "9999-12-31", "1933-11-16~", "2018-06%"])
)
hostile_values = st.one_of(
    hostile_texts, hostile_dates, urls, st.sampled_from([None, 1, [], {}, ["ghost"], "g0", "g1", "g2"])
)

quotes = st.fixed_dictionaries(
    {"text": clean_texts, "source": st.just("test-wire-2019"), "speaker": st.just("sergey-lavrov")},
    optional={"lang": st.sampled_from(["ru", "en-US"])},
)
episodes = st.fixed_dictionaries(
    {
        "title": clean_texts,
        "date": clean_dates,
        "kind": st.just("statement"),
        "summary": clean_texts,
        "sources": st.just(["test-wire-2019"]),
    },
    optional={
        "body": clean_texts,
        "responds_to": st.just("2018-06-test-proposal"),
        "quotes": st.lists(quotes, max_size=2),
        "by": st.just("russia"),
        "tags": st.just(["arms-control"]),
    },
)
sources = st.fixed_dictionaries(
    {
        "title": clean_texts,
        "outlet": clean_texts,
        "type": st.just("news"),
        "affiliation": st.just("independent"),
        "published": clean_dates,
    },
    optional={
        "url": st.sampled_from(GOOD_URLS[:4]),
        "archived_url": st.sampled_from(GOOD_URLS[:4]),
        "notes": clean_texts,
        "relays": st.lists(clean_texts, max_size=2),
    },
)
history = st.fixed_dictionaries(
    {"date": clean_dates, "event": st.just("signed")},
    optional={"note": clean_texts, "episode": st.just("2018-06-test-proposal"), "source": st.just("test-paper-2018")},
)
treaties = st.fixed_dictionaries(
    {
        "name": clean_texts,
        "kind": st.just("treaty"),
        "parties": st.just(["russia", "united-states"]),
        "status": st.just("in-force"),
        "summary": clean_texts,
        "sources": st.just(["test-paper-2018"]),
    },
    optional={
        "provisions": st.lists(clean_texts, max_size=3),
        "text_url": st.sampled_from(GOOD_URLS[:4]),
        "signed": clean_dates,
        "history": st.lists(history, max_size=1),
        "native_name": clean_texts,
    },
)
actors = st.fixed_dictionaries(
    {"name": clean_texts, "type": st.just("person")},
    optional={
        "native_name": clean_texts,
        "summary": clean_texts,
        "roles": st.lists(st.fixed_dictionaries({"title": clean_texts}), max_size=2),
    },
)
FIELDS = {
    "episodes": ["title", "date", "end", "kind", "summary", "body", "responds_to", "outcome", "by", "quotes"],
    "sources": ["title", "outlet", "published", "url", "archived_url", "notes", "relays", "language"],
    "treaties": ["name", "signed", "summary", "provisions", "text_url", "history", "signed_at"],
    "actors": ["name", "native_name", "summary", "roles", "wikidata"],
}


field_changes = st.sampled_from(sorted(FIELDS)).flatmap(
    lambda collection: st.tuples(
        st.just(collection),
        st.integers(min_value=0, max_value=2),
        st.sampled_from(FIELDS[collection]),
        st.one_of(hostile_values, st.lists(hostile_texts, max_size=3)),
    )
)


# Whole files beyond the contract: deep nesting, recursive and bombing aliases, not a mapping.
RAW = [
    "title: " + "[" * 5_000,
    "a: &a [*a]\n",
    "a: &a {b: *a}\n",
    "- x\n",
    "\x00",
    "title: [unclosed\n",
    "&a [" + ",".join(["*a"] * 3) + "]",
]
# One change a folder at most, so that about half the folders are valid and get rendered.
changes = st.one_of(st.none(), st.none(), field_changes, st.sampled_from(RAW))


class _CompiledTemplates(BytecodeCache):
    """Each example builds a new Renderer; compiling its templates once for all keeps the test fast."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _CompiledTemplates()


def _dump(record: dict, raw_unicode: bool) -> bytes:
    text = yaml.safe_dump(record, allow_unicode=raw_unicode, sort_keys=False)
    return text.encode("utf-8", errors="surrogatepass")  # a lone surrogate makes a file that is not UTF-8


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    episodes=st.lists(episodes, min_size=1, max_size=3),
    sources=st.lists(sources, max_size=2),
    treaties=st.lists(treaties, max_size=1),
    actors=st.lists(actors, max_size=1),
    change=changes,
    raw_unicode=st.booleans(),
)
def test_a_folder_is_refused_naming_its_files_or_rendered(episodes, sources, treaties, actors, change, raw_unicode):
    collections = {"episodes": episodes, "sources": sources, "treaties": treaties, "actors": actors}
    raws = [change] if isinstance(change, str) else []
    if isinstance(change, tuple):
        collection, index, field, value = change
        records = collections[collection]
        if records:
            records[index % len(records)][field] = value
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "data"
        shutil.copytree(SMALL, folder)
        written: list[Path] = []
        for collection, prefix, records in (
            ("episodes", "g", episodes),
            ("sources", "s-g", sources),
            ("treaties", "t-g", treaties),
            ("actors", "a-g", actors),
        ):
            for number, record in enumerate(records):
                path = folder / collection / f"{prefix}{number}.yml"
                path.write_bytes(_dump(record, raw_unicode))
                written.append(path)
        for number, raw in enumerate(raws):
            path = folder / "actors" / f"raw{number}.yml"
            path.write_text(raw, encoding="utf-8")
            written.append(path)

        try:
            site = Site.build(folder)
        except DataError as error:
            event("refused")
            names = {f"{path.parent.name}/{path.name}" for path in written}
            assert error.faults
            for fault in error.faults:
                assert any(fault.path.endswith(name) for name in names), fault
                assert fault.message and "Traceback" not in fault.message
            return

        event("rendered")
        if hasattr(site.renderer, "env"):
            site.renderer.env.bytecode_cache = _TEMPLATES
        for collection in COLLECTIONS:
            for record in getattr(site.chronicle, collection).values():
                assert site.renderer.record_page(record)
        assert export.chronicle_json(site.chronicle)
        for collection in (*COLLECTIONS, "tags"):
            assert export.collection_csv(site.chronicle, collection).startswith("\ufeff")
        assert export.atom_feed(site.chronicle).startswith("<?xml")
