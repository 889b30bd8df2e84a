#!/usr/bin/env bash
# make test: the whole suite, four ways.  Stops at the first red stage.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
stage() { printf '\n==== %s ====\n' "$*"; }

stage "build (warnings are errors)"
cmake -S . -B build -DIDPROV_WERROR=ON >/dev/null
cmake --build build -j "$jobs"

stage "all tests"
(cd build && ctest --output-on-failure -j "$jobs")

stage "AddressSanitizer + UndefinedBehaviorSanitizer"
cmake -S . -B build-asan -DIDPROV_WERROR=ON -DCMAKE_BUILD_TYPE=Debug \
  -DIDPROV_SANITIZE=address,undefined >/dev/null
cmake --build build-asan -j "$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j "$jobs" -LE 'netns|install')

stage "ThreadSanitizer (concurrent tests)"
cmake -S . -B build-tsan -DIDPROV_WERROR=ON -DCMAKE_BUILD_TYPE=Debug \
  -DIDPROV_SANITIZE=thread >/dev/null
cmake --build build-tsan -j "$jobs"
(cd build-tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
  ctest --output-on-failure -L concurrent)

if command -v clang >/dev/null; then
  stage "fuzzing (${IDPROV_FUZZ_SECONDS:-20} s per parser)"
  CC=clang cmake -S . -B build-fuzz -DIDPROV_FUZZ=ON -DIDPROV_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=Debug >/dev/null
  cmake --build build-fuzz -j "$jobs"
  bash fuzz/run.sh build-fuzz "${IDPROV_FUZZ_SECONDS:-20}"
fi
stage "all stages passed"
