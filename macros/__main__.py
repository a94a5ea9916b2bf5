"""Command line: `python -m macros check [FOLDER]`, `python -m macros schema [OUTDIR]`,
`python -m macros build-pages OUT [--data FOLDER] [--site-url URL]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .export import schema_files
from .load import DataError, data_dir, load


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
    args = parser.parse_args(argv)

    if args.command == "build-pages":
        from .prebuild import write_pages
        from .site import Site

        folder = Path(args.data) if args.data else data_dir()
        try:
            site = Site.build(folder, args.site_url)
        except DataError as error:
            print(error.report(), file=sys.stderr)
            return 1
        count = write_pages(site, Path(args.out))
        print(f"{args.out}: {count} files from {folder}")
        return 0

    if args.command == "check":
        folder = Path(args.folder) if args.folder else data_dir()
        try:
            dataset = load(folder)
        except DataError as error:
            print(error.report(), file=sys.stderr)
            return 1
        counts = ", ".join(f"{len(dataset.collection(n))} {n}" for n in ("episodes", "treaties", "actors", "sources"))
        print(f"{folder}: no faults ({counts}, {len(dataset.tags)} tags)")
        return 0

    outdir = Path(args.outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    for name, text in schema_files().items():
        (outdir / name).write_text(text, encoding="utf-8")
        print(outdir / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
