"""Publishing is all or nothing: a failed build leaves the last good site as it was,
and builds running at once never mix their output."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SMALL, mkdocs_build

from macros.publish import Publication, check_links


def snapshot(site: Path) -> dict[str, str]:
    """Every file of a folder with a digest of its bytes."""
    return {
        path.relative_to(site).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def good_site(tmp_path: Path) -> Path:
    site = tmp_path / "out" / "site"
    result = mkdocs_build(SMALL, site)
    assert result.returncode == 0, result.stderr
    return site


def planted_failure(tmp_path: Path, code: str) -> dict[str, str]:
    """An environment whose Python runs `code` at start-up (a sitecustomize module):
    a fault planted in a library that the build calls after MkDocs has cleaned its output."""
    folder = tmp_path / "planted"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(code, encoding="utf-8")
    return {"PYTHONPATH": str(folder)}


LIBRARY_CRASH = """
import feedgen.feed
def crash(*args, **kwargs):
    raise RuntimeError("planted: the feed library crashed")
feedgen.feed.FeedGenerator.atom_str = crash
"""

LATE_WARNING = """
import logging
import feedgen.feed
original = feedgen.feed.FeedGenerator.atom_str
def warn(*args, **kwargs):
    logging.getLogger("mkdocs.plugins.planted").warning("planted: a warning in strict mode")
    return original(*args, **kwargs)
feedgen.feed.FeedGenerator.atom_str = warn
"""


# The citation files are written by a thread of their own (Publication.write_in_background),
# the downloads straight into the build's folder (macros/hooks.py, on_files); with workers,
# both by a worker (Site.write_generated).
WRITER_CRASH = """
import pathlib
original = pathlib.Path.write_text
def write_text(self, *args, **kwargs):
    if self.name.endswith(".ris"):
        raise OSError(28, "planted: no space left on device")
    return original(self, *args, **kwargs)
