#!/usr/bin/env bash
# The throughput part of an older commit's jar against the working tree's, interleaved in pairs
# (bench/run.sh regression BASE_COMMIT [--pairs N]; see bench/README.md). Each pair runs both jars
# (alternating which goes first, so a drift in the machine's load falls on both), then, when
# /usr/bin/python3 has torch, PyTorch's same step. Prints every run, the medians, and per model the
# paired ratio new/base: the geometric mean of the pairs' ratios with a 95 % t-interval (n - 1 df).
# Expects target/mnemos.jar of the working tree to be built (bench/run.sh builds it first).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ] || [[ "$1" == --* ]]; then
  echo "usage: bench/run.sh regression BASE_COMMIT [--pairs N]" >&2
  exit 2
fi
base_ref="$1"
shift
pairs=5
while [ $# -gt 0 ]; do
  case "$1" in
    --pairs) pairs="${2:?--pairs needs a number}"; shift 2 ;;
    *) echo "unknown option $1; allowed: --pairs N" >&2; exit 2 ;;
  esac
done
if ! [[ "$pairs" =~ ^[1-9][0-9]*$ ]]; then
  echo "--pairs must be a positive integer, got $pairs" >&2
  exit 2
fi
base_commit="$(git rev-parse --verify --quiet "$base_ref^{commit}")" || { echo "not a commit: $base_ref" >&2; exit 2; }
threads="${MNEMOS_BENCH_THREADS:-$(nproc)}"

