#!/usr/bin/env python3
"""Try the newest installable Zensical on the Chronicle and report what works: a trial, never a gate.

    python scripts/zensical_trial.py [--report FILE] [--keep]

Run it with the project's Python (`.venv/bin/python`, or any with requirements/site.txt):
the record pages are pre-built with that Python when the engine-free command
`python -m macros build-pages OUT` exists. Zensical itself goes into a throwaway venv, as
the newest version pip can install (the newest published one may need a package that is
not). Each step is tried on a copy of the project in a temporary folder:

  1. install   the newest installable Zensical, and why a newer published one is not
  2. as-is     `zensical build` of mkdocs.yml unchanged (hooks, macros and all)
  3. pre-built the record pages written by `build-pages`, with hooks: and the macros
               plugin taken out of the configuration
  4. hooks     the same with `hooks:` put back: does Zensical run the hook?
Each build reports which of the Chronicle's addresses it wrote.

The report is Markdown (stdout, and appended to --report: CI passes $GITHUB_STEP_SUMMARY).
The exit status is 0 whatever Zensical does; 2 only when the trial itself cannot run.
docs/engines.md has the migration plan this trial measures.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import venv
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ["docs", "overrides", "macros", "data", "mkdocs.yml"]
# The addresses the record promises (../shared/data-format.md), as a built site holds them.
ADDRESSES = ["index.html", "timeline.html", "episodes/*.html", "treaties/*.html", "actors/*.html", "sources/*.html"]


@dataclass
class Step:
    name: str
    ok: bool
    detail: str


def run(command: list[str | Path], cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    try:
        return subprocess.run(
            [str(part) for part in command], cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(command, 124, "", f"timed out after {timeout} s")


def last_error(result: subprocess.CompletedProcess[str], lines: int = 3) -> str:
    """The lines of the output that say what went wrong, shortest first."""
    text = (result.stderr or "") + (result.stdout or "")
    found = [
        line.strip()
        for line in text.splitlines()
        if re.search(r"error|Error|ERROR|failed", line) and not line.startswith("Traceback")
    ]
    chosen = found[-lines:] or [line.strip() for line in text.splitlines() if line.strip()][-lines:]
    return " / ".join(chosen)[:600] or f"exit status {result.returncode}"


def newest_published(python: Path, work: Path) -> str | None:
    result = run([python, "-m", "pip", "index", "versions", "zensical"], work, timeout=120)
    match = re.search(r"zensical \(([^)]+)\)", result.stdout)
    return match[1] if match else None


def install(work: Path) -> tuple[Step, Path | None]:
    environment = work / "zensical-venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    result = run([python, "-m", "pip", "install", "--quiet", "zensical"], work)
    if result.returncode != 0:
        return Step("install", False, f"`pip install zensical` failed: {last_error(result)}"), None
    installed = run([python, "-m", "pip", "show", "zensical"], work).stdout
    version = re.search(r"^Version: (\S+)", installed, re.M)
    version_text = version[1] if version else "?"
    detail = f"zensical {version_text} installed"
    newest = newest_published(python, work)
    if newest and newest != version_text:
        refused = run([python, "-m", "pip", "install", "--dry-run", "--quiet", f"zensical=={newest}"], work)
        why = last_error(refused, 2) if refused.returncode else "installs when asked for by name"
        detail += f"; the newest published, {newest}, does not install: {why}"
    return Step("install", True, detail), environment / "bin" / "zensical"


def copy_project(target: Path) -> None:
    for name in PROJECT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / name)


def count_pages(site: Path) -> str:
    counts = []
    for pattern in ADDRESSES:
        found = len(list(site.glob(pattern)))
        counts.append(f"{pattern}: {found}")
    return ", ".join(counts)


def build(zensical: Path, project: Path, name: str) -> Step:
    site = project / "site"
    shutil.rmtree(site, ignore_errors=True)
    result = run([zensical, "build", "-f", "mkdocs.yml"], project)
    built = site.is_dir() and any(site.rglob("*.html"))
    if result.returncode == 0 and built:
        return Step(name, True, f"built: {count_pages(site)}")
    return Step(name, False, f"exit {result.returncode}: {last_error(result)}")


def without_engine_glue(config: Path) -> None:
    """mkdocs.yml with neither hooks nor the macros plugin: what an engine without both reads."""
    text = config.read_text(encoding="utf-8")
    # !ENV tags are MkDocs's; a plain loader keeps them as their default value.
    loader = type("Loader", (yaml.SafeLoader,), {})
    loader.add_constructor("!ENV", lambda load, node: load.construct_sequence(node)[-1])
    settings = yaml.load(text, Loader=loader)  # a SafeLoader with one more tag
    settings.pop("hooks", None)
    settings["plugins"] = [
        plugin for plugin in settings.get("plugins", []) if not (isinstance(plugin, dict) and "macros" in plugin)
    ]
    config.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")


def prebuild(project: Path) -> Step:
    """The record pages, downloads and feed as files, by the engine-free command, when it exists."""
    python = sys.executable
    probe = run([python, "-m", "macros", "build-pages", "--help"], project, timeout=120)
    if probe.returncode != 0:
        return Step("pre-built", False, "`python -m macros build-pages` does not exist yet: no record pages to feed")
    out = project / "prebuilt"
    result = run([python, "-m", "macros", "build-pages", out], project)
    if result.returncode != 0:
        return Step("pre-built", False, f"build-pages failed: {last_error(result)}")
    written = [path for path in out.rglob("*") if path.is_file()]
    for path in written:
        target = project / "docs" / path.relative_to(out)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    return Step("pre-built", True, f"build-pages wrote {len(written)} files into docs/")


def trial(work: Path) -> list[Step]:
    steps = []
    step, zensical = install(work)
    steps.append(step)
    if zensical is None:
        return steps
    as_is = work / "as-is"
    as_is.mkdir()
    copy_project(as_is)
    steps.append(build(zensical, as_is, "as-is"))

    fed = work / "pre-built"
    fed.mkdir()
    copy_project(fed)
    prebuilt = prebuild(fed)
    steps.append(prebuilt)
    without_engine_glue(fed / "mkdocs.yml")
    step = build(zensical, fed, "without hooks and macros")
    if not prebuilt.ok and step.ok:
        step.detail += " (hand-written pages only, their {{ macro() }} calls left as text)"
    steps.append(step)

    # The same, with the hook put back: does Zensical run it (record pages appear) or pass over it?
    hooked = work / "hooked"
    hooked.mkdir()
    copy_project(hooked)
    without_engine_glue(hooked / "mkdocs.yml")
    with (hooked / "mkdocs.yml").open("a", encoding="utf-8") as config:
        config.write("hooks:\n  - macros/hooks.py\n")
    step = build(zensical, hooked, "hooks: kept")
    if step.ok:
        runs = any((hooked / "site" / "episodes").glob("*.html"))
        step.ok = runs
        step.detail = ("the hook ran: " if runs else "ignored: the build passes but writes no record page; ") + (
            step.detail
        )
    steps.append(step)
    return steps


def report(steps: list[Step]) -> str:
    lines = ["## Zensical trial", "", "| step | result | detail |", "| --- | --- | --- |"]
    for step in steps:
        detail = step.detail.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {step.name} | {'works' if step.ok else 'fails'} | {detail} |")
    lines += ["", "A trial, not a gate: docs/engines.md has the migration plan and its blockers.", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, help="also append the Markdown report to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="zensical-trial-"))
    try:
        steps = trial(work)
    except OSError as error:
        print(f"The trial could not run: {error}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print(f"kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    text = report(steps)
    print(text)
    if args.report:
        with args.report.open("a", encoding="utf-8") as handle:
            handle.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
