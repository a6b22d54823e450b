# Harrier: `make run` (default rules, appsettings.json), `make test` (whole suite), `make build` (build/harrier).
SHELL := /bin/bash
.DELETE_ON_ERROR:
.PHONY: all deps bpf build run test test-unit test-kernel test-vm bench clean

CONFIG ?= Release
DOTNET ?= dotnet
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export DOTNET_CLI_USE_MSBUILD_SERVER := 0
export MSBUILDDISABLENODEREUSE := 1

all: build

deps:
	@scripts/deps.sh

bpf: deps
	$(MAKE) -C probes
	@if [ -f lsm-hooks/Makefile ]; then $(MAKE) -C lsm-hooks; fi

# build/harrier: the framework-dependent program with its libraries beside it.
build: bpf
	$(DOTNET) publish engine/Harrier.Host/Harrier.Host.csproj -c $(CONFIG) -o build --nologo -v quiet
	@echo "built: build/harrier"

run: build
	build/harrier run

# The whole suite: unit tests (no root), kernel tests (root, running kernel), VM lane (BPF LSM in qemu).
test: build
	@scripts/test.sh

test-unit: build
	@HARRIER_TEST_LANES=unit scripts/test.sh

test-kernel: build
	@HARRIER_TEST_LANES=kernel scripts/test.sh

test-vm: build
	@HARRIER_TEST_LANES=vm scripts/test.sh

bench: build
	build/harrier bench pipeline
	build/harrier bench rules
	build/harrier bench outputs
	build/harrier bench enforce

clean:
	rm -rf build probes/.output lsm-hooks/.output
	find . -name bin -o -name obj -type d -prune -exec rm -rf {} +
