"""`mkdocs serve` rebuilds when a record changes, and watches macros/ too."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import REPO


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def wait_for(url: str, text: str, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page = fetch(url)
        if page is not None and text in page:
            return True
        time.sleep(0.5)
    return False


@contextlib.contextmanager
def serving(data: Path):
    """`mkdocs serve` of a data folder on a free port; yields the site's address."""
    port = free_port()
    env = {**os.environ, "CHRONICLE_DATA": str(data), "NO_MKDOCS_2_WARNING": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_serve_rebuilds_when_a_record_changes(data_copy: Path):
    with serving(data_copy) as base:
        url = base + "episodes/2018-06-test-proposal.html"
        assert wait_for(url, "Moscow proposes reaffirming the 1933 commitment")
        record = data_copy / "episodes/2018-06-test-proposal.yml"
        record.write_text(
            record.read_text(encoding="utf-8").replace("Moscow proposes", "Moscow again proposes"), encoding="utf-8"
        )
        assert wait_for(url, "Moscow again proposes reaffirming the 1933 commitment")


def test_serve_shows_a_data_fault_on_every_page_over_the_last_good_site(data_copy: Path):
    record = data_copy / "episodes/2018-06-test-proposal.yml"
    good = record.read_text(encoding="utf-8")
    with serving(data_copy) as base:
        episode, home = base + "episodes/2018-06-test-proposal.html", base + "index.html"
        assert wait_for(episode, "Moscow proposes reaffirming the 1933 commitment")
        record.write_text(good.replace("date: 2018-06", "date: 2018-13"), encoding="utf-8")
        fault = "2018-06-test-proposal.yml:"
        assert wait_for(home, fault), "the fault is not shown"
        page = fetch(episode)
        assert fault in page and "date" in page and "The data has a fault" in page
        assert "Moscow proposes reaffirming the 1933 commitment" in page, "the last good page is gone"
        record.write_text(good, encoding="utf-8")
        assert wait_for(home, "</html>") and wait_for_absent(home, "The data has a fault")


def wait_for_absent(url: str, text: str, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page = fetch(url)
        if page is not None and text not in page:
            return True
        time.sleep(0.5)
    return False


def test_serve_watches_the_data_folder_and_the_package(monkeypatch, tmp_path):
    import macros.hooks as hooks

    class Config:
        config_file_path = str(REPO / "mkdocs.yml")

    class Server:
        def __init__(self) -> None:
            self.watched: list[str] = []

        def watch(self, path: str) -> None:
            self.watched.append(path)

    monkeypatch.setenv("CHRONICLE_DATA", str(tmp_path))
    server = hooks.on_serve(Server(), Config(), None)
    assert str(tmp_path) in server.watched
    assert str(REPO / "macros") in server.watched


def test_the_last_good_copy_takes_a_save_its_times_do_not_show(tmp_path):
    """`serve` mirrors the data folder, copying what changed; a save within the same tick of the
    file clock, of the same size, keeps the old times, so a file saved just now is copied anyway."""
    import macros.hooks as hooks

    folder, copy = tmp_path / "data", tmp_path / "copy"
    (folder / "episodes").mkdir(parents=True)
    record = folder / "episodes" / "a.yml"
    record.write_text("title: first\n", encoding="utf-8")
    (folder / "episodes" / "gone.yml").write_text("x: 1\n", encoding="utf-8")
    hooks._mirror(folder, copy)
    assert (copy / "episodes" / "a.yml").read_text(encoding="utf-8") == "title: first\n"
    times = record.stat()
    record.write_text("title: other\n", encoding="utf-8")  # same size
    os.utime(record, ns=(times.st_atime_ns, times.st_mtime_ns))  # and, as in one tick, the same time
    (folder / "episodes" / "gone.yml").unlink()
    hooks._mirror(folder, copy)
    assert (copy / "episodes" / "a.yml").read_text(encoding="utf-8") == "title: other\n"
    assert not (copy / "episodes" / "gone.yml").exists()


def test_a_record_files_path_in_the_repository_resolves_its_folder_and_follows_a_linked_file(tmp_path):
    """The edit link names the record's file in the repository: a folder reached through a link,
    or a file that is a link, still gives the file's real place; data outside gives none."""
    import macros.hooks as hooks

    data = hooks.REPOSITORY / "data"
    episode = next((data / "episodes").glob("*.yml"))
    assert hooks._in_repository(episode) == f"data/episodes/{episode.name}"
    (tmp_path / "linked-folder").symlink_to(data / "episodes")
    assert hooks._in_repository(tmp_path / "linked-folder" / episode.name) == f"data/episodes/{episode.name}"
    (tmp_path / "own").mkdir()
    (tmp_path / "own" / "x.yml").symlink_to(episode)
    assert hooks._in_repository(tmp_path / "own" / "x.yml") == f"data/episodes/{episode.name}"
    (tmp_path / "own" / "outside.yml").write_text("title: x\n", encoding="utf-8")
    assert hooks._in_repository(tmp_path / "own" / "outside.yml") is None
