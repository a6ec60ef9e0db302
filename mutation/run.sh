#!/usr/bin/env bash
# `make mutation`: mutation testing of the case state machine and the policy engine (cosmic-ray).
# cosmic-ray edits the module on disk for each mutant, so it runs in a throw-away clone of HEAD, never in
# this checkout; the clone's sources come first on the path (PYTHONPATH) over the editable install.
# Usage: bash mutation/run.sh [cases|engine ...]   (default: both). Reports go to mutation/results/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
py="$root/.venv/bin"
work=$(mktemp -d /tmp/phaseout-mutation-XXXX)
trap 'rm -rf "$work"' EXIT
git -C "$root" clone -q "$root" "$work/src"
cd "$work/src"
export PATH="$py:$PATH"
export PYTHONPATH="$PWD/shared:$PWD/services/energy:$PWD/services/environment:$PWD/services/quality:$PWD/services/safety:$PWD/services/technology:$PWD/services/coordinator:$PWD"
mkdir -p "$root/mutation/results"
for name in "${@:-cases engine}"; do
  for target in $name; do
    session="$work/$target.sqlite"
    cosmic-ray init "mutation/$target.toml" "$session"
    cr-filter-operators "$session" "mutation/$target.toml"
    python mutation/annotations_filter.py "$session"
    cosmic-ray baseline "mutation/$target.toml"
    cosmic-ray exec "mutation/$target.toml" "$session"
    cr-report --surviving-only --show-diff "$session" > "$root/mutation/results/$target.txt"
    tail -n 3 "$root/mutation/results/$target.txt"
  done
done
