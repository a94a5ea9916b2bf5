"""When each record last changed, read from the data folder's git history.

One `git log` for the whole folder gives every file's last commit date. A file
that is not committed as it stands (new, modified, or a folder outside git,
or a shallow clone whose history stops short) has no sound date: it is dated
by the build instead, and says so. Nothing here can fail a build: without git,
every record is dated by the build.
"""

from __future__ import annotations

import datetime
import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

GIT_TIMEOUT = 60  # seconds; a history that takes longer is treated as absent


@dataclass(frozen=True)
class Version:
    """A record's last-changed date, and whether its file's history gave it."""

    date: datetime.date
    from_history: bool
    added: datetime.date | None = None  # the file's first commit, when its history gives it

    @property
    def iso(self) -> str:
        return self.date.isoformat()

    def stated(self) -> str:
        """The date as a reader should see it, saying where it comes from."""
        shown = f"{self.date.day} {self.date:%B %Y}"
        if self.from_history:
            return f"last changed {shown}"
        return f"as built on {shown} (the record file's history is not available)"


def _git(folder: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", "-c", "core.quotePath=false", "-C", str(folder), *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


def build_date() -> datetime.date:
    """Today in UTC, or the day SOURCE_DATE_EPOCH names (reproducible builds), as MkDocs reads it."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    moment = datetime.datetime.fromtimestamp(int(epoch), datetime.UTC) if epoch.isdigit() else None
    return (moment or datetime.datetime.now(datetime.UTC)).date()


def _history(folder: Path) -> dict[Path, tuple[datetime.date, datetime.date]]:
    """(last, first) commit dates of each file under `folder` (empty when there is no sound history)."""
    top = _git(folder, "rev-parse", "--show-toplevel", "--is-shallow-repository")
    if top is None:
        return {}
    root, _, shallow = top.strip().partition("\n")
    if shallow.strip() == "true":  # a shallow clone dates every file by its one commit: not sound
        return {}
    log = _git(folder, "log", "--format=%x00%cI", "--name-only", "--relative", "--", ".")
    if log is None:
        return {}
    changed: dict[Path, tuple[datetime.date, datetime.date]] = {}
    for commit in log.split("\0")[1:]:
        stamp, _, names = commit.partition("\n")
        date = datetime.datetime.fromisoformat(stamp.strip()).astimezone(datetime.UTC).date()
        for name in names.split("\n"):
            if name:  # newest commits come first: the first date seen for a file is its last change
                path = (folder / name).resolve()
                changed[path] = (changed[path][0] if path in changed else date, date)
    # A file changed since its last commit, or never committed, is dated by the build.
    status = _git(folder, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", ".")
    if status is None:
        return {}
    entries = iter(status.split("\0"))
    for entry in entries:
        if len(entry) > 3:
            changed.pop((Path(root) / entry[3:]).resolve(), None)
            if entry[0] in "RC":  # a rename or copy: its next entry is the old path
                next(entries, None)
    return changed


def last_changed(folder: Path, files: Iterable[Path], build_date: datetime.date) -> dict[Path, Version]:
    """Each file's Version: its last commit's date, or the build's date when its history is not sound."""
    history = _history(folder.resolve())
    versions = {}
    for file in files:
        dates = history.get(file.resolve())
        versions[file] = Version(dates[0], True, dates[1]) if dates else Version(build_date, False)
    return versions