pathlib.Path.write_text = write_text
"""

DOWNLOAD_CRASH = WRITER_CRASH.replace('endswith(".ris")', 'endswith("chronicle.json")')


@pytest.mark.parametrize(
    "code",
    [LIBRARY_CRASH, LATE_WARNING, WRITER_CRASH, DOWNLOAD_CRASH],
    ids=["library crash", "strict-mode warning", "citation file not written", "download not written"],
)
# With workers, the feed, the downloads and the citation files are made and written by one of them.
@pytest.mark.parametrize("workers", ["0", "2"], ids=["here", "in a worker"])
def test_a_failure_while_rendering_leaves_the_last_good_site_as_it_was(good_site, tmp_path, code, workers):
    before = snapshot(good_site)
    result = mkdocs_build(SMALL, good_site, CHRONICLE_WORKERS=workers, **planted_failure(tmp_path, code))
    assert result.returncode != 0
    assert "planted" in result.stderr
    assert snapshot(good_site) == before
    leftovers = [p.name for p in good_site.parent.iterdir() if p.name not in ("site", ".site.lock")]
    assert leftovers == []


def test_a_data_fault_leaves_the_last_good_site_as_it_was(good_site, data_copy):
    before = snapshot(good_site)
    (data_copy / "episodes" / "2018-06-test-proposal.yml").write_text("title: [unclosed\n", encoding="utf-8")
    result = mkdocs_build(data_copy, good_site)
    assert result.returncode != 0
    assert "2018-06-test-proposal.yml" in result.stderr
    assert snapshot(good_site) == before


def test_a_broken_link_in_the_built_site_fails_the_build_and_publishes_nothing(good_site, tmp_path):
    before = snapshot(good_site)
    project = tmp_path / "project"  # the site's own files, with a hand-written page gone wrong
    for name in ("docs", "overrides", "macros"):
        shutil.copytree(REPO / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "mkdocs.yml", project)
    index = project / "docs" / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + '\n<a href="nowhere.html#x">gone</a>\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(good_site)],
        cwd=project,
        env={**os.environ, "CHRONICLE_DATA": str(SMALL), "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode != 0
    assert "index.html: nowhere.html#x: no such file" in result.stderr
    assert "nothing was published" in result.stderr
    assert snapshot(good_site) == before


def test_two_builds_into_one_folder_at_once_leave_one_whole_site(tmp_path, data_copy):
    # Two different folders of records: the second lacks one episode.
    (data_copy / "episodes" / "2019-09-04-test-interview.yml").unlink()
    site = tmp_path / "shared" / "site"
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)]
    builds = [
        subprocess.Popen(command, cwd=REPO, env={**environment, "CHRONICLE_DATA": str(folder)}, stderr=subprocess.PIPE)
        for folder in (SMALL, data_copy)
    ]
    for build in builds:
        _, stderr = build.communicate(timeout=600)
        assert build.returncode == 0, stderr.decode()
    episodes = {p.name for p in (site / "episodes").glob("*.html")}
    listed = {e["id"] + ".html" for e in json.loads((site / "downloads" / "chronicle.json").read_text())["episodes"]}
    assert episodes == listed, "the pages and the downloads come from different builds"
    assert check_links(site) == []


def test_publication_swaps_in_the_staged_folder_whole(tmp_path):
    target = tmp_path / "site"
    target.mkdir()
    (target / "old.html").write_text("old")
    publication = Publication(target)
    (publication.staging / "new.html").write_text("new")
    publication.publish()
    assert sorted(p.name for p in target.iterdir()) == ["new.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", "site"]


def test_a_discarded_publication_leaves_nothing_behind(tmp_path):
    target = tmp_path / "site"
    publication = Publication(target)
    (publication.staging / "half.html").write_text("half")
    publication.discard()
    assert list(tmp_path.iterdir()) == []


def test_the_link_check_reads_paths_fragments_and_the_root(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text('<h2 id="top">T</h2><a href="a/page.html#here">x</a><a href="#top">t</a>')
    (tmp_path / "a" / "page.html").write_text(
        '<p id="here"></p><a href="../index.html#top">up</a><a href="/index.html">root</a>'
        '<a href="https://example.org/x#y">out</a><a href="../../etc/passwd">climb</a>'
        '<img src="missing.png" alt=""><a href="../index.html#gone">gone</a>'
        '<!-- <a href="commented.html">not a link</a> -->'
    )
    broken = [(link.page, link.target, link.reason) for link in check_links(tmp_path)]
    assert broken == [
        ("a/page.html", "../../etc/passwd", "climbs above the site's root"),
        ("a/page.html", "missing.png", "no such file"),
        ("a/page.html", "../index.html#gone", "index.html has no element with id 'gone'"),
    ]


def test_a_broken_link_repeated_on_a_page_is_reported_once_for_that_page(tmp_path):
    """The theme links the same pages from its tabs and its nav: a page keeps each link once."""
    (tmp_path / "a.html").write_text('<a href="gone.html">1</a><a href="b.html">b</a><a href="gone.html">2</a>')
    (tmp_path / "b.html").write_text('<a href="gone.html">3</a>')
    broken = [(link.page, link.target) for link in check_links(tmp_path)]
    assert broken == [("a.html", "gone.html"), ("b.html", "gone.html")]


def test_the_link_check_finds_links_and_ids_across_line_breaks_and_in_capitals(tmp_path):
    (tmp_path / "index.html").write_text(
        '<h2\n\tid="top">T</h2>\n<A\nclass="x"\r\nHREF="missing.html">x</A>\n'
        '<script\nsrc="gone.js"></script><a href="#top">t</a><a\thref="#nowhere">n</a>'
    )
    broken = [(link.target, link.reason) for link in check_links(tmp_path)]
    assert broken == [
        ("missing.html", "no such file"),
        ("gone.js", "no such file"),
        ("#nowhere", "index.html has no element with id 'nowhere'"),
    ]
