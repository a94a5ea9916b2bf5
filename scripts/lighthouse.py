#!/usr/bin/env python3
"""Lighthouse scores of a built Chronicle, served on 127.0.0.1: a benchmark, not a test.

    python3 scripts/lighthouse.py [--site DIR] [--preset mobile|desktop] [--runs N] [--markdown] [--check]

Builds nothing: DIR (default site/, from `python3 run.py build`) must hold a
built site. It is served on a free port of 127.0.0.1 the way GitHub Pages
serves it (gzip-compressed text, Cache-Control: max-age=600), and the pinned npm
Lighthouse (node_modules/.bin/lighthouse; `npm ci` installs it) audits the
home page, an episode and a treaty in Debian's Chromium (CHROME_PATH, default
/usr/bin/chromium), headless. Each page is audited --runs times (default 3)
and the median run by performance is kept, as Lighthouse advises. It prints a
table of the four category scores; --markdown prints it as Markdown, and
--check exits 1 unless accessibility, best practices and SEO are 1.0 and
performance is at least 0.95 on every page.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from loopback import QuietHandler, serve

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
TARGETS = {"performance": 0.95, "accessibility": 1.0, "best-practices": 1.0, "seo": 1.0}
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _PagesLike(QuietHandler):
    """Serves the site as GitHub Pages does: gzip for text, a ten-minute cache."""

    COMPRESSIBLE = (".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".map")

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_file() and path.suffix in self.COMPRESSIBLE and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(path.read_bytes(), compresslevel=6)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Vary", "Accept-Encoding")
            self.end_headers()
            return io.BytesIO(body)
        return super().send_head()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()


def richest(site: Path, collection: str) -> str:
    """The largest page of a collection: the heaviest of its kind."""
    pages = sorted((site / collection).glob("*.html"), key=lambda page: (-page.stat().st_size, page.name))
    if not pages:
        raise SystemExit(f"{site} has no {collection} pages")
    return f"{collection}/{pages[0].name}"


def audit(url: str, preset: str, chrome: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as work:
        report = Path(work) / "report.json"
        command = [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={' '.join([*CHROME_FLAGS, f'--user-data-dir={work}/profile'])}",
        ]
        if preset == "desktop":
            command.append("--preset=desktop")
        result = subprocess.run(
            command, env={**os.environ, "CHROME_PATH": chrome}, capture_output=True, text=True, timeout=300
        )
        if result.returncode != 0 or not report.exists():
            raise SystemExit(f"lighthouse failed on {url}:\n{result.stderr[-3000:]}")
        data = json.loads(report.read_text(encoding="utf-8"))
    scores = {name: data["categories"][name]["score"] for name in CATEGORIES}
    metrics = {
        name: data["audits"][name]["displayValue"]
        for name in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "speed-index")
        if name in data["audits"]
    }
    failing = sorted(
        f"{name}: {audit['title']}"
        for name, audit in data["audits"].items()
        if audit.get("score") is not None
        and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
        and audit["score"] < 1
        and any(ref["id"] == name for category in CATEGORIES for ref in data["categories"][category]["auditRefs"])
    )
    return {"scores": scores, "metrics": metrics, "failing": failing, "version": data.get("lighthouseVersion", "?")}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site")
    parser.add_argument("--preset", choices=["mobile", "desktop"], default="mobile")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)

    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    if not LIGHTHOUSE.exists():
        raise SystemExit(f"{LIGHTHOUSE} is missing: run `npm ci` at the repository root")
    if not Path(chrome).exists():
        raise SystemExit(f"{chrome} is missing: install Debian's chromium or set CHROME_PATH")
    site = args.site.resolve()
    if not (site / "index.html").is_file():
        raise SystemExit(f"{site} is not a built site: run `python3 run.py build` first")

    pages = {"Home": "index.html", "An episode": richest(site, "episodes"), "A treaty": richest(site, "treaties")}
    rows = []
    version = "?"
    with serve(site, _PagesLike) as base:
        for label, path in pages.items():
            runs = [audit(base + path, args.preset, chrome) for _ in range(max(1, args.runs))]
            runs.sort(key=lambda run: run["scores"]["performance"] or 0)
            median = runs[len(runs) // 2]
            version = median["version"]
            perf = [run["scores"]["performance"] for run in runs]
            rows.append((label, path, median, statistics.median(perf), min(perf), max(perf)))
            print(f"  {label}: {path} done", file=sys.stderr)

    header = ["Page", "Address", "Performance", "Accessibility", "Best practices", "SEO"]
    table = [
        [label, path, *(f"{median['scores'][name]:.2f}" for name in CATEGORIES)] for label, path, median, *_ in rows
    ]
    machine = f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}"
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join(" --- " for _ in header) + "|")
        for row in table:
            print("| " + " | ".join(f"`{cell}`" if index == 1 else cell for index, cell in enumerate(row)) + " |")
        print()
        print(
            f"Lighthouse {version}, {args.preset} preset, median of {args.runs} runs per page, "
            f"{date.today().isoformat()}, {machine}, Chromium at {chrome}."
        )
    else:
        widths = [max(len(str(row[i])) for row in [header, *table]) for i in range(len(header))]
        for row in [header, *table]:
            print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
        print(f"\nLighthouse {version}, {args.preset} preset, median of {args.runs} runs, {machine}")
    for label, _path, median, _, low, high in rows:
        print(f"{label}: " + ", ".join(f"{k} {v}" for k, v in median["metrics"].items()), file=sys.stderr)
        if median["failing"]:
            print(f"{label}: audits below 1 — " + "; ".join(median["failing"]), file=sys.stderr)
        if args.runs > 1:
            print(f"{label}: performance ranged {low:.2f}–{high:.2f} over {args.runs} runs", file=sys.stderr)

    if args.check:
        short = [
            f"{label} {name} {median['scores'][name]:.2f} < {target}"
            for label, _path, median, *_ in rows
            for name, target in TARGETS.items()
            if (median["scores"][name] or 0) < target
        ]
        if short:
            print("Below target: " + "; ".join(short), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
