# bench/bench.mk: the loopback TLS benchmark harness (see bench/README.md).
#
# Include it from the root Makefile (make runs from the repository root):
#
#     include bench/bench.mk
#
# or use it directly from the repository root:
#
#     make -f bench/bench.mk bench
#
# Targets
#   bench        build everything, run the full comparison (3 interleaved
#                rounds, about 2.5 min), write $(BENCH_OUT), then run the
#                in-process Go benchmarks of $(BENCH_GO_PKGS). tlsbench pins
#                itself (taskset -c 1) and the servers (taskset -c 0) when
#                taskset exists and there are 2+ CPUs; see --pin.
#   bench-smoke  the same harness in --quick mode (well under 20 s), for CI
#   bench-build  only build bench/bin/{osslecho,gotlsecho,tlsbench,echo}
#   bench-clean  remove bench/bin
#
# Variables
#   BENCH_FLAGS        extra tlsbench flags, e.g. "--matrix full --rounds 5"
#   BENCH_SMOKE_FLAGS  flags of bench-smoke (default --quick)
#   BENCH_GO_PKGS      packages whose in-process Go benchmarks `make bench`
#                      runs after the harness (default ./tls; printed only)
#   BENCH_OUT          report written by `make bench` (default BENCHMARKS.md)
#   BENCH_NODETLS      nodetls server command (default: bench/bin/echo server
#                      --honor-cipher-order false, built from ./cmd/echo).
#                      Any other command skips building ./cmd/echo, e.g.
#                      make bench-smoke BENCH_NODETLS=bench/bin/gotlsecho

# Do not become the including Makefile's default goal (restored at the end).
BENCH_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

BENCH_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
BENCH_BIN := $(BENCH_DIR)/bin

BENCH_GO ?= $(or $(GO),go)
BENCH_CC ?= gcc
BENCH_CFLAGS ?= -Wall -Werror -O2 -DOPENSSL_API_COMPAT=30000 -DOPENSSL_NO_DEPRECATED
BENCH_OUT ?= BENCHMARKS.md
BENCH_FLAGS ?=
BENCH_SMOKE_FLAGS ?= --quick
BENCH_GO_PKGS ?= ./tls
# nodetls, like Node, sends two TLS 1.3 session tickets after every full
# handshake and none after a resumed one, and has no option to change that:
# the OpenSSL peer does the same (--tickets 2 --node-tickets: Node's ticket
# scheme, no renewal). crypto/tls sends none to the full-handshake client,
# which offers no resumption, and one after each resumed handshake.
# Node's tls.Server defaults to honorCipherOrder: true; the other servers
# follow the client's cipher preference (see bench/README.md).
BENCH_NODETLS ?= $(BENCH_BIN)/echo server --honor-cipher-order false

BENCH_SERVERS = --nodetls "$(BENCH_NODETLS)" \
	--openssl "$(BENCH_BIN)/osslecho --tickets 2 --node-tickets" \
	--cryptotls $(BENCH_BIN)/gotlsecho

BENCH_DEPS := $(BENCH_BIN)/osslecho bench-go-bins
ifeq ($(firstword $(BENCH_NODETLS)),$(BENCH_BIN)/echo)
BENCH_DEPS += bench-echo
endif

.PHONY: bench bench-smoke bench-build bench-go-bins bench-echo bench-clean

bench: bench-build
	$(BENCH_BIN)/tlsbench $(BENCH_SERVERS) --out $(BENCH_OUT) $(BENCH_FLAGS)
	$(BENCH_GO) test -run '^$$' -bench . -benchmem $(BENCH_GO_PKGS)

bench-smoke: bench-build
	$(BENCH_BIN)/tlsbench $(BENCH_SERVERS) $(BENCH_SMOKE_FLAGS)

bench-build: $(BENCH_DEPS)

$(BENCH_BIN)/osslecho: $(BENCH_DIR)/osslecho/osslecho.c
	@mkdir -p $(BENCH_BIN)
	@pkg-config --exists libssl libcrypto || { \
		echo "bench: pkg-config cannot find libssl/libcrypto (install libssl-dev)" >&2; exit 1; }
	$(BENCH_CC) $(BENCH_CFLAGS) -o $@ $< $$(pkg-config --cflags --libs libssl libcrypto)

# Go's build cache makes these cheap; always ask go whether they are current.
bench-go-bins:
	@mkdir -p $(BENCH_BIN)
	$(BENCH_GO) build -o $(BENCH_BIN)/gotlsecho ./$(BENCH_DIR)/gotlsecho
	$(BENCH_GO) build -o $(BENCH_BIN)/tlsbench ./$(BENCH_DIR)/tlsbench

bench-echo:
	@mkdir -p $(BENCH_BIN)
	@$(BENCH_GO) build -o $(BENCH_BIN)/echo ./cmd/echo || { \
		echo "bench: the nodetls echo server (./cmd/echo) does not build; it is the" >&2; \
		echo "bench: server under test. Fix it, or point BENCH_NODETLS at another" >&2; \
		echo "bench: command, e.g. BENCH_NODETLS=$(BENCH_BIN)/gotlsecho." >&2; \
		exit 1; }

bench-clean:
	rm -rf $(BENCH_BIN)

.DEFAULT_GOAL := $(BENCH_SAVED_DEFAULT_GOAL)
