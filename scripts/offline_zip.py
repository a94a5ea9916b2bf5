#!/usr/bin/env python3
"""Zip a built Chronicle into chronicle-offline.zip, to be read from disk.

    python3 scripts/offline_zip.py [SITE_DIR] [ZIP_FILE]

SITE_DIR defaults to site/ (what `python3 run.py build` writes), ZIP_FILE to
chronicle-offline.zip at the repository root. Everything sits in one folder,
chronicle/, in the zip: unzipped anywhere, chronicle/index.html opens the site
in a browser with no server and no network. The build makes that possible
(use_directory_urls: false, Material's offline plugin, a local search worker);
this script only packs it, with the Python standard library.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDER = "chronicle"
# Written into the zip after every page, for whoever opens it before a browser.
README = """The Chronicle: a sourced, searchable record of US–Russia diplomacy.

Open chronicle/index.html in a web browser. Every page, the search and the
downloads work from this folder, with no network connection.
"""


def offline_zip(site: Path, target: Path) -> Path:
    site = site.resolve()
    if not (site / "index.html").is_file():
        raise SystemExit(f"{site} is not a built site (no index.html): run `python3 run.py build` first")
    target = target.resolve()
    # Never the zip itself, nor a copy of it published inside the site.
    files = sorted(path for path in site.rglob("*") if path.is_file() and path.name != target.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in files:
            archive.write(path, f"{FOLDER}/{path.relative_to(site).as_posix()}")
        archive.writestr(f"{FOLDER}/README.txt", README)
    partial.replace(target)
    return target


def main(argv: list[str]) -> int:
    if len(argv) > 2 or any(arg in ("-h", "--help") for arg in argv):
        print(__doc__)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    site = Path(argv[0]) if argv else ROOT / "site"
    target = Path(argv[1]) if len(argv) > 1 else ROOT / "chronicle-offline.zip"
    written = offline_zip(site, target)
    with zipfile.ZipFile(written) as archive:
        count = len(archive.namelist())
    print(f"{written}: {count} files, {written.stat().st_size / 1_000_000:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
