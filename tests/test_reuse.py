"""While serving, a rebuild takes over what cannot have changed: the result is what a fresh build makes."""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import REPO

from macros.load import DataError
from macros.site import Site

sys.path.insert(0, str(REPO / "scripts"))
from benchmark import make_folder


def pages(site: Site) -> dict:
    return {(record.id, type(record).__name__): site.page(record) for record in site.records()}


def edit(data: Path, rng: random.Random) -> str:
    """One change a contributor might save; returns what it was, for the failure message."""
    episodes = sorted((data / "episodes").glob("*.yml"))
    path = rng.choice(episodes)
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    change = rng.choice(["summary", "title", "date", "reply", "unreply", "actor", "add", "remove", "actor name"])
    if change == "summary":
        record["summary"] = f"Edited: {rng.random()}."
    elif change == "title":
        record["title"] = f"A new title {rng.random()}"
    elif change == "date":
        record["date"] = f"{rng.randint(1933, 2024)}-{rng.randint(1, 12):02d}"
    elif change == "reply":
        record["kind"], record["responds_to"] = "response", rng.choice(episodes).stem
    elif change == "unreply":
        record.pop("responds_to", None)
    elif change == "actor":
        record["actors"] = [rng.choice(sorted(p.stem for p in (data / "actors").glob("*.yml")))]
    elif change == "add":
        path = path.with_name(f"added-{rng.randint(0, 10**6)}.yml")
    elif change == "remove":
        path.unlink()
        return f"{change} {path.name}"
    else:
        path = rng.choice(sorted((data / "actors").glob("*.yml")))
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        record["name"] = f"Renamed {rng.random()}"
    path.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    return f"{change} {path.name}"


@pytest.mark.parametrize("seed", [1, 2])
def test_a_rebuild_that_reuses_pages_renders_what_a_fresh_build_renders(tmp_path: Path, seed: int):
    data = tmp_path / "data"
    make_folder(data, 40, seed=seed)
    previous = Site.build(data)
    previous.reuse(None)
    pages(previous)
    rng = random.Random(seed)
    reused = 0
    for _ in range(12):
        done = edit(data, rng)
        try:
            site = Site.build(data, previous=previous)
        except DataError:  # a reply that makes a circle, an episode still cited: refused, as it should be
            continue
        site.reuse(previous)
        reused += len(site._kept)
        assert pages(site) == pages(Site.build(data)), f"after '{done}' a reused page differs"
        previous = site
    assert reused > 0, "nothing was reused: the test shows nothing"


def settled(data: Path) -> None:
    """Date every file a minute back, as if saved well before the build."""
    past = time.time_ns() - 60 * 10**9
    for path in data.rglob("*.yml"):
        os.utime(path, ns=(past, past))


def test_an_unchanged_record_file_is_not_read_again(tmp_path: Path):
    data = tmp_path / "data"
    make_folder(data, 10)
    settled(data)
    first = Site.build(data)
    episode = sorted((data / "episodes").glob("*.yml"))[0]
    episode.write_text(episode.read_text(encoding="utf-8").replace("synthetic event", "edited event"), "utf-8")
    second = Site.build(data, previous=first)
    for key, path in second.dataset.files.items():
        taken_over = second.dataset.collection(key[0])[key[1]] is first.dataset.collection(key[0])[key[1]]
        assert taken_over == (path != episode), path.name
    assert "edited event" in second.chronicle.episodes[episode.stem].title


def test_a_page_that_counts_the_steps_of_its_thread_is_rendered_again_when_the_thread_changes(tmp_path: Path):
    """An episode page shows five steps of its thread and counts the rest: that count changes with
    an episode the page does not link to."""
    data = tmp_path / "data"
    make_folder(data, 30)
    chain = sorted((data / "episodes").glob("*.yml"), key=lambda path: int(path.stem.rsplit("-", 1)[1]))[:12]
    for answered, path in itertools.pairwise(chain):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        record.update(kind="response", responds_to=answered.stem)
        record.pop("outcome", None)
        path.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    previous = Site.build(data)
    previous.reuse(None)
    pages(previous)
    # The chain broken in two, then mended: the first pages' count of later replies changes too.
    middle = chain[6]
    for responds_to in (None, chain[5].stem):
        record = yaml.safe_load(middle.read_text(encoding="utf-8"))
        record.pop("responds_to", None)
        if responds_to:
            record["responds_to"] = responds_to
        middle.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
        site = Site.build(data, previous=previous)
        site.reuse(previous)
        assert site._kept, "nothing reused"
        assert pages(site) == pages(Site.build(data)), f"responds_to: {responds_to}"
        previous = site


SERVE_BUILDS = """
import json, logging, sys
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config
logging.basicConfig(level=logging.INFO, format="%(message)s")
site, steps = sys.argv[1], json.loads(sys.argv[2])
def serve_build():
    config = load_config(config_file="mkdocs.yml", site_dir=site)
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        build(config, serve_url="http://127.0.0.1:8000/")
    except Exception as error:  # `serve` reports a failed rebuild and goes on serving the last good site
        print("build failed:", error, file=sys.stderr)
    inodes = {str(path): path.stat().st_ino for path in Path(site).rglob("*") if path.is_file()}
    print("INODES", json.dumps(inodes), file=sys.stderr)
serve_build()
for saves in steps:  # saved while serving, then rebuilt
    for path, old, new in saves:
        record = Path(path)
        record.write_text(record.read_text(encoding="utf-8").replace(old, new), "utf-8")
    serve_build()
"""


