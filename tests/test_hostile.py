"""Records and files written to break the build: each is refused with its file, line and field, or handled safely."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, SMALL

from macros import export, links, markup
from macros.dates import ChronicleDate
from macros.index import Chronicle
from macros.load import MAX_DEPTH, DataError, Dataset, _reply_cycles, load
from macros.model import LIMITS, Episode

GOOD_EPISODE = """\
title: A statement
date: 2019-09-04
kind: statement
summary: Someone said something.
sources: [test-wire-2019]
"""
SOURCE = "title: T\noutlet: O\ntype: news\naffiliation: state-media\npublished: 2019\n"


def write(folder: Path, relative: str, text: str) -> Path:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def faults_of(folder: Path) -> list[str]:
    with pytest.raises(DataError) as caught:
        load(folder)
    return [str(fault) for fault in caught.value.faults]


PROVISIONS = "provisions:\n  - Each side refrains from interference.\n"


def with_provisions(folder: Path, provisions: str, extra: str = "") -> None:
    """Replace the fixture treaty's provisions."""
    path = folder / "treaties/test-treaty.yml"
    text = path.read_text(encoding="utf-8")
    assert PROVISIONS in text
    path.write_text(text.replace(PROVISIONS, "provisions:\n" + provisions) + extra, encoding="utf-8")


def only_fault(folder: Path) -> str:
    faults = faults_of(folder)
    assert len(faults) == 1, faults
    return faults[0]


@pytest.fixture
def alarm():
    """Fails the test instead of hanging it: a blocking open() is interrupted by SIGALRM."""

    def interrupt(signum, frame):
        raise TimeoutError("the loader hung")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


# -- files ----------------------------------------------------------------------


def test_a_symlink_inside_the_folder_is_read(data_copy):
    write(data_copy, "drafts/statement.txt", GOOD_EPISODE)
    (data_copy / "episodes/linked.yml").symlink_to("../drafts/statement.txt")
    assert load(data_copy).episodes["linked"].title == "A statement"


def test_a_symlink_out_of_the_folder_is_refused(data_copy, tmp_path):
    outside = write(tmp_path, "elsewhere/secret.yml", GOOD_EPISODE)
    (data_copy / "episodes/leak.yml").symlink_to(outside)
    assert "episodes/leak.yml: a symbolic link to a file outside the data folder: refused" in only_fault(data_copy)


def test_a_symlink_to_a_device_is_refused_without_reading_it(data_copy, alarm):
    (data_copy / "episodes/zero.yml").symlink_to("/dev/zero")
    assert "episodes/zero.yml: a symbolic link to a file outside the data folder" in only_fault(data_copy)


def test_a_dangling_symlink_and_a_loop_of_links_are_refused(data_copy):
    (data_copy / "episodes/gone.yml").symlink_to(data_copy / "episodes/nothing-here.yml")
    (data_copy / "actors/loop.yml").symlink_to(data_copy / "actors/loop.yml")
    faults = faults_of(data_copy)
    assert any("episodes/gone.yml: a symbolic link that leads to no file: refused" in f for f in faults)
    assert any("actors/loop.yml: a symbolic link that leads to no file: refused" in f for f in faults)
    assert len(faults) == 2


def test_a_fifo_is_refused_and_never_opened(data_copy, alarm):
    os.mkfifo(data_copy / "episodes/pipe.yml")
    os.mkfifo(data_copy / "tags-pipe")
    (data_copy / "tags.yml").unlink()
    (data_copy / "tags.yml").symlink_to("tags-pipe")
    faults = faults_of(data_copy)
    assert any("episodes/pipe.yml: a named pipe (FIFO), not a regular file: refused" in f for f in faults)
    assert any("tags.yml: a named pipe (FIFO), not a regular file: refused" in f for f in faults)


