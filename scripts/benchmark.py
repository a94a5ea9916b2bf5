#!/usr/bin/env python3
"""Measure the build on a synthetic data folder of a given size.

    .venv/bin/python scripts/benchmark.py [--episodes 1000] [--runs 3] [--no-search]

Writes a folder of records that follows the data contract (episodes with
quotes and reply threads, treaties with histories, actors, sources, tags,
deterministic from a seed), then builds, in rounds, (a) the floor: the same
records written as plain Markdown pages with the same facts and back-links,
built by the same MkDocs + Material with search and offline (scripts/floor/),
(b) the Chronicle from it with no citation cached and (c) again, with them
cached. Prints medians of wall time and peak memory, the medians of each
round's ratios, page and index sizes, the time to a first search result in
Chromium, and the search worker's time with the index the build made beside
Material's own indexing, as a Markdown table; the README records the numbers.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
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


FLOOR = Path(__file__).resolve().parent / "floor"


def write_floor(data: Path, project: Path) -> None:
    """The same records as plain Markdown pages, with the same facts and back-links, in a project of their own."""
    from jinja2 import Environment, FileSystemLoader

    from macros.index import Chronicle, chronological

    chronicle = Chronicle(load(data))
    template = Environment(loader=FileSystemLoader(FLOOR), trim_blocks=True, lstrip_blocks=True).get_template(
        "page.md.j2"
    )
    docs = project / "docs"
    for name in ("episodes", "treaties", "actors", "sources", "assets/javascripts"):
        (docs / name).mkdir(parents=True)
    shutil.copy(FLOOR / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copy(REPO / "docs/assets/javascripts/iframe-worker.js", docs / "assets/javascripts/")

    def link(collection: str, record) -> tuple[str, str]:
        return getattr(record, "title", None) or record.name, f"../{collection}/{record.id}.md"

    def page(collection: str, record, title: str, facts: list, sections: list) -> None:
        text = template.render(record=record, title=title, facts=facts, sections=sections)
        (docs / collection / f"{record.id}.md").write_text(text, encoding="utf-8")

    for episode in chronicle.episodes.values():
        actors = [chronicle.actors[a] for a in [episode.by, episode.to, *episode.actors] if a]
        page(
            "episodes",
            episode,
            episode.title,
            [("Date", episode.date.display()), ("Kind", episode.kind)],
            [
                ("Who", [link("actors", a) for a in actors]),
                ("Treaties", [link("treaties", chronicle.treaties[t]) for t in episode.treaties]),
                ("Thread", [link("episodes", e) for e in chronicle.ancestry(episode)]),
                ("Replies", [link("episodes", e) for _, e in chronicle.thread(episode)]),
                ("Sources", [link("sources", chronicle.sources[s]) for s in episode.sources]),
            ],
        )
    for treaty in chronicle.treaties.values():
        page(
            "treaties",
            treaty,
            treaty.name,
            [("Status", treaty.status), *((entry.event, entry.date.display()) for entry in treaty.history)],
            [("Episodes", [link("episodes", e) for e in chronicle.treaty_episodes[treaty.id]])],
        )
    for actor in chronicle.actors.values():
        page(
            "actors",
            actor,
            actor.name,
            [("Type", actor.type), ("Native name", actor.native_name or "")],
            [("Episodes", [link("episodes", a.episode) for a in chronicle.actor_appearances[actor.id]])],
        )
    for source in chronicle.sources.values():
        cited = chronicle.citations[source.id]
        page(
            "sources",
            source,
            source.title,
            [("Outlet", source.outlet), ("Published", source.published.display())],
            [("Episodes", [link("episodes", e) for e in cited.episodes])],
        )
    # The same indexes and tabs as the Chronicle's, as plain lists.
    episodes = chronological(chronicle.episodes.values())
    indexes = {
        "timeline": [(e.title, f"episodes/{e.id}.md") for e in episodes],
        "proposals": [(e.title, f"episodes/{e.id}.md") for e in episodes if e.kind == "proposal"],
        "treaties": [(t.name, f"treaties/{t.id}.md") for t in chronicle.treaties.values()],
        "actors": [(a.name, f"actors/{a.id}.md") for a in chronicle.actors.values()],
        "sources": [(s.title, f"sources/{s.id}.md") for s in chronicle.sources.values()],
        "tags": [(t.label, f"timeline.md#{t.id}") for t in chronicle.tags.values()],
    }
    for name in ("index", "downloads", "methodology", "quality"):
        indexes.setdefault(name, [])
    for name, links in indexes.items():
        listed = "\n".join(f"- [{text}]({target})" for text, target in links)
        (docs / f"{name}.md").write_text(f"# {name.capitalize()}\n\n{listed}\n", encoding="utf-8")


# Runs a command and prints its wall time and the largest peak memory of one process it ran.
_TIMED = (
    "import resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "subprocess.run(sys.argv[1:], check=True)\n"
    "print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def _tree(root: int) -> list[int]:
    """The process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _pss_kb(pid: int) -> int:
    """A process's proportional set size: its private memory plus its share of what it shares
    (a forked worker shares most of its parent's pages; counting them once each is the truth)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def timed_build(project: Path, site: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """(seconds, peak resident MB of the largest process, peak MB of all its processes together)
    of one `mkdocs build --strict` in a process of its own. The whole tree is sampled every
    0.05 s (sum of PSS) where /proc has it; elsewhere that column repeats the first."""
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)]
    process = subprocess.Popen(
        [sys.executable, "-c", _TIMED, *command], cwd=project, env=env, stdout=subprocess.PIPE, text=True
    )
    together = 0
    while process.poll() is None:
        if Path("/proc/self/smaps_rollup").exists():
            together = max(together, sum(_pss_kb(pid) for pid in _tree(process.pid)[1:]))
        time.sleep(0.05)
    output = process.stdout.read()
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    seconds, peak_kb = output.split()[-2:]
    largest = int(peak_kb) / 1024
    return float(seconds), largest, (together / 1024) or largest


# In the page: when the reader pressed on the search box, and when the first frame was drawn
# with a result in it. Timed in the page, not by polling it from here: Playwright polls a
# selector at growing intervals (up to 500 ms), which would add up to that much to a reading.
_FIRST_RESULT_CLOCK = """
window.__pressed = null;
window.__shown = null;
addEventListener("pointerdown", () => { window.__pressed = window.__pressed ?? performance.now(); }, true);
new MutationObserver((changes, observer) => {
  if (document.querySelector(".md-search-result__item")) {
    observer.disconnect();
    requestAnimationFrame(() => { window.__shown = performance.now(); });
  }
}).observe(document, { subtree: true, childList: true });
"""


def first_search(site: Path, query: str, runs: int = 3) -> dict[str, float]:
    """Median seconds from pressing on the search box to the first frame showing a result,
    from disk and over http, in Debian's Chromium: a new browser context (no cache) each time."""
    sys.path.insert(0, str(REPO / "tests"))
    from conftest import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright
    from sitetools import serve

    timings: dict[str, list[float]] = {"disk": [], "http": []}
    with sync_playwright() as playwright, serve(site) as base:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for _ in range(runs):  # interleaved
            for where, start in (("disk", (site / "index.html").as_uri()), ("http", base + "index.html")):
                page = browser.new_page()
                page.add_init_script(_FIRST_RESULT_CLOCK)
                page.goto(start)
                box = page.locator("input.md-search__input")
                box.click()
                box.fill(query)
                box.press("End")
                page.wait_for_function("() => window.__shown !== null", timeout=120_000)
                timings[where].append(page.evaluate("() => (window.__shown - window.__pressed) / 1000"))
                page.close()
        browser.close()
    return {where: statistics.median(taken) for where, taken in timings.items()}


