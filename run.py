#!/usr/bin/env python3
"""Set up and run the Chronicle with nothing but Python 3.11+.

    python3 run.py serve   build the site and serve it on http://127.0.0.1:8000
    python3 run.py build   build the site into site/ (mkdocs build --strict)
    python3 run.py test    run the whole test suite
    python3 run.py check   validate data/ (or $CHRONICLE_DATA) and list every fault
    python3 run.py new episode|treaty|actor|source ID
                           write data/<collection>/ID.yml with its fields laid out, to fill in
    python3 run.py hooks   install the development tools and the pre-commit hooks (.pre-commit-config.yaml)

Each creates .venv at the repository root and installs the locked
requirements into it, hash-checked, when they are missing or have changed:
requirements/site.txt for the site, requirements/dev.txt (the site, the tests
and the linters) for `test`. `test` also installs the pinned npm tools
(package-lock.json) when Node.js is there.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
REQUIREMENTS = ROOT / "requirements"
SITE = REQUIREMENTS / "site.txt"  # building and serving the site
DEV = REQUIREMENTS / "dev.txt"  # the site, the tests, ruff and the other checkers


def ensure_python_packages(requirements: Path = SITE) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - say so plainly on an old Python
        sys.exit(f"The Chronicle needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print("Creating .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    # One stamp per file, so that `serve` after `test` does not reinstall either.
    stamp = VENV / f".requirements-{requirements.stem}.sha256"
    wanted = hashlib.sha256(requirements.read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text().strip() != wanted:
        print(f"Installing {requirements.relative_to(ROOT)} into .venv (hash-checked) ...", flush=True)
        install = [PYTHON, "-m", "pip", "install", "--quiet", "--require-hashes"]
        subprocess.run([*install, "-r", requirements], check=True)
        stamp.write_text(wanted)


def ensure_node_packages() -> None:
    lock = ROOT / "package-lock.json"
    if not lock.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        print("npm is not installed: the HTML, accessibility and Lighthouse checks need Node.js.", file=sys.stderr)
        return
    stamp = ROOT / "node_modules" / ".package-lock.sha256"
    wanted = hashlib.sha256(lock.read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text().strip() != wanted:
        print("Installing the pinned npm tools ...", flush=True)
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT, check=True)
        stamp.write_text(wanted)


def tool(name: str) -> str:
    return str(BIN / name)


def main(argv: list[str]) -> int:
    command, *rest = argv or ["help"]
    os.chdir(ROOT)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if command == "serve":
        ensure_python_packages()
        return subprocess.call([tool("mkdocs"), "serve", "--strict", *rest], env=env)
    if command == "build":
        ensure_python_packages()
        return subprocess.call([tool("mkdocs"), "build", "--strict", *rest], env=env)
    if command == "test":
        ensure_python_packages(DEV)
        ensure_node_packages()
        return subprocess.call([PYTHON, "-m", "pytest", *rest], env=env)
    if command == "check":
        ensure_python_packages()
        return subprocess.call([PYTHON, "-m", "macros", "check", *rest], env=env)
    if command == "hooks":
        ensure_python_packages(DEV)
        return subprocess.call([tool("pre-commit"), "install"], env=env)
    if command == "new":
        ensure_python_packages()
        return subprocess.call([PYTHON, "-m", "macros", "new", *rest], env=env)
    print(__doc__)
    return 0 if command in ("help", "-h", "--help") else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
