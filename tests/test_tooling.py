"""The contributor's and CI's tooling: pre-commit hooks, locked requirements, workflows, the second engine."""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import REPO, SMALL

from macros.scaffold import render_record

BIN = Path(sys.executable).parent
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
PINNED_ACTION = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
RELEASE_COMMENT = re.compile(r"#\s*v\d+\.\d+\.\d+\s*$")


def hooks() -> list[dict]:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    return [hook for repo in config["repos"] for hook in repo["hooks"]]


@functools.cache
def repository_files() -> tuple[str, ...]:
    """The project's files, as pre-commit sees them: no environments, caches or builds."""
    skipped = {".venv", "node_modules", ".git", "site", "__pycache__", ".pytest_cache", ".ruff_cache"}
    found = []
    for folder, subfolders, files in os.walk(REPO):
        subfolders[:] = [name for name in subfolders if name not in skipped]
        found += [(Path(folder) / name).relative_to(REPO).as_posix() for name in files]
    return tuple(found)


def executable(word: str) -> Path:
    """A hook's `.venv/bin/tool`, looked up in the environment running the tests."""
    return BIN / Path(word).name if word.startswith(".venv/") else Path(word)


# --- pre-commit ---------------------------------------------------------------------------------------------


def test_the_pre_commit_hooks_cover_ruff_the_data_check_and_every_schema():
    entries = {hook["id"]: hook["entry"] for hook in hooks()}
    assert len(entries) == len(hooks()), "hook ids must be unique"
    assert any(entry.endswith("ruff check --force-exclude") for entry in entries.values())
    assert any(entry.endswith("ruff format --force-exclude") for entry in entries.values())
    assert any(entry.endswith("-m macros check") for entry in entries.values())
    schemas = {word for entry in entries.values() for word in shlex.split(entry) if word.endswith(".schema.json")}
    assert schemas == {path.relative_to(REPO).as_posix() for path in (REPO / "schema").glob("*.schema.json")}


@pytest.mark.parametrize("hook", hooks(), ids=lambda hook: hook["id"])
def test_each_hook_names_a_tool_and_files_that_exist(hook):
    assert hook["language"] == "system", "hooks run the locked tools of .venv, never a download"
    words = shlex.split(hook["entry"])
    tool = executable(words[0])
    assert tool.is_file(), f"{hook['id']}: {words[0]} is not installed (requirements/dev.txt)"
    if words[1:2] == ["-m"]:
        assert importlib.util.find_spec(words[2]) is not None, f"{hook['id']}: no module {words[2]}"
    for word in words:
        if word.endswith((".json", ".py")):
            assert (REPO / word).is_file(), f"{hook['id']}: {word} does not exist"
    if "files" in hook:
        pattern = re.compile(hook["files"])
        assert any(pattern.search(name) for name in repository_files()), f"{hook['id']}: matches no file"