# What the theme posts to its search worker, then one query: the time until each answers.
_WORKER_TIMES = """
async ([worker, query]) => {
  const index = await (await fetch("search/search_index.json")).json();
  const setup = { config: index.config, docs: index.docs, options: { suggest: true } };
  const running = new Worker(worker);
  let answered = null;
  running.onmessage = (event) => answered(event.data);
  const send = (message) => new Promise((resolve) => { answered = resolve; running.postMessage(message); });
  const began = performance.now();
  await send({ type: 0, data: setup });
  const ready = performance.now();
  await send({ type: 2, data: query });
  const done = performance.now();
  running.terminate();
  return [(ready - began) / 1000, (done - ready) / 1000];
}
"""


def search_workers(site: Path, query: str, runs: int = 3) -> dict[str, tuple[float, float]]:
    """Median seconds to set the search worker up and to answer a first query, side by side:
    Material's worker indexing every entry, and the site's taking the index the build made."""
    sys.path.insert(0, str(REPO / "tests"))
    from conftest import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright
    from sitetools import serve

    folder = site / "assets" / "javascripts" / "workers"
    material = next(folder.glob("search.*.min.js")).name
    address = "assets/javascripts/workers/"
    workers = {
        "Material's worker, indexing in the browser": f"{address}{material}",
        "the site's worker, with the built index": f"{address}chronicle-search.js?material={material}",
    }
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in workers}
    with sync_playwright() as playwright, serve(site) as base:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(base + "index.html")
        for _ in range(runs):  # interleaved
            for name, worker in workers.items():
                times[name].append(tuple(page.evaluate(_WORKER_TIMES, [worker, query])))
        browser.close()
    return {
        name: (statistics.median(t[0] for t in taken), statistics.median(t[1] for t in taken))
        for name, taken in times.items()
    }


