#!/usr/bin/env python3
"""Measure the build on a synthetic data folder of a given size.

    .venv/bin/python scripts/benchmark.py [--episodes 1000] [--runs 2]

Writes a folder of records that follows the data contract (episodes with
quotes and reply threads, treaties with histories, actors, sources, tags),
then times loading it and a full `mkdocs build --strict`, and reports page
sizes. Prints a Markdown table; the README records the numbers.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from macros.load import load  # noqa: E402
from macros.markup import _convert as convert_markdown  # noqa: E402

KINDS = ["statement", "meeting", "publication", "accusation", "context", "response"]


def write(path: Path, record: dict) -> None:
    path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")


def make_folder(root: Path, episodes: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    for name in ("episodes", "treaties", "actors", "sources"):
        (root / name).mkdir(parents=True)
    actors = [f"actor-{n}" for n in range(max(20, episodes // 5))]
    sources = [f"source-{n}" for n in range(max(10, episodes // 10))]
    treaties = [f"treaty-{n}" for n in range(max(5, episodes // 20))]
    tags = [f"tag-{n}" for n in range(12)]
    (root / "tags.yml").write_text(
        yaml.safe_dump({t: {"label": f"Tag {t}", "description": "A synthetic tag."} for t in tags}), encoding="utf-8"
    )
    for n, actor in enumerate(actors):
        write(
            root / "actors" / f"{actor}.yml",
            {"name": f"Person {n}", "native_name": f"Персона {n}", "type": "person", "summary": "A synthetic actor."},
        )
    for n, source in enumerate(sources):
        write(
            root / "sources" / f"{source}.yml",
            {
                "title": f"Report number {n}",
                "outlet": rng.choice(["Wire A", "Paper B", "Agency C"]),
                "type": "news",
                "affiliation": rng.choice(["state-media", "independent", "government", "partisan"]),
                "published": f"{rng.randint(1990, 2024)}-{rng.randint(1, 12):02d}",
                "notes": "A synthetic source.",
            },
        )
    for n, treaty in enumerate(treaties):
        write(
            root / "treaties" / f"{treaty}.yml",
            {
                "name": f"Agreement number {n}",
                "kind": "agreement",
                "parties": rng.sample(actors, 2),
                "status": "in-force",
                "history": [
                    {"date": "1990-01-01", "event": "signed", "source": rng.choice(sources)},
                    {"date": "1991-06", "event": "entered-into-force", "source": rng.choice(sources)},
                ],
                "summary": "A synthetic agreement with **some** Markdown.",
                "provisions": ["First provision.", "Second provision."],
                "sources": [rng.choice(sources)],
                "tags": rng.sample(tags, 2),
            },
        )
    ids = []
    for n in range(episodes):
        year = 1933 + n * 90 // episodes
        episode_id = f"{year}-episode-{n}"
        cited = rng.sample(sources, 2)
        kind = "proposal" if n % 7 == 0 else rng.choice(KINDS)
        record = {
            "title": f"Episode {n}: a synthetic event in {year}",
            "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "kind": kind,
            "by": rng.choice(actors),
            "to": rng.choice(actors),
            "actors": rng.sample(actors, 2),
            "treaties": [rng.choice(treaties)],
            "summary": "According to the source, " + " ".join(["something was said"] * 12) + ".",
            "body": "\n\n".join(["A paragraph of context, with a [link](https://example.org)."] * 3),
            "quotes": [
                {"text": " ".join(["quoted words"] * 10), "source": cited[0], "speaker": rng.choice(actors)},
                {"text": "A short quote.", "source": cited[1], "attributed_to": "an official"},
            ],
            "sources": cited,
            "tags": rng.sample(tags, 2),
        }
        if kind == "proposal":
            record["outcome"] = rng.choice(["rejected", "pending", "accepted"])
        if kind == "response" and ids:
            record["responds_to"] = rng.choice(ids)
        ids.append(episode_id)
        write(root / "episodes" / f"{episode_id}.yml", record)


def measure(episodes: int, runs: int) -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        make_folder(data, episodes)
        files = sum(1 for _ in data.rglob("*.yml"))

        load_times = []
        for _ in range(runs):
            convert_markdown.cache_clear()  # measure a cold load, as in a build
            start = time.perf_counter()
            load(data)
            load_times.append(time.perf_counter() - start)

        build_times = []
        site = Path(tmp) / "site"
        env = {**os.environ, "CHRONICLE_DATA": str(data), "NO_MKDOCS_2_WARNING": "1"}
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)],
                cwd=REPO,
                env=env,
                check=True,
            )
            build_times.append(time.perf_counter() - start)

        pages = list(site.rglob("*.html"))
        episode_sizes = [p.stat().st_size for p in (site / "episodes").glob("*.html")]
        total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
        index = (site / "search" / "search_index.json").stat().st_size
    return [
        ("records (YAML files)", f"{files:,}"),
        ("HTML pages built", f"{len(pages):,}"),
        ("load + validate (best of runs)", f"{min(load_times):.2f} s"),
        ("`mkdocs build --strict` (best of runs)", f"{min(build_times):.1f} s"),
        ("episode page, median size", f"{statistics.median(episode_sizes) / 1024:.0f} KB"),
        ("episode page, largest", f"{max(episode_sizes) / 1024:.0f} KB"),
        ("search index", f"{index / 1024 / 1024:.1f} MB"),
        ("whole site", f"{total / 1024 / 1024:.1f} MB"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    rows = measure(args.episodes, args.runs)
    print(f"{args.episodes} synthetic episodes; Python {platform.python_version()}, {os.cpu_count()} cores\n")
    print("| measure | value |\n| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