@pytest.mark.parametrize("hook", [h for h in hooks() if "check-jsonschema" in h["entry"]], ids=lambda h: h["id"])
def test_each_schema_hook_passes_the_record_and_refuses_a_new_unfilled_file(hook, tmp_path):
    words = shlex.split(hook["entry"])
    command = [str(executable(words[0])), *words[1:]]
    pattern = re.compile(hook["files"])
    files = [name for name in repository_files() if pattern.search(name)]
    passed = subprocess.run([*command, *files], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert passed.returncode == 0, passed.stdout + passed.stderr

    kind = {"episodes": "episode", "treaties": "treaty", "actors": "actor", "sources": "source"}.get(
        hook["id"].removeprefix("schema-")
    )
    if kind:
        unfilled = tmp_path / "some-id.yml"
        unfilled.write_text(render_record(kind, "some-id"), encoding="utf-8")
        refused = subprocess.run([*command, str(unfilled)], cwd=REPO, capture_output=True, text=True, timeout=120)
        assert refused.returncode != 0, refused.stdout


# --- requirements -------------------------------------------------------------------------------------------


def pins(path: Path) -> dict[str, str]:
    """name -> version of each `name==version` line of a requirements file, names normalised."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", line)
        if match:
            found[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return found


@pytest.mark.parametrize("name", ["site", "tests", "lint", "dev"])
def test_each_lock_file_pins_every_package_with_hashes_and_keeps_its_in_file(name):
    lock = REPO / "requirements" / f"{name}.txt"
    text = lock.read_text(encoding="utf-8")
    locked = pins(lock)
    # Every requirement is `name==version \` followed by its hashes.
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[-1].strip())
    assert len(blocks) == len(locked)
    for block in blocks:
        assert "--hash=sha256:" in block, block.splitlines()[0]
    wanted = pins(REPO / "requirements" / f"{name}.in")
    for included in re.findall(r"^-r (\S+)\.in$", (REPO / "requirements" / f"{name}.in").read_text(), re.M):
        wanted |= pins(REPO / "requirements" / f"{included}.in")
    stale = {package: version for package, version in wanted.items() if locked.get(package) != version}
    assert not stale, f"requirements/{name}.txt is stale: run requirements/compile.sh"


def test_the_lock_files_nest_site_in_tests_in_dev_at_the_same_versions():
    site, tests, lint, dev = (pins(REPO / "requirements" / f"{name}.txt") for name in ("site", "tests", "lint", "dev"))
    for smaller, larger in ((site, tests), (tests, dev), (lint, dev)):
        assert {package: larger.get(package) for package in smaller} == smaller
    assert site["mkdocs"] == "1.6.1"
    assert tests["properdocs"] == "1.6.7"
    assert "pytest" not in site and "ruff" not in tests


def test_run_py_installs_with_hash_checking():
    source = (REPO / "run.py").read_text(encoding="utf-8")
    assert '"--require-hashes"' in source
    assert 'REQUIREMENTS / "site.txt"' in source and 'REQUIREMENTS / "dev.txt"' in source


# --- workflows and CI ---------------------------------------------------------------------------------------


def workflow(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_every_action_is_pinned_to_a_commit_with_its_release_in_a_comment(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    uses = [line for line in lines if re.match(r"^\s*-?\s*uses:", line)]
    assert uses
    for line in uses:
        target = line.split("uses:", 1)[1].split("#", 1)[0].strip()
        if target.startswith("./"):
            continue  # a workflow of this repository, at this commit
        assert PINNED_ACTION.match(target), line
        assert RELEASE_COMMENT.search(line), f"no release comment: {line}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_every_job_has_least_permissions_and_no_persisted_credentials(path):
    spec = workflow(path)
    assert spec["permissions"] == {}, "nothing by default; each job asks for what it needs"
    for name, job in spec["jobs"].items():
        assert "permissions" in job, name
        for step in job.get("steps", []):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, name


def test_the_tests_run_on_both_engines_with_a_supported_node_and_a_non_blocking_zensical_trial():
    jobs = workflow(REPO / ".github" / "workflows" / "test.yml")["jobs"]
    assert jobs["engines"]["strategy"]["matrix"]["engine"] == ["mkdocs", "properdocs"]
    assert jobs["zensical"]["continue-on-error"] is True
    node = next(step for step in jobs["suite"]["steps"] if step.get("uses", "").startswith("actions/setup-node@"))
    assert int(node["with"]["node-version"]) >= 22


def test_dependabot_updates_pip_npm_and_actions():
    config = yaml.safe_load((REPO / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    ecosystems = {update["package-ecosystem"]: update["directory"] for update in config["updates"]}
    assert ecosystems == {"pip": "/requirements", "npm": "/", "github-actions": "/"}


def test_ci_runs_the_suite_then_both_strict_builds_then_ruff():
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    order = [script.index(step) for step in ("python3 run.py test", "for engine in mkdocs properdocs", "ruff check")]
    assert order == sorted(order)
    assert "build --strict" in script


# --- ProperDocs, the maintained fork of MkDocs 1.x ----------------------------------------------------------


def main_content(page: Path) -> str:
    article = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one("article")
    assert article is not None, page
    return str(article)


def test_properdocs_builds_the_fixture_like_mkdocs(small_site, tmp_path):
    site = tmp_path / "site"
    environment = {**os.environ, "CHRONICLE_DATA": str(SMALL), "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "properdocs", "build", "--strict", "-f", "mkdocs.yml", "--site-dir", str(site)]
    result = subprocess.run(command, cwd=REPO, env=environment, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr

    def built(root: Path) -> set[str]:
        return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}

    assert built(site) == built(small_site)
    episode = "episodes/2018-06-test-proposal.html"
    assert main_content(site / episode) == main_content(small_site / episode)