def test_a_device_node_is_refused(data_copy, alarm):
    try:
        os.mknod(data_copy / "sources/device.yml", 0o600 | 0o020000, os.makedev(1, 5))  # S_IFCHR: /dev/zero's
    except PermissionError:
        pytest.skip("creating a device node needs root")
    assert "sources/device.yml: a character device, not a regular file: refused" in only_fault(data_copy)


def test_a_collection_folder_linked_from_outside_is_refused(data_copy, tmp_path):
    write(tmp_path, "other/episodes/e.yml", GOOD_EPISODE)
    for path in (data_copy / "episodes").iterdir():
        path.unlink()
    (data_copy / "episodes").rmdir()
    (data_copy / "episodes").symlink_to(tmp_path / "other/episodes", target_is_directory=True)
    faults = faults_of(data_copy)
    assert any(
        "episodes: a symbolic link to a folder outside the data folder, or to nothing: refused" in f for f in faults
    )


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(data_copy):
    write(data_copy, "episodes/huge.yml", GOOD_EPISODE + "# " + "x" * 300_000 + "\n")
    assert "episodes/huge.yml: 300," in only_fault(data_copy)
    assert "a record file is at most 262,144 bytes" in only_fault(data_copy)


def test_a_long_treaty_passes(data_copy):
    """The limits are generous: fifty provisions of three thousand characters each, a long body."""
    provision = "  - " + ("Each Party shall limit its launchers. " * 78)[:2990] + "\n"
    with_provisions(data_copy, provision * 50)
    paragraph = "The talks went on for years, and each side kept its own record of them. " * 130
    body = "body: |\n" + "".join(f"  {paragraph}\n\n" for _ in range(4))
    write(data_copy, "episodes/long.yml", GOOD_EPISODE + body)
    dataset = load(data_copy)
    assert len(dataset.treaties["test-treaty"].provisions) == 50
    assert len(dataset.episodes["long"].body) > 35_000


# -- YAML -------------------------------------------------------------------------


@pytest.mark.parametrize("count", [300, 100_000])
def test_deeply_nested_brackets_are_refused_without_a_crash(tmp_path, count):
    """libyaml's composer crashes the interpreter (a segfault) some ten thousand levels down: run apart."""
    write(tmp_path, "data/episodes/deep.yml", "title: " + "[" * count + "\n")
    script = (
        "import sys\nfrom macros.load import DataError, load\n"
        "try:\n    load(sys.argv[1])\nexcept DataError as e:\n    print(e.report())\n    sys.exit(1)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "data")], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1, result.stderr
    assert "episodes/deep.yml:1: lists and mappings nested more than 20 deep" in result.stdout
    assert "Traceback" not in result.stderr


def test_deep_block_nesting_is_refused_with_its_line(data_copy):
    nested = "".join("  " * level + f"k{level}:\n" for level in range(MAX_DEPTH + 5)) + "  " * (MAX_DEPTH + 5) + "x\n"
    write(data_copy, "actors/deep.yml", "name: A\ntype: person\n" + nested)
    assert f"actors/deep.yml:{MAX_DEPTH + 3}: lists and mappings nested more than 20 deep" in only_fault(data_copy)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("name: A\ntype: person\nroles: &r [*r]\n", 3),
        ("name: A\ntype: person\nroles:\n  - &m\n    title: x\n    of: *m\n", 6),
    ],
)
def test_recursive_aliases_are_refused_with_their_line(data_copy, text, line):
    write(data_copy, "actors/loop.yml", text)
    assert f"actors/loop.yml:{line}: the alias *" in only_fault(data_copy)
    assert "(a recursive alias): refused" in only_fault(data_copy)


def test_aliases_that_deepen_the_nesting_are_refused(data_copy):
    lines = ["name: A", "type: person", "a0: &a0 [x]"]
    lines += [f"a{n}: &a{n} [*a{n - 1}]" for n in range(1, 40)]
    write(data_copy, "actors/chain.yml", "\n".join(lines) + "\n")
    assert "actors/chain.yml:1: with its aliases expanded, lists and mappings nest 41 deep" in only_fault(data_copy)


