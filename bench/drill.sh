#!/usr/bin/env bash
# The scale-out drill (issue 24): builds the image, then bench/drill/drill.py. Needs Docker and docker-compose v1;
# on machines without a registry build the base images first (see docs/deployment.md).
# Usage: flock ../heavy.lock bench/drill.sh [--runs 20] [--iterations 600] [--keep]
set -euo pipefail
cd "$(dirname "$0")/.."
DOCKER_BUILDKIT=1 "${DOCKER:-docker}" build -q -t mnemos:latest . >/dev/null   # DOCKER=/usr/bin/docker where the newer client lacks buildx
export MNEMOS_DATA_DIR="${MNEMOS_DATA_DIR:-$(cd ../shared/data 2>/dev/null && pwd || echo "$PWD/data")}"
exec python3 bench/drill/drill.py "$@"
