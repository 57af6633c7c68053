#!/usr/bin/env bash
# Mnemos benchmarks: engine throughput beside PyTorch's, and the Split-MNIST / Split-Fashion-MNIST
# tables. Usage: bench/run.sh [throughput|mnist|fashion-mnist ...] [--iterations N] [--methods a,b]
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${MNEMOS_BENCH_THREADS:-$(nproc)}"
./mvnw -q -B -DskipTests package
export OMP_NUM_THREADS="$threads"
java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$threads" -Dai.djl.pytorch.num_interop_threads="$threads" \
  -Dloader.main=org.mnemos.bench.Benchmarks -cp target/mnemos.jar \
  org.springframework.boot.loader.launch.PropertiesLauncher "$@"
if [ $# -eq 0 ] || [[ " $* " == *" throughput "* ]]; then
  if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    echo "## PyTorch, same step (Debian python3-torch, $threads threads)"
    /usr/bin/python3 bench/pytorch_throughput.py --threads "$threads"
  else
    echo "(PyTorch comparison skipped: apt-get install python3-torch libopenblas0-pthread to enable it)"
  fi
fi