def serve_builds(site: Path, *steps: list[tuple[Path, str, str]], project: Path = REPO) -> str:
    """A first build, then a rebuild after each step's saves, as `mkdocs serve` makes them; its log."""
    saves = json.dumps([[[str(path), old, new] for path, old, new in step] for step in steps])
    result = subprocess.run(
        [sys.executable, "-c", SERVE_BUILDS, str(site), saves], cwd=project, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


def files(site: Path) -> dict[Path, bytes]:
    return {path.relative_to(site): path.read_bytes() for path in site.rglob("*") if path.is_file()}


def assert_same_site(rebuilt: Path, first: Path) -> None:
    made, remade = files(first), files(rebuilt)
    assert remade.keys() == made.keys()
    different = [str(path) for path in made if made[path] != remade[path]]
    assert not different, different[:10]


@pytest.fixture
def serving_data(tmp_path: Path, monkeypatch) -> Path:
    data = tmp_path / "data"
    make_folder(data, 30)
    monkeypatch.setenv("CHRONICLE_DATA", str(data))
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.delenv("CHRONICLE_SERVING", raising=False)
    return data


def test_a_serve_rebuild_writes_the_site_a_first_build_writes(tmp_path: Path, serving_data: Path):
    """The theme's output of the last build, the files of the site in place, the records read then,
    the copy of the last good data: what a rebuild takes over, byte for byte what it would have made."""
    edited = sorted((serving_data / "episodes").glob("*.yml"))[:2]
    log = serve_builds(tmp_path / "rebuilt", *[[(path, "synthetic event", "edited event")] for path in edited])
    assert log.count("Reusing") == 2 and "Reusing 0 of" not in log, log
    assert "Page skipped" not in log, "MkDocs reports the pages linked in unchanged"
    first = serve_builds(tmp_path / "first")
    assert "Reusing" not in first
    assert_same_site(tmp_path / "rebuilt", tmp_path / "first")
    # What stayed the same was linked in from the site in place (a link costs a fiftieth of a write).
    before, after = [json.loads(line[7:]) for line in log.splitlines() if line.startswith("INODES ")][:2]
    kept = {path for path in after if before.get(path) == after[path]}
    assert any(path.endswith(".html") for path in kept) and any(path.endswith(".bib") for path in kept), kept
    assert not any(edited[0].stem + ".html" in path for path in kept)
    page = (tmp_path / "first" / "episodes" / f"{edited[0].stem}.html").read_text(encoding="utf-8")
    assert "edited event" in page


def test_after_a_failed_rebuild_nothing_is_taken_from_the_pages_it_made(tmp_path: Path, serving_data: Path):
    """A failed build is not published: the site in place is older than what it rendered."""
    episodes = sorted((serving_data / "episodes").glob("*.yml"))
    edited, breaking = episodes[0], episodes[1]
    summary, broken = "summary: According", "summary: See [a page that is not there](nowhere.md). According"
    log = serve_builds(
        tmp_path / "rebuilt",
        [(edited, "synthetic event", "edited event"), (breaking, summary, broken)],
        [(breaking, broken, summary)],
    )
    assert "build failed" in log, log
    serve_builds(tmp_path / "first")
    assert_same_site(tmp_path / "rebuilt", tmp_path / "first")


def test_a_rebuild_checks_the_links_of_the_pages_it_links_in_unchanged(tmp_path: Path, serving_data: Path):
    """A record page the theme makes as the last build did is linked in from the site in place,
    with the links the check took of it then: a hand-written page losing a part those pages link
    to still fails the rebuild, naming them."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(REPO / "mkdocs.yml", project)
    for folder in ("docs", "overrides"):
        shutil.copytree(REPO / folder, project / folder)
    (project / "macros").symlink_to(REPO / "macros")
    tags = project / "docs" / "tags.md"
    log = serve_builds(tmp_path / "rebuilt", [(tags, "{{ tag_list() }}", "No tags today.")], project=project)
    assert "Reusing" in log and "Reusing 0 of" not in log, log
    assert "build failed" in log, log
    assert re.search(r"episodes/[\w-]+\.html: \.\./tags\.html#tag-\d+: tags\.html has no element", log), log


def test_a_file_saved_just_before_the_last_load_is_read_again(tmp_path: Path):
    """File times tick in milliseconds: a second save in the same tick, of the same size, would
    keep the time and size the last load saw. A file that recent is read again."""
    data = tmp_path / "data"
    make_folder(data, 10)
    for path in data.rglob("*.yml"):  # saved "just now" for any load, however slow the machine is
        future = path.stat().st_mtime_ns + 3600 * 10**9
        os.utime(path, ns=(future, future))
    first = Site.build(data)
    second = Site.build(data, previous=first)
    assert all(second.chronicle.episodes[key] is not first.chronicle.episodes[key] for key in first.chronicle.episodes)
    settled(data)
    third = Site.build(data, previous=Site.build(data))
    fourth = Site.build(data, previous=third)
    assert all(fourth.chronicle.episodes[key] is third.chronicle.episodes[key] for key in third.chronicle.episodes)
