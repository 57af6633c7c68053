#!/usr/bin/env bash
# Builds DJL 0.35.1's PyTorch JNI (libdjl_torch.so) against the PyTorch you already have (a pip torch
# or an unpacked libtorch), so that Mnemos runs on that PyTorch's CUDA. Prints the environment that
# points Mnemos at it. See README, "Run on a GPU".
#
#   src/main/scripts/build-jni.sh [--python PY | --libtorch DIR] [--djl-src DIR] [--cache DIR]
#
#   --python PY     interpreter whose `import torch` to build against (default: python3)
#   --libtorch DIR  an unpacked libtorch (lib/, include/, share/cmake/, build-version) instead
#   --djl-src DIR   a checkout of deepjavalibrary/djl at tag v0.35.1 (default: downloaded from GitHub)
#   --cache DIR     DJL's engine cache the library is installed into (default: ~/.djl.ai)
#
# Exit codes: 2 no PyTorch found, 3 PyTorch version not supported, 4 no DJL source, 5 build failed.
set -euo pipefail

DJL_VERSION=0.35.1
MIN_MAJOR=2; MIN_MINOR=2      # DJL 0.35.1's JNI uses APIs of libtorch >= 2.2
TESTED="2.7 (DJL's own build) and 2.11 (with the source edits of step 3)"

python=python3; libtorch=""; djl_src=""; cache="${ENGINE_CACHE_DIR:-$HOME/.djl.ai}"
while [ $# -gt 0 ]; do
  case "$1" in
    --python) python="$2"; shift 2;;
    --libtorch) libtorch="$2"; shift 2;;
    --djl-src) djl_src="$2"; shift 2;;
    --cache) cache="$2"; shift 2;;
    -h|--help) sed -n '2,16p' "$0"; exit 0;;
    *) echo "build-jni: unknown argument '$1' (see --help)" >&2; exit 64;;
  esac
done

fail() { echo "build-jni: $2" >&2; exit "$1"; }

# 1. Which PyTorch: version, CMake prefix, CUDA version
if [ -n "$libtorch" ]; then
  [ -f "$libtorch/lib/libtorch.so" ] || fail 2 "no libtorch at '$libtorch' (expected lib/libtorch.so)"
  [ -f "$libtorch/build-version" ] || fail 2 "'$libtorch' has no build-version file; is it an unpacked libtorch?"
  version=$(sed 's/+.*//' "$libtorch/build-version")
  cuda=$(sed -n 's/.*+cu\([0-9]*\).*/\1/p' "$libtorch/build-version")
  prefix="$libtorch"; torch_lib="$libtorch/lib"
else
  command -v "$python" >/dev/null 2>&1 || fail 2 "no Python interpreter '$python'; give --python or --libtorch"
  info=$("$python" -c 'import torch, os; print(torch.__version__.split("+")[0], torch.utils.cmake_prefix_path, os.path.dirname(torch.__file__) + "/lib", (torch.version.cuda or "").replace(".", ""))' 2>&1) \
    || fail 2 "'$python' cannot import torch: $(echo "$info" | tail -1)"
  read -r version prefix torch_lib cuda <<<"$info"
fi
[[ "$version" =~ ^([0-9]+)\.([0-9]+) ]] || fail 3 "cannot read the PyTorch version '$version'"
major=${BASH_REMATCH[1]}; minor=${BASH_REMATCH[2]}
if [ "$major" -lt "$MIN_MAJOR" ] || { [ "$major" -eq "$MIN_MAJOR" ] && [ "$minor" -lt "$MIN_MINOR" ]; }; then
  fail 3 "PyTorch $version is older than $MIN_MAJOR.$MIN_MINOR, the oldest DJL $DJL_VERSION's JNI builds against; tested: $TESTED"
fi
flavor=$([ -n "$cuda" ] && echo "cu$cuda" || echo cpu)
echo "build-jni: PyTorch $version ($flavor) at $torch_lib"