# -- fields ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relative", "base", "field_text", "expected"),
    [
        ("episodes/e.yml", GOOD_EPISODE, "body: " + "x" * 40_001, "episodes/e.yml:6: body: String should have at most"),
        ("sources/s.yml", SOURCE, "notes: " + "x" * 10_001, "sources/s.yml:6: notes: String should have at most"),
        ("sources/s.yml", SOURCE.replace("title: T", "title: " + "t" * 501), "", "sources/s.yml:1: title: String"),
        ("sources/s.yml", SOURCE.replace("outlet: O", "outlet: " + "o" * 201), "", "sources/s.yml:2: outlet: String"),
        ("sources/s.yml", SOURCE, "relays: [" + "r, " * 51 + "r]", "sources/s.yml:6: relays: List should have at most"),
        ("actors/a.yml", "type: person\n", "name: " + "n" * 301, "actors/a.yml:2: name: String should have at most"),
        (
            "episodes/e.yml",
            GOOD_EPISODE,
            "quotes:\n  - text: " + "w" * 1_001 + "\n    source: test-wire-2019\n    attributed_to: x",
            "episodes/e.yml:7: quotes[0].text: String should have at most 1000",
        ),
        (
            "episodes/e.yml",
            GOOD_EPISODE,
            "quotes:\n  - text: Words\n    source: test-wire-2019\n    attributed_to: " + "a" * 301,
            "episodes/e.yml:9: quotes[0].attributed_to: String should have at most 300",
        ),
        ("episodes/e.yml", GOOD_EPISODE, "by: " + "x" * 81, "episodes/e.yml:6: by: String should have at most 80"),
    ],
)
def test_field_limits(data_copy, relative, base, field_text, expected):
    write(data_copy, relative, base + field_text + "\n")
    assert expected in only_fault(data_copy)


def test_provision_limits(data_copy):
    original = (data_copy / "treaties/test-treaty.yml").read_text(encoding="utf-8")
    with_provisions(data_copy, "  - " + "p" * 5_001 + "\n")
    assert "provisions[0]: String should have at most 5000 characters" in only_fault(data_copy)
    (data_copy / "treaties/test-treaty.yml").write_text(original, encoding="utf-8")
    with_provisions(data_copy, "  - p\n" * 101)
    assert "provisions: List should have at most 100 items" in only_fault(data_copy)


@pytest.mark.parametrize(
    ("field_text", "expected"),
    [
        ('title: "A bell\\a"', "episodes/e.yml:1: title: U+0007 at character 7 is a control character"),
        ('summary: "Esc \\e[31m red"', "episodes/e.yml:4: summary: U+001B at character 5 is a control character"),
        ('summary: "C1 \\x9b here"', "episodes/e.yml:4: summary: U+009B at character 4 is a control character"),
        ('summary: "delete \\x7f"', "summary: U+007F at character 8 is a control character"),
        ('summary: "carriage\\rreturn"', "summary: U+000D at character 9 is a control character"),
        ('body: "line\\u2028sep \\x00"', "episodes/e.yml:6: body: U+0000"),
        ('title: "gpj.\\u202eexe"', "title: U+202E at character 5 is a bidirectional control character"),
        ('summary: "\\u2066isolate\\u2069"', "summary: U+2066 at character 1 is a bidirectional control"),
        ('summary: "embed \\u202b"', "summary: U+202B at character 7 is a bidirectional"),
        ('summary: "not a char \\uffff"', "summary: U+FFFF at character 12 is a non-character"),
    ],
)
def test_control_and_bidi_characters_are_refused(data_copy, field_text, expected):
    text = GOOD_EPISODE
    name = field_text.split(":")[0]
    text = "\n".join(line for line in text.splitlines() if not line.startswith(name + ":"))
    lines = text.splitlines()
    order = {"title": 0, "summary": 3}
    lines.insert(order.get(name, len(lines)), field_text)
    write(data_copy, "episodes/e.yml", "\n".join(lines) + "\n")
    assert expected in only_fault(data_copy)


