# payhookd: `make run` serves the development config; `make test` runs every test.
SHELL := /bin/bash
SWIFT ?= swift
DEV_CONFIG ?= config/payhookd.dev.toml
FUZZ_SECONDS ?= 60
# Debian packages the build, the tests and the benchmarks need.
DEB_PACKAGES := libnghttp2-dev libssl-dev libnats-dev pkg-config curl
# systemd-analyze / systemd-socket-activate and nginx -t are exercised by the tests.
# chromium: the console's browser test (headless, driven over the DevTools protocol with websockets);
# nats-server: the NATS hook tests.
DEB_TEST_PACKAGES := systemd nginx-light openssl wrk nghttp2-client curl chromium nats-server
# PyPI packages the tests use to check our output independently (scripts/ensure-pip).
PIP_TEST_PACKAGES := standardwebhooks==1.1.0 h2==4.1.0 websockets==13.1
# linux-perf: CPU per request (scripts/bench-status-h2-cpu.sh); valgrind: instructions per status
# query (scripts/bench-status-instructions.sh).
DEB_BENCH_PACKAGES := wrk nginx-light nghttp2-client node-llhttp chromium nats-server linux-perf valgrind

.PHONY: deps bench-deps build release run install config console test crash-test fuzz bench format clean

# Installs missing Debian packages (needs root or sudo once; a no-op when all are present).
deps:
	@./scripts/ensure-deb $(DEB_PACKAGES)

bench-deps:
	@./scripts/ensure-deb $(DEB_PACKAGES) $(DEB_BENCH_PACKAGES)

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# Regenerates config/payhookd.toml and README's key table from the table of settings
# (Sources/PayhookDaemon/Config/Settings*.swift); ConfigExampleTests fails when they are stale.
config:
	$(SWIFT) build --product payhookd
	./.build/debug/payhookd check-config --print-example > config/payhookd.toml
	./.build/debug/payhookd check-config --print-readme-table > .build/config-keys.md
	./scripts/splice-readme-table README.md .build/config-keys.md

# Regenerates Sources/PayhookDaemon/Console/ConsoleAssets.swift from console/ (the embedded web
# console); ConsoleAssetsTests fails when it is stale.
console:
	./scripts/gen-console

run: release
	@mkdir -p var
	./.build/release/payhookd serve --config $(DEV_CONFIG)

# The whole suite (unit, integration against the real binary, conformance), plus a release
# build: some errors only show with optimisation.
test: deps
	@./scripts/ensure-deb $(DEB_TEST_PACKAGES)
	@./scripts/ensure-pip $(PIP_TEST_PACKAGES)
	./scripts/format-check
	$(SWIFT) build -c release
	$(SWIFT) test --parallel

# The SIGKILL-under-load test again, CRASH_LOOPS times with CRASH_ROUNDS kills each (after
# `make test` built the test bundle).
CRASH_LOOPS ?= 3
CRASH_ROUNDS ?= 8
crash-test: deps
	@for i in $$(seq 1 $(CRASH_LOOPS)); do \
	  echo "crash-test: loop $$i of $(CRASH_LOOPS)"; \
	  PAYHOOKD_CRASH_ROUNDS=$(CRASH_ROUNDS) $(SWIFT) test --filter CrashIntegrationTests || exit 1; \
	done

# Benchmarks print figures with a reference measured in the same run (see each script).
bench: bench-deps
	./scripts/bench-http.sh
	./scripts/bench-log.sh
	@if [ -x scripts/bench-parser.sh ]; then ./scripts/bench-parser.sh; fi
	@if [ -x scripts/bench-ingest.sh ]; then ./scripts/bench-ingest.sh; fi
	./scripts/bench-flood.sh
	./scripts/bench-status.sh
	./scripts/bench-status-instructions.sh
	./scripts/bench-status-h2-cpu.sh
	./scripts/bench-hooks.sh
	./scripts/bench-console.sh
	./scripts/bench-ingest-h2.sh
	./scripts/bench-nats.sh
	./scripts/bench-scale.sh

# Installs the binary, the systemd units and the example config (root; see scripts/install.sh).
install: release
	./scripts/install.sh --prefix $(or $(PREFIX),/usr) $(if $(DESTDIR),--destdir $(DESTDIR))

# Formats every Swift file in place (.swift-format); `make test` fails on unformatted code.
format:
	$(SWIFT) format -i -r --parallel Sources Tests Package.swift Fuzz/Package.swift Fuzz/Sources

clean:
	rm -rf .build .build-* var

# Builds the fuzz targets (Fuzz/, a separate package) and runs each for FUZZ_SECONDS; fails on a crash.
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) ./scripts/fuzz.sh
