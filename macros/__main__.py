"""Command line: `python -m macros check [FOLDER]`, `python -m macros schema [OUTDIR]`."""

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
    args = parser.parse_args(argv)

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