@pytest.mark.parametrize(
    ("relative", "text", "expected"),
    [
        ("actors/a.yml", 'name: "Lavrov\\u202e"\ntype: person\n', "actors/a.yml:1: name: U+202E"),
        ("sources/s.yml", SOURCE.replace("outlet: O", 'outlet: "TASS\\u2067"'), "sources/s.yml:2: outlet: U+2067"),
        ("sources/s.yml", SOURCE + 'relays: ["RIA\\u202d"]\n', "sources/s.yml:6: relays[0]: U+202D"),
        ("tags.yml", 'arms-control:\n  label: "Arms\\u202a"\nnon-interference:\n  label: N\n', "tags.yml:2: arms"),
    ],
)
def test_bidi_controls_are_refused_in_every_text_field(data_copy, relative, text, expected):
    write(data_copy, relative, text)
    assert expected in only_fault(data_copy)


def test_tab_line_break_and_direction_marks_are_text(data_copy):
    body = 'body: "A list:\\n\\n- one\\tand\\n- two"\n'
    write(data_copy, "episodes/e.yml", GOOD_EPISODE + body)
    write(data_copy, "actors/a.yml", 'name: "\\u200fאבא אבן\\u200f"\ntype: person\n')
    dataset = load(data_copy)
    assert "\t" in dataset.episodes["e"].body
    assert dataset.actors["a"].name.startswith("\u200f")


def test_a_field_name_with_a_bidi_control_is_shown_escaped(data_copy):
    write(data_copy, "episodes/e.yml", GOOD_EPISODE + '"colo\\u202eur": red\n')
    assert "episodes/e.yml:6: colo\\u202eur: unknown field" in only_fault(data_copy)


@pytest.mark.parametrize("written", ["0000", "0000-06-01"])
def test_a_year_the_calendar_cannot_hold_is_refused_at_validation(data_copy, written):
    write(data_copy, "episodes/e.yml", GOOD_EPISODE.replace("2019-09-04", f'"{written}"'))
    assert f"episodes/e.yml:2: date: '{written}' is not a date: there is no year 0" in only_fault(data_copy)


# -- links -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("https://trusted.example@other.example/", "a user@ before the host"),
        ("http://user:pass@example.org/", "a user@ before the host"),
        ("http:\\\\evil.example", "backslash"),
        ("/\\evil.example", "backslash"),
        ("https://example.org\\@evil.example/", "backslash"),
        ("java\tscript:alert(1)", "whitespace (U+0009)"),
        ("JAVASCRIPT:alert(1)", "scheme 'JAVASCRIPT': only http and https"),
        ("javascript:alert(1)", "scheme 'javascript'"),
        ("%6a%61vascript:alert(1)", "a page of this site is a path of plain names"),
        ("data:text/html,hi", "scheme 'data'"),
        ("vbscript:x", "scheme 'vbscript'"),
        ("//evil.example/page", "protocol-relative"),
        ("https://example.org/\u202egpj.exe", "U+202E"),
        ("https://exa\u200emple.org/", "invisible direction mark (U+200E)"),
        ("https://example.org/a b", "whitespace (U+0020)"),
        ("https://example.org/\x00", "U+0000"),
        ("https:/example.org", "does not start with http:// or https://"),
        ("https://", "has no host"),
        ("https://localhost/", "not a plain host name"),
        ("https://[::1]/", "not a plain host name"),
        ("https://пример.рф/", "not a plain host name"),
        ("https://example.org:99999/", "port 99999 does not exist"),
        ("../../../etc/passwd.md", "it climbs with '..'"),
        ("episodes/../../secret.md", "it climbs with '..'"),
        ("episodes/x.yml", "a page of this site is a path of plain names ending in .md or .html"),
        ("mailto:someone@example.org", "scheme 'mailto'"),
    ],
)
def test_the_link_rule_refuses(target, reason):
    problem = links.link_problem(target)
    assert problem is not None and problem.startswith("link ") and reason in problem, problem


