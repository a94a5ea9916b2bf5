"""`python -m macros build-pages OUT`: the generated part of the site with no engine,
the same as what the MkDocs hook adds."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO, SMALL

COLLECTIONS = ("episodes", "treaties", "actors", "sources")


def build_pages(out: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "macros", "build-pages", str(out), *arguments],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_build_pages_writes_what_the_hook_adds(small_site: Path, tmp_path: Path):
    out = tmp_path / "pages"
    result = build_pages(out, "--data", str(SMALL))
    assert result.returncode == 0, result.stderr
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md"))
    built = sorted(
        p.relative_to(small_site).with_suffix(".md").as_posix()
        for collection in COLLECTIONS
        for p in (small_site / collection).glob("*.html")
    )
    assert pages == built
    for page in pages:
        text = (out / page).read_text(encoding="utf-8")
        front_matter, body = re.match(r"---\n(.*?)---\n\n(.*)", text, re.DOTALL).groups()
        html = (small_site / page).with_suffix(".html").read_text(encoding="utf-8")
        assert body.strip() in html, page
        title = re.search(r"^title: (.*)$", front_matter, re.MULTILINE)[1].strip("'\"")
        assert f"<title>{title} - The Chronicle</title>" in html, page
    for download in (out / "downloads").rglob("*"):
        if download.is_file():
            relative = download.relative_to(out)
            assert download.read_bytes() == (small_site / relative).read_bytes(), relative

    def entries(feed: str) -> list[str]:
        return re.findall(r"<entry>.*?</entry>", feed, re.DOTALL)

    assert entries((out / "feed.xml").read_text(encoding="utf-8")) == entries(
        (small_site / "feed.xml").read_text(encoding="utf-8")
    )


def test_build_pages_refuses_a_folder_with_a_fault(data_copy: Path, tmp_path: Path):
    (data_copy / "episodes" / "2018-06-test-proposal.yml").write_text("title: [\n", encoding="utf-8")
    result = build_pages(tmp_path / "pages", "--data", str(data_copy))
    assert result.returncode == 1
    assert "2018-06-test-proposal.yml" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "pages").exists()
