"""Command line: `python -m macros check [FOLDER]`, `python -m macros schema [OUTDIR]`,
`python -m macros new KIND ID [--data FOLDER]`,
`python -m macros build-pages OUT [--data FOLDER] [--site-url URL]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .export import schema_files
from .load import DataError, data_dir, display_path, load
from .scaffold import KINDS, ScaffoldError, new_record, required_fields


def _check(folder: Path) -> int:
    try:
        dataset = load(folder)
    except DataError as error:
        print(error.report(), file=sys.stderr)
        return 1
    counts = ", ".join(f"{len(dataset.collection(n))} {n}" for n in ("episodes", "treaties", "actors", "sources"))
    print(f"{folder}: no faults ({counts}, {len(dataset.tags)} tags)")
    return 0


def _schema(outdir: Path) -> int:
    outdir.mkdir(parents=True, exist_ok=True)
    for name, text in schema_files().items():
        (outdir / name).write_text(text, encoding="utf-8")
        print(outdir / name)
    return 0


def _new(kind: str, record_id: str, folder: Path, named: bool) -> int:
    try:
        path = new_record(kind, record_id, folder)
    except ScaffoldError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    shown = display_path(path)
    print(f"Wrote {shown}. Fill in: {', '.join(required_fields(kind))}", end="")
    print(" (and outcome, for a proposal)." if kind == "episode" else ".")
    check = f"python3 run.py check {display_path(folder)}" if named else "python3 run.py check"
    print(f"Then run `{check}`: it names every field of {shown} still empty or wrong.")
    return 0


def _build_pages(out: Path, folder: Path, site_url: str) -> int:
    from .prebuild import write_pages
    from .site import Site

    try:
        site = Site.build(folder, site_url)
        site.prepare_citations()
    except DataError as error:
        print(error.report(), file=sys.stderr)
        return 1
    print(f"{out}: {write_pages(site, out)} files from {folder}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m macros", description="The Chronicle's data tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate a data folder and list every fault")
    check.add_argument("folder", nargs="?", help="default: $CHRONICLE_DATA, else data/")
    schema = commands.add_parser("schema", help="write the JSON Schema of each collection")
    schema.add_argument("outdir", nargs="?", default="schema")
    pages = commands.add_parser(
        "build-pages", help="write the record pages, downloads and feed as files, for an engine without hooks"
    )
    pages.add_argument("out")
    pages.add_argument("--data", help="default: $CHRONICLE_DATA, else data/")
    pages.add_argument("--site-url", default="", help="the site's public address, for permanent addresses")
    new = commands.add_parser("new", help="write a new record file with its fields laid out, to fill in")
    new.add_argument("kind", choices=sorted(KINDS))
    new.add_argument("id", help="the record's id: its file name and address, e.g. 2018-07-16-helsinki-summit")
    new.add_argument("--data", metavar="FOLDER", help="default: $CHRONICLE_DATA, else data/")
    args = parser.parse_args(argv)

    if args.command == "build-pages":
        return _build_pages(Path(args.out), Path(args.data) if args.data else data_dir(), args.site_url)
    if args.command == "check":
        return _check(Path(args.folder) if args.folder else data_dir())
    if args.command == "new":
        return _new(args.kind, args.id, Path(args.data) if args.data else data_dir(), named=bool(args.data))
    return _schema(Path(args.outdir))


if __name__ == "__main__":
    sys.exit(main())
