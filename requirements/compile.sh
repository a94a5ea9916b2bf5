#!/usr/bin/env bash
# Lock each requirements/*.in into its .txt, with the hash of every file pip may install.
# An existing .txt keeps its pins unless its .in asks for another version: to move a package,
# change its pin in the .in (or pass --upgrade-package NAME) and run this again.
#
#   python3 -m venv /tmp/uv && /tmp/uv/bin/pip install uv && PATH=/tmp/uv/bin:$PATH requirements/compile.sh
set -euo pipefail
cd "$(dirname "$0")"
for name in site tests lint dev; do
  # The header of each .txt keeps this command, which Dependabot reads to recompile the same way.
  uv pip compile --quiet --universal --python-version 3.11.5 --generate-hashes "$@" "$name.in" -o "$name.txt"
done