def serve_edit(data: Path, edits: int = 3) -> float:
    """Seconds from saving an edited record to `mkdocs serve` answering with the change: the median
    of `edits` saves, each of another record, in one server's life (as a contributor works)."""
    import socket
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "CHRONICLE_DATA": str(data), "NO_MKDOCS_2_WARNING": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--strict", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def page(url: str) -> str:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode("utf-8")
        except OSError:
            return ""

    records = sorted((data / "episodes").glob("*.yml"))[:edits]
    took = []
    try:
        deadline = time.monotonic() + 600
        for record in records:
            url = f"http://127.0.0.1:{port}/episodes/{record.stem}.html"
            while "synthetic event" not in page(url) and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(2)  # the server settles after its last build
            text = record.read_text(encoding="utf-8")
            record.write_text(text.replace("a synthetic event", "an edited event", 1), encoding="utf-8")
            saved = time.monotonic()
            while "an edited event" not in page(url) and time.monotonic() < deadline:
                time.sleep(0.1)
            took.append(time.monotonic() - saved)
        return statistics.median(took)
    finally:
        server.terminate()
        server.wait(timeout=60)


def measure(episodes: int, runs: int, search: bool, serve: bool = False) -> list[tuple[str, str]]:
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

        floor_project = Path(tmp) / "floor"
        write_floor(data, floor_project)
        site, floor_site = Path(tmp) / "site", Path(tmp) / "floor-site"
        # A first build fills the citation cache (macros/cite.py), the next one reads it.
        cache = Path(tmp) / "cache"
        env = {
            **os.environ,
            "CHRONICLE_DATA": str(data),
            "CHRONICLE_CACHE": str(cache),
            "NO_MKDOCS_2_WARNING": "1",
        }
        # Each round builds the floor, then a first build (the cache emptied) and a build with
        # citations cached, one after the other: a ratio is taken within its round, where all
        # three saw the same machine, and the medians of the rounds' ratios are printed.
        first_runs, warm, floor_runs = [], [], []
        for _ in range(runs):
            floor_runs.append(timed_build(floor_project, floor_site, env))
            shutil.rmtree(cache, ignore_errors=True)
            first_runs.append(timed_build(REPO, site, env))
            warm.append(timed_build(REPO, site, env))
        cold = statistics.median(t for t, _, _ in first_runs)
        seconds = statistics.median(t for t, _, _ in warm)
        floor_seconds = statistics.median(t for t, _, _ in floor_runs)
        cold_ratio = statistics.median(c[0] / f[0] for c, f in zip(first_runs, floor_runs, strict=True))
        warm_ratio = statistics.median(w[0] / f[0] for w, f in zip(warm, floor_runs, strict=True))
        peak = statistics.median(m for _, m, _ in warm)
        floor_peak = statistics.median(m for _, m, _ in floor_runs)
        # Memory is measured on the builds with citations cached: only a first build runs citation workers.
        tree = statistics.median(m for _, _, m in warm)
        floor_tree = statistics.median(m for _, _, m in floor_runs)

        pages = list(site.rglob("*.html"))
        episode_sizes = [p.stat().st_size for p in (site / "episodes").glob("*.html")]
        total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
        index = (site / "search" / "search_index.json").stat().st_size
        floor_index = (floor_site / "search" / "search_index.json").stat().st_size
        rows = [
            ("records (YAML files)", f"{files:,}"),
            ("HTML pages built", f"{len(pages):,}"),
            ("load + validate (best of runs)", f"{min(load_times):.2f} s"),
            ("`mkdocs build --strict`, first build: no citation cached (median)", f"{cold:.1f} s"),
            ("`mkdocs build --strict`, citations cached (median)", f"{seconds:.1f} s"),
            ("floor: the same records as plain Markdown pages (median)", f"{floor_seconds:.1f} s"),
            ("**build time ÷ floor**, first build (median of the rounds' ratios)", f"**{cold_ratio:.2f}×**"),
            ("**build time ÷ floor**, citations cached (median of the rounds' ratios)", f"**{warm_ratio:.2f}×**"),
            ("peak memory, largest process (median)", f"{peak:.0f} MB"),
            ("floor: peak memory (median)", f"{floor_peak:.0f} MB"),
            ("**peak memory ÷ floor**, largest process", f"**{peak / floor_peak:.2f}×**"),
            ("peak memory, all the build's processes together (PSS, median)", f"{tree:.0f} MB"),
            ("floor: the same (PSS, median)", f"{floor_tree:.0f} MB"),
            ("**peak memory ÷ floor**, all processes", f"**{tree / floor_tree:.2f}×**"),
            ("episode page, median size", f"{statistics.median(episode_sizes) / 1024:.0f} KB"),
            ("search index (JSON; shipped again as JS for disk)", f"{index / 1024 / 1024:.1f} MB"),
            ("floor: search index", f"{floor_index / 1024 / 1024:.1f} MB"),
            ("whole site", f"{total / 1024 / 1024:.1f} MB"),
        ]
        if serve:
            rows.append(
                ("`mkdocs serve`: a saved record shown changed (median of 3 saves)", f"{serve_edit(data):.1f} s")
            )
        if search:
            timings = first_search(site, "Episode 7")
            rows += [
                (f"first search result drawn, from {where} (median of 3, timed in the page)", f"{value:.2f} s")
                for where, value in timings.items()
            ]
            workers = search_workers(site, "Episode 7")
            for name, (ready, answered) in workers.items():
                rows.append(
                    (
                        f"search worker ready + first answer, partial or not ({name}; median of 3)",
                        f"{ready:.2f} s + {answered:.2f} s = {ready + answered:.2f} s",
                    )
                )
            (indexing, built) = (sum(pair) for pair in workers.values())
            rows.append(("**search worker, built index ÷ indexing in the browser**", f"**{built / indexing:.2f}×**"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-search", action="store_true", help="skip the search timing in Chromium")
    parser.add_argument("--serve", action="store_true", help="also time an edit under `mkdocs serve`")
    args = parser.parse_args()
    rows = measure(args.episodes, args.runs, not args.no_search, args.serve)
    print(f"{args.episodes} synthetic episodes; Python {platform.python_version()}, {os.cpu_count()} cores\n")
    print("| measure | value |\n| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