@pytest.mark.parametrize(
    "target",
    [
        "https://example.org",
        "http://example.org/path?q=1&r=2#frag",
        "HTTPS://Example.ORG/Path",
        "https://xn--e1afmkfd.xn--p1ai/",
        "https://ru.wikipedia.org/wiki/Договор",
        "https://example.org:8443/",
        "episodes/2018-06-test-proposal.md",
        "/treaties/new-start.html#provisions",
        "methodology.md#quotes",
        "downloads.html",
        "#sources",
    ],
)
def test_the_link_rule_allows(target):
    assert links.link_problem(target) is None


@pytest.mark.parametrize(
    ("field_text", "expected"),
    [
        ("url: https://trusted.example@other.example/\n", "sources/s.yml:6: url: 'https://trusted.example@other"),
        ('url: "http:\\\\\\\\evil.example"\n', "sources/s.yml:6: url: 'http:\\\\\\\\evil.example' is not an http(s)"),
        (
            'archived_url: "https://example.org/\\u202e"\n',
            "sources/s.yml:6: archived_url: 'https://example.org/\\u202e'",
        ),
        ('url: "java\\tscript:alert(1)"\n', "url: 'java\\tscript:alert(1)' is not an http(s) URL"),
        ("url: //evil.example/\n", "url: '//evil.example/' is not an http(s) URL: a protocol-relative"),
        ("notes: '[x](https://trusted.example@other.example/)'\n", "sources/s.yml:6: notes: link 'https://trusted"),
        ("notes: '[x](/\\evil.example)'\n", "sources/s.yml:6: notes: link '/\\\\evil.example' is not allowed"),
        ("notes: '[x](JAVASCRIPT:alert(1))'\n", "notes: link 'JAVASCRIPT:alert(1)' is not allowed"),
        ("notes: '[x](%6a%61vascript:alert(1))'\n", "notes: link '%6a%61vascript:alert(1)' is not allowed"),
        ("notes: '[x](java&#x09;script:alert(1))'\n", "notes: link 'java\\tscript:alert(1)' is not allowed"),
        ("notes: '[x](../../../index.md)'\n", "notes: link '../../../index.md' is not allowed: it climbs"),
        ('notes: "[x](https://example.org/\\u202e)"\n', "sources/s.yml:6: notes: U+202E"),
    ],
)
def test_links_and_urls_are_refused_with_file_line_and_field(data_copy, field_text, expected):
    write(data_copy, "sources/s.yml", SOURCE + field_text)
    assert expected in only_fault(data_copy)


def test_every_url_field_and_markdown_field_follows_the_rule(data_copy):
    bad = "https://a.example@b.example/"
    with_provisions(data_copy, f"  - '[x]({bad})'\n", extra=f"text_url: {bad}\n")
    write(data_copy, "episodes/e.yml", GOOD_EPISODE + f"body: '[x]({bad})'\n")
    faults = faults_of(data_copy)
    assert any("treaties/test-treaty.yml" in f and "text_url: 'https://a.example@b.example/'" in f for f in faults)
    assert any("treaties/test-treaty.yml" in f and "provisions[0]: link 'https://a.example@" in f for f in faults)
    assert any("episodes/e.yml:6: body: link 'https://a.example@" in f for f in faults)


def test_the_renderer_drops_a_link_the_rule_refuses():
    for target in ("https://a.example@b.example/", "/\\evil.example", "../../x.md", "%6a%61vascript:x"):
        html = markup.to_html(f"[click]({target})", lambda t: t)
        assert "href" not in html and "click" in html