# 2. DJL's JNI source
work=$(mktemp -d "${TMPDIR:-/tmp}/mnemos-jni-XXXXXX")
if [ -z "$djl_src" ]; then
  command -v curl >/dev/null || fail 4 "no --djl-src and no curl to download DJL v$DJL_VERSION"
  curl -fsSL "https://github.com/deepjavalibrary/djl/archive/refs/tags/v$DJL_VERSION.tar.gz" | tar -xz -C "$work" \
    || fail 4 "could not download DJL v$DJL_VERSION from GitHub; give --djl-src"
  djl_src="$work/djl-$DJL_VERSION"
fi
native="$djl_src/engines/pytorch/pytorch-native"
[ -f "$native/CMakeLists.txt" ] || fail 4 "'$djl_src' is not a DJL checkout (no engines/pytorch/pytorch-native/CMakeLists.txt)"
cp -r "$native" "$work/native"
mkdir -p "$work/api/src/main" && cp -r "$djl_src/api/src/main/native" "$work/api/src/main/"

# 3. Source-compatible edits: the same meaning on 2.7, and needed from 2.8 on
find "$work/native/src/main/native" -name '*.cc' -o -name '*.h' | xargs sed -i -E \
  -e 's/\bc10::(optional|make_optional|nullopt)\b/std::\1/g' -e 's/\btorch::nullopt\b/std::nullopt/g' \
  -e 's/\btorch::jit::script::Module\b/torch::jit::Module/g' \
  -e 's/\btorch::AutoNonVariableTypeMode\b/at::AutoDispatchBelowAutograd/g'
if [ "$major" -gt 2 ] || [ "$minor" -ge 8 ]; then
  # the legacy autograd profiler is gone from libtorch >= 2.8; Mnemos never calls it
  "${python:-python3}" - "$work/native/src/main/native" <<'PY' || fail 5 "could not stub the legacy profiler"
import pathlib, re, sys
for path in pathlib.Path(sys.argv[1]).glob("*_system.cc"):
    text = path.read_text()
    start = text.find("// the code snippet is copied from torch/csrc/autograd/profiler_legacy.cpp")
    end = text.find("JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchCudaEmptyCache")
    if start < 0 or end < 0:
        continue
    stub = "".join(
        f"JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_{name}({args}) {{\n"
        f"  env->ThrowNew(ENGINE_EXCEPTION_CLASS, \"profiler not available in this build\");\n}}\n\n"
        for name, args in [("torchStartProfile", "JNIEnv* env, jobject jthis, jboolean a, jboolean b, jboolean c"),
                           ("torchStopProfile", "JNIEnv* env, jobject jthis, jstring joutput_file")])
    path.write_text(text[:start] + stub + text[end:])
PY
fi

# 4. JNI header, then CMake as DJL's build.sh does
mkdir -p "$work/native/build/include"
javac -h "$work/native/build/include" -d "$work/classes" -sourcepath "$djl_src/engines/pytorch/pytorch-engine/src/main/java:$djl_src/api/src/main/java" \
  "$djl_src/engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java" >"$work/javac.log" 2>&1 \
  || fail 5 "javac -h failed; see $work/javac.log"
cuda_flag=$([ "$flavor" = cpu ] && echo 0 || echo 1)
( cd "$work/native/build" \
  && cmake -DCMAKE_PREFIX_PATH="$prefix" -DUSE_CUDA=$cuda_flag -DCMAKE_BUILD_TYPE=Release -DCMAKE_POLICY_VERSION_MINIMUM=3.5 .. \
  && cmake --build . -- -j"$(nproc)" ) >"$work/build.log" 2>&1 || fail 5 "the build failed; see $work/build.log"

# 5. Install where DJL looks for a JNI of this PyTorch, and say how to use it
target="$cache/pytorch/$version-$flavor-linux-x86_64"
mkdir -p "$target" && cp "$work/native/build/libdjl_torch.so" "$target/$DJL_VERSION-libdjl_torch.so"
cat <<ENV
build-jni: installed $target/$DJL_VERSION-libdjl_torch.so
Start Mnemos with:
  export PYTORCH_LIBRARY_PATH=$torch_lib PYTORCH_VERSION=$version PYTORCH_FLAVOR=$flavor ENGINE_CACHE_DIR=$cache
ENV
