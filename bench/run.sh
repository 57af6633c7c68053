#!/usr/bin/env bash
# Mnemos benchmarks: engine throughput beside PyTorch's, and the Split-MNIST / Split-Fashion-MNIST
# tables. Usage: bench/run.sh [throughput|mnist|fashion-mnist|gpu|pytorch-interop ...] [--iterations N] [--methods a,b]
# The gpu part compares with the PyTorch of MNEMOS_BENCH_PYTHON (default python3), on its first CUDA device.
# bench/run.sh regression BASE_COMMIT [--pairs N]: that commit's throughput part against this tree's (regression.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${MNEMOS_BENCH_THREADS:-$(nproc)}"
./mvnw -q -B -DskipTests package
if [ "${1:-}" = regression ]; then
  shift
  exec bench/regression.sh "$@"
fi
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
if [[ " $* " == *" gpu "* ]]; then
  python="${MNEMOS_BENCH_PYTHON:-python3}"
  if "$python" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
    echo "## PyTorch eager, same GPU ($("$python" -c 'import torch; print(torch.__version__, torch.cuda.get_device_name(0))'))"
    "$python" bench/pytorch_throughput.py --device cuda --batches 128,512
  else
    echo "(PyTorch GPU comparison skipped: $python has no CUDA-enabled torch; set MNEMOS_BENCH_PYTHON)"
  fi
fi