work="$(mktemp -d /tmp/mnemos-regression.XXXXXX)"
cleanup() {
  git worktree remove --force "$work/src" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# the jar under test is copied, so a rebuild of the working tree meanwhile does not change it
cp target/mnemos.jar "$work/new.jar"
new_label="working tree ($(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src pom.xml || echo '+changes'))"
echo "building ${base_commit:0:7} in a temporary worktree ..." >&2
git worktree add --quiet --detach "$work/src" "$base_commit"
(cd "$work/src" && ./mvnw -q -B -DskipTests package >&2)
cp "$work/src/target/mnemos.jar" "$work/base.jar"
git worktree remove --force "$work/src"

# prints "mlp resnet32" images/s of one throughput run of a jar
throughput() {
  OMP_NUM_THREADS="$threads" java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$threads" \
    -Dai.djl.pytorch.num_interop_threads="$threads" -Dloader.main=org.mnemos.bench.Benchmarks -cp "$1" \
    org.springframework.boot.loader.launch.PropertiesLauncher throughput 2>/dev/null \
    | awk -F'|' '$2 ~ /^ mlp / {m = $3} $2 ~ /^ resnet32 / {r = $3} END {gsub(/ /, "", m); gsub(/ /, "", r); print (m == "" ? "NA" : m), (r == "" ? "NA" : r)}'
}

pytorch=false
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  pytorch=true
fi
# prints "mlp resnet32" images/s of PyTorch's same step (the MLP's figure depends on the BLAS Debian's torch loads)
pytorch_throughput() {
  /usr/bin/python3 bench/pytorch_throughput.py --threads "$threads" 2>/dev/null \
    | awk '{for (i = 1; i < NF; i++) if ($(i + 1) == "images/s") v = $i}
           /^pytorch mlp/ {m = v} /^pytorch resnet32/ {r = v} END {print (m == "" ? "NA" : sprintf("%.0f", m)), (r == "" ? "NA" : sprintf("%.0f", r))}'
}

echo "## Throughput regression: ${base_commit:0:7} (base) against the $new_label (new)"
echo
echo "$pairs pairs, $threads intra-op and inter-op threads, batch 128, images/s; load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
if $pytorch; then
  echo "| pair | first | base mlp | new mlp | base resnet32 | new resnet32 | PyTorch mlp | PyTorch resnet32 |"
  echo "|---:|---|---:|---:|---:|---:|---:|---:|"
else
  echo "| pair | first | base mlp | new mlp | base resnet32 | new resnet32 |"
  echo "|---:|---|---:|---:|---:|---:|"
fi
results="$work/results"
: > "$results"
for ((pair = 1; pair <= pairs; pair++)); do
  if ((pair % 2 == 1)); then
    read -r base_mlp base_resnet < <(throughput "$work/base.jar")
    read -r new_mlp new_resnet < <(throughput "$work/new.jar")
    first=base
  else
    read -r new_mlp new_resnet < <(throughput "$work/new.jar")
    read -r base_mlp base_resnet < <(throughput "$work/base.jar")
    first=new
  fi
  torch_mlp=NA
  torch_resnet=NA
  if $pytorch; then
    read -r torch_mlp torch_resnet < <(pytorch_throughput)
    echo "| $pair | $first | $base_mlp | $new_mlp | $base_resnet | $new_resnet | $torch_mlp | $torch_resnet |"
  else
    echo "| $pair | $first | $base_mlp | $new_mlp | $base_resnet | $new_resnet |"
  fi
  echo "$base_mlp $new_mlp $base_resnet $new_resnet $torch_mlp $torch_resnet" >> "$results"
done
echo
awk -v pytorch="$pytorch" '
  function median(values, n,    sorted, i, j, t) {
    for (i = 1; i <= n; i++) sorted[i] = values[i]
    for (i = 2; i <= n; i++) for (j = i; j > 1 && sorted[j - 1] > sorted[j]; j--) { t = sorted[j]; sorted[j] = sorted[j - 1]; sorted[j - 1] = t }
    return n % 2 ? sorted[(n + 1) / 2] : (sorted[n / 2] + sorted[n / 2 + 1]) / 2
  }
  # two-sided 95 % quantile of Student t with df degrees of freedom
  function t975(df) {
    split("12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306 2.262 2.228 2.201 2.179 2.160 2.145 2.131 2.120 2.110 2.101 2.093 2.086 2.080 2.074 2.069 2.064 2.060 2.056 2.052 2.048 2.045 2.042", table, " ")
    return df <= 30 ? table[df] : 1.96 + 2.4 / df
  }
  function ratio(name, base, new, n,    i, logs, mean, var, half, k) {
    k = 0
    for (i = 1; i <= n; i++) if (base[i] > 0 && new[i] > 0) logs[++k] = log(new[i] / base[i])
    if (k == 0) { printf "| %s | - | - |\n", name; return }
    mean = 0; for (i = 1; i <= k; i++) mean += logs[i]; mean /= k
    if (k < 2) { printf "| %s | %.3f | (one pair: no interval) |\n", name, exp(mean); return }
    var = 0; for (i = 1; i <= k; i++) var += (logs[i] - mean) ^ 2; var /= k - 1
    half = t975(k - 1) * sqrt(var / k)
    printf "| %s | %.3f | %.3f – %.3f (%d pairs, %d df) |\n", name, exp(mean), exp(mean - half), exp(mean + half), k, k - 1
  }
  $1 != "NA" && $2 != "NA" && $3 != "NA" && $4 != "NA" { n++; bm[n] = $1; nm[n] = $2; br[n] = $3; nr[n] = $4; tm[n] = $5; tr[n] = $6 }
  END {
    if (n == 0) { print "no complete pair: every run failed (run one jar by hand to see why)"; exit 1 }
    print "| median | base | new | PyTorch |"
    print "|---|---:|---:|---:|"
    printf "| mlp 784-400-400 | %.0f | %.0f | %s |\n", median(bm, n), median(nm, n), pytorch == "true" ? sprintf("%.0f", median(tm, n)) : "-"
    printf "| resnet32 | %.0f | %.0f | %s |\n", median(br, n), median(nr, n), pytorch == "true" ? sprintf("%.0f", median(tr, n)) : "-"
    print ""
    print "| paired ratio new / base | geometric mean | 95 % t-interval |"
    print "|---|---:|---|"
    ratio("mlp 784-400-400", bm, nm, n)
    ratio("resnet32", br, nr, n)
    if (pytorch == "true") {
      print ""
      printf "new resnet32 / PyTorch resnet32, ratio of medians: %.2f; base: %.2f\n", median(nr, n) / median(tr, n), median(br, n) / median(tr, n)
    }
  }' "$results"
if ! $pytorch; then
  echo "(PyTorch comparison skipped: /usr/bin/python3 has no torch; apt-get install python3-torch libopenblas0-pthread)"
fi
