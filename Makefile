# The entry points a person types.  The build itself is CMake.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
# Always passed on, so that an earlier `make install PREFIX=/opt/idprov`
# left in CMake's cache does not decide where a later plain install goes.
PREFIX ?= /usr/local

.PHONY: all deps build test check demo run bench install clean

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DIDPROV_WERROR=ON -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# Every test: warnings as errors, then the whole suite, then again under
# AddressSanitizer+UBSan, the concurrent tests under ThreadSanitizer, and a
# short fuzzing run of each parser.
test: deps
	@bash scripts/test.sh

# Just the normal build's tests, for a quick loop while working.
check: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo: build
	@bash scripts/demo.sh $(BUILD)

run: build
	@bash scripts/run.sh $(BUILD)

bench: deps
	@bash scripts/install-deps.sh --bench
	@cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DIDPROV_TESTS=OFF >/dev/null
	@cmake --build build-bench -j $(JOBS)
	@bash bench/run.sh build-bench
	@printf '\n==== device footprint ====\n'
	@bash scripts/build-device-curl.sh build-bench-curl
	@cmake -S . -B build-bench-device -DCMAKE_BUILD_TYPE=Release -DIDPROV_DEVICE_CURL=build-bench-curl -DIDPROV_DISCOVERY_DLOPEN=ON >/dev/null
	@cmake --build build-bench-device -j $(JOBS) >/dev/null
	@cd build-bench-device && ctest -R '^client_' -j $(JOBS) --output-on-failure >ctest-client.log || { cat ctest-client.log; exit 1; }
	@printf 'device-sized build: %s\n' "$$(grep 'tests passed' build-bench-device/ctest-client.log)"
	@printf -- '-- the target: device-sized build (docs/footprint.md)\n'
	@bash bench/footprint.sh build-bench-device
	@printf -- '-- for reference: distribution build\n'
	@bash bench/footprint.sh build-bench
	@printf '\n==== bulk OOB import ====\n'
	@bash bench/import-bench.sh build-bench

install: build
	@cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf build build-asan build-tsan build-fuzz build-bench
	rm -rf build-bench-device build-bench-curl