# -- time ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[" * 30_000, "30000 '[' without a closing ']' (at most 10)"),
        ("![" * 5_000, "5000 '[' without a closing ']'"),
        ("[" * 11 + "x" + "]" * 11, "brackets nested 11 deep (at most 10)"),
        ("\n".join("    " * level + "- x" for level in range(30)), "line 13 of the text nests lists"),
        ("- " * 2_000 + "x", "line 1 of the text nests lists, quotes or indents 2000 deep"),
        ("> " * 50 + "x", "nests lists, quotes or indents 50 deep"),
        ("word " * 2_001, "a paragraph of 10,005 characters without a blank line (at most 10,000)"),
    ],
)
def test_markdown_that_would_be_slow_or_recurse_is_refused(data_copy, text, expected):
    write(data_copy, "episodes/e.yml", GOOD_EPISODE + "body: " + json.dumps(text) + "\n")
    fault = only_fault(data_copy)
    assert "episodes/e.yml:6: body: " in fault and expected in fault
    # The renderer, handed such text anyway, shows it as text rather than parse it.
    assert markup.to_html(text, lambda t: t).startswith("<p>")


def test_escaped_brackets_are_fine(data_copy):
    write(data_copy, "episodes/e.yml", GOOD_EPISODE + "body: " + json.dumps("\\[" * 500 + " [a](#x)") + "\n")
    assert "[" * 500 in markup.to_html(load(data_copy).episodes["e"].body, lambda t: t)


def _seconds(work) -> float:
    """The best of three runs, in CPU seconds of this process: other processes do not count."""
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def _grows_linearly(make, size: int) -> None:
    """Work on an input twice as large takes about twice as long: under 3x (quadratic work takes 4x),
    plus slack for the noise of short runs. Both sizes are measured side by side, in CPU time."""
    small, large = make(size), make(2 * size)
    t_small, t_large = _seconds(lambda: small()), _seconds(lambda: large())
    assert t_large < 3 * t_small + 0.05, (t_small, t_large)


def _hostile_markdown(paragraphs: int) -> str:
    """At the edge of what is accepted: open brackets, deep lists, entities and emphasis in every block."""
    block = ("&lt;a *b _c `d [e](#f) " * 200)[:9_000]
    lists = "\n".join("    " * (level % 12) + "- x [y](#z)" for level in range(120))
    return "[" * 9 + "\n\n" + "\n\n".join(block if n % 2 else lists for n in range(paragraphs))


@pytest.mark.parametrize("paragraphs", [4])
def test_markdown_time_grows_linearly_with_hostile_text(paragraphs):
    def make(count):
        text = _hostile_markdown(count)
        assert markup.markdown_problem(text) is None
        return lambda: markup._convert.__wrapped__(text)

    _grows_linearly(make, paragraphs)


def test_loading_a_body_of_open_brackets_is_linear(tmp_path):
    """Python-Markdown alone is quadratic here (minutes for a 30 KB body); the loader refuses in one pass."""

    def make(count):
        folder = tmp_path / str(count)
        shutil.copytree(SMALL, folder)
        write(folder, "episodes/e.yml", GOOD_EPISODE + "body: '" + "[" * count + "'\n")

        def work():
            markup._convert.cache_clear()
            with pytest.raises(DataError, match="'\\[' without a closing"):
                load(folder)

        return work

    _grows_linearly(make, 4_000)


def test_refusing_hostile_markdown_is_linear():
    def make(count):
        text = "[" * count + "- " * count
        return lambda: markup.markdown_problem(text)

    _grows_linearly(make, 200_000)


