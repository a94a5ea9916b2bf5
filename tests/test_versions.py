"""A record's last-changed date: from its file's git history when that is sound, else the build's, said so."""

from __future__ import annotations

import datetime
import os
import subprocess
from pathlib import Path

import pytest

from macros.versions import Version, build_date, last_changed

BUILD = datetime.date(2026, 11, 29)


def git(folder: Path, *args: str, date: str = "2026-01-01T12:00:00+00:00") -> None:
    environment = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false", *args],
        cwd=folder,
        env=environment,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A repository whose data folder has a file committed twice, one committed once, and one never."""
    root = tmp_path / "repo"
    data = root / "data" / "episodes"
    data.mkdir(parents=True)
    git(root, "init", "-q")
    (data / "old.yml").write_text("title: first\n")
    (data / "edited.yml").write_text("title: first\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first", date="2025-03-04T23:30:00-05:00")
    (data / "edited.yml").write_text("title: second\n")
    git(root, "commit", "-q", "-am", "second", date="2026-02-10T08:00:00+00:00")
    (root / "outside.txt").write_text("not data\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "outside the data folder", date="2026-06-01T08:00:00+00:00")
    return root


def files(root: Path) -> list[Path]:
    return sorted((root / "data").rglob("*.yml"))


def test_each_file_is_dated_by_its_last_commit(repository):
    versions = last_changed(repository / "data", files(repository), BUILD)
    episodes = repository / "data" / "episodes"
    # The first commit was at 04:30 UTC the next day: dates are UTC.
    assert versions[episodes / "old.yml"] == Version(datetime.date(2025, 3, 5), True, datetime.date(2025, 3, 5))
    assert versions[episodes / "edited.yml"] == Version(datetime.date(2026, 2, 10), True, datetime.date(2025, 3, 5))
    assert versions[episodes / "edited.yml"].stated() == "last changed 10 February 2026"


def test_an_uncommitted_or_modified_file_is_dated_by_the_build(repository):
    episodes = repository / "data" / "episodes"
    (episodes / "new.yml").write_text("title: new\n")
    (episodes / "old.yml").write_text("title: changed, not committed\n")
    versions = last_changed(repository / "data", files(repository), BUILD)
    assert versions[episodes / "new.yml"] == Version(BUILD, False)
    assert versions[episodes / "old.yml"] == Version(BUILD, False)
    assert versions[episodes / "edited.yml"].from_history
    assert versions[episodes / "new.yml"].stated() == (
        "as built on 29 November 2026 (the record file's history is not available)"
    )


def test_a_renamed_file_is_dated_by_the_build_until_committed(repository):
    episodes = repository / "data" / "episodes"
    git(repository, "mv", "data/episodes/old.yml", "data/episodes/moved.yml")
    versions = last_changed(repository / "data", files(repository), BUILD)
    assert versions[episodes / "moved.yml"] == Version(BUILD, False)
    assert versions[episodes / "edited.yml"].from_history


def test_a_folder_outside_git_is_dated_by_the_build(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    record = folder / "a.yml"
    record.write_text("title: a\n")
    assert last_changed(folder, [record], BUILD) == {record: Version(BUILD, False)}


def test_without_git_the_build_still_dates_every_record(repository, monkeypatch):
    monkeypatch.setenv("PATH", str(repository / "no-such-bin"))
    record = files(repository)[0]
    assert last_changed(repository / "data", [record], BUILD) == {record: Version(BUILD, False)}


def test_a_shallow_clone_is_not_a_sound_history(repository, tmp_path):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", repository.as_uri(), str(clone))
    versions = last_changed(clone / "data", files(clone), BUILD)
    assert set(versions.values()) == {Version(BUILD, False)}


def test_the_build_date_honours_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert build_date() == datetime.date(2023, 11, 14)