def _chain(count: int, circle: bool = False) -> Dataset:
    """Episodes each answering the one before; with `circle`, the first answers the last."""
    dataset = Dataset(root=Path("."))
    for n in range(count):
        answers = f"e{n - 1}" if n else (f"e{count - 1}" if circle else None)
        episode = Episode.model_construct(
            title=f"Reply {n}",
            date=ChronicleDate(2000 + n // 365),
            kind="response",
            responds_to=answers,
            summary="s",
            sources=[],
            quotes=[],
            tags=[],
            actors=[],
            treaties=[],
            by=None,
            to=None,
        ).with_id(f"e{n}")
        dataset.episodes[episode.id] = episode
        dataset.files[("episodes", episode.id)] = Path(f"episodes/e{n}.yml")
    return dataset


def test_the_reply_cycle_check_is_linear():
    def make(count):
        dataset = _chain(count)
        return lambda: _reply_cycles(dataset)

    _grows_linearly(make, 3_000)


def test_a_circle_of_thousands_of_replies_is_named_briefly():
    faults = _reply_cycles(_chain(3_000, circle=True))
    assert len(faults) == 3_000
    message = str(faults[0])
    assert "a circle: e0 -> e2999 -> e2998 -> e2997 -> e2996 -> … (3,000 episodes in all) -> e1 -> e0" in message


def test_a_long_reply_chain_is_threaded_without_recursion():
    chronicle = Chronicle(_chain(5_000))
    thread = chronicle.thread(chronicle.episodes["e0"])
    assert [(depth, episode.id) for depth, episode in thread[:2]] == [(1, "e1"), (2, "e2")]
    assert thread[-1][0] == 4_999 and thread[-1][1].id == "e4999"
    assert len(chronicle.ancestry(chronicle.episodes["e4999"])) == 4_999


def test_a_long_reply_chain_loads(data_copy):
    for n in range(1_200):
        answers = f"responds_to: r{n - 1}\n" if n else ""
        write(data_copy, f"episodes/r{n}.yml", GOOD_EPISODE.replace("kind: statement", "kind: response") + answers)
    chronicle = Chronicle(load(data_copy))
    assert len(chronicle.thread(chronicle.episodes["r0"])) == 1_199


# -- downloads -------------------------------------------------------------------------------------


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(data_copy):
    formulas = {
        "title": '=HYPERLINK("https://evil.example","click")',
        "outlet": "@SUM(1+1)",
        "relays": ["+1+1", "-2", "plain"],
    }
    write(
        data_copy,
        "sources/s.yml",
        f"title: '{formulas['title']}'\noutlet: '{formulas['outlet']}'\ntype: news\naffiliation: state-media\n"
        "published: 2019\nrelays: ['+1+1', '-2', plain]\nnotes: Сергей Лавров\n",
    )
    chronicle = Chronicle(load(data_copy))
    text = export.collection_csv(chronicle, "sources")
    assert text.startswith("\ufeff")  # Excel then reads UTF-8, and the Cyrillic survives
    row = next(r for r in csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))) if r["id"] == "s")
    assert row["title"] == "'" + formulas["title"]
    assert row["outlet"] == "'@SUM(1+1)"
    assert row["relays"] == "'+1+1; -2; plain"
    assert row["notes"] == "Сергей Лавров"
    assert export.collection_csv(chronicle, "tags").startswith("\ufeffid,")
    record = next(r for r in json.loads(export.chronicle_json(chronicle))["sources"] if r["id"] == "s")
    assert record["title"] == formulas["title"] and record["outlet"] == "@SUM(1+1)"
    assert record["relays"] == ["+1+1", "-2", "plain"]


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_each_formula_lead_is_neutralised(lead):
    assert export._cell(lead + "1") == "'" + lead + "1"
    assert export._cell("a" + lead) == "a" + lead


def test_limits_are_documented():
    page = (REPO / "docs/limits.md").read_text(encoding="utf-8")
    for limit in (LIMITS["body"], LIMITS["notes"], LIMITS["provision"], LIMITS["source_title"]):
        assert f"{limit:,}" in page
    assert "256 KiB" in page and str(MAX_DEPTH) in page
