# nodetls — see README.md. GNU make; recipes run in bash.
#
#   make run        the echo server on 127.0.0.1:8000 (make run ARGS="--listen 127.0.0.1:9000")
#   make test       what CI runs (.ci/run): deps, vet, cgocheck, leakcheck-short, bench-smoke, race tests
#   make help       every target
#
# Interop tests talk to real peers (openssl, node, curl). On a developer's
# machine a missing peer skips its tests; with CI=true nothing may skip and
# Node must be version 20 (DESIGN.md §6).

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.NOTPARALLEL:
.DELETE_ON_ERROR:
MAKEFLAGS += --no-print-directory

GO           ?= go
ARGS         ?=
TEST_TIMEOUT ?= 15m
FUZZTIME     ?= 10s
NODE_MAJOR   ?= 20
# Packages that call into C, or whose tests drive ossl's C with real inputs
# (ocsp): run under cgocheck2 and -asan as well.
CGO_PKGS     := $(foreach d,ossl bridge ocsp,$(if $(wildcard $(d)/*.go),./$(d)))
# Test binaries run under valgrind by `make leakcheck` (when valgrind exists).
VALGRIND_PKGS ?= $(CGO_PKGS)
LEAK_RUN     ?= Leak

export GO FUZZTIME NODE_MAJOR LEAK_RUN

.PHONY: help run build deps fixtures testdata vet lint test race cgocheck \
        leakcheck-short leakcheck interop fuzz bench bench-smoke clean

help:
	@echo 'make run              echo server on its defaults (ARGS="--listen 127.0.0.1:9000 ..." to add flags)'
	@echo 'make test             deps + vet + cgocheck + leakcheck-short + bench-smoke + race tests (what CI runs)'
	@echo 'make deps             check (and as root install) libssl-dev, pkg-config, openssl, curl; check go, node $(NODE_MAJOR)'
	@echo 'make vet              go vet and gofmt'
	@echo 'make race             go test -race ./...'
	@echo 'make interop          only the interop tests (real peers: openssl, node, crypto/tls)'
	@echo 'make cgocheck         ossl and bridge tests under GOEXPERIMENT=cgocheck2'
	@echo 'make leakcheck-short  ossl and bridge tests under -asan (C memory errors and leaks)'
	@echo 'make leakcheck        the Leak tests without -race, leakcheck-short, and valgrind when present'
	@echo 'make fuzz             every Fuzz target for FUZZTIME=$(FUZZTIME)'
	@echo 'make fixtures         regenerate testdata/ with testdata/gen.sh'
	@echo 'make bench            benchmarks (bench/bench.mk; see BENCHMARKS.md)'
	@echo 'make clean            remove build outputs and the test cache'

run:
	$(GO) run ./cmd/echo server $(ARGS)

build:
	$(GO) build ./...

# --- deps ---------------------------------------------------------------------
# Checks the tools the build and the tests need. Missing system packages
# (libssl-dev, pkg-config, openssl, curl, a C compiler) are installed when
# running as root (apt-get update once, then one install of just those);
# otherwise the target fails and says what to install. Node is checked, not
# installed: Debian's nodejs is 18 and links the system libssl at security
# level 2, which is not the peer the tests were written against.
define DEPS_SH
ci=false; case "${CI:-}" in true|TRUE|True|1) ci=true ;; esac
missing() {
  local m=()
  command -v pkg-config >/dev/null || m+=(pkg-config)
  pkg-config --exists libssl libcrypto 2>/dev/null || m+=(libssl-dev)
  command -v openssl >/dev/null || m+=(openssl)
  command -v curl >/dev/null || m+=(curl)
  command -v gcc >/dev/null || command -v cc >/dev/null || m+=(gcc libc6-dev)
  echo "${m[*]}"
}
need=$(missing)
if [[ -n $need ]]; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "deps: missing: $need; installing with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # Only what is missing, and never an upgrade of what is there: the tests
    # compare against the system OpenSSL the machine came with.
    apt-get install -y -qq --no-install-recommends --no-upgrade $need
    need=$(missing)
    [[ -z $need ]] || { echo "deps: still missing after apt-get: $need" >&2; exit 1; }
  else
    echo "deps: missing: $need" >&2
    echo "deps: install them (Debian: apt-get install -y libssl-dev pkg-config openssl curl), or run make as root" >&2
    exit 1
  fi
fi
command -v "$GO" >/dev/null || { echo "deps: '$GO' not found: install Go (see go.mod for the version) into /usr/local/go and put /usr/local/go/bin on PATH" >&2; exit 1; }
[[ $("$GO" env CGO_ENABLED) == 1 ]] || { echo "deps: CGO_ENABLED is not 1: nodetls needs cgo" >&2; exit 1; }
libssl=$(pkg-config --modversion libssl)
[[ ${libssl%%.*} -ge 3 ]] || { echo "deps: libssl $libssl found; OpenSSL 3.0 or newer is required" >&2; exit 1; }
problem=
if ! command -v node >/dev/null; then
  problem="node not found on PATH"
  nodev=none
else
  nodev=$(node -p process.versions.node 2>/dev/null || echo unknown)
  [[ ${nodev%%.*} == "$NODE_MAJOR" ]] || problem="node $nodev found at $(command -v node); Node $NODE_MAJOR is the interop and golden-file peer"
fi
if [[ -n $problem ]]; then
  if $ci; then
    echo "deps: ERROR: $problem. Under CI=true the Node tests may not skip (DESIGN.md §6)." >&2
    exit 1
  fi
  echo "deps: warning: $problem; the tests that need it will skip (they fail under CI=true)." >&2
fi
echo "deps: $("$GO" env GOVERSION), libssl $libssl, $(openssl version | cut -d' ' -f1-2) CLI, node $nodev, $(curl --version | head -n1 | cut -d' ' -f1-2), CI=$ci"
endef
export DEPS_SH_TEXT := $(value DEPS_SH)

deps:
	@bash -euo pipefail -c "$$DEPS_SH_TEXT"

# --- fixtures -------------------------------------------------------------------
fixtures:
	bash testdata/gen.sh

testdata: fixtures

# --- checks ---------------------------------------------------------------------
vet:
	$(GO) vet ./...
	@out=$$(find . -name '*.go' -not -path './.git/*' -not -path '*/testdata/*' -print0 | xargs -0 -r gofmt -l); \
	if [[ -n $$out ]]; then echo "gofmt: these files are not formatted (run gofmt -w):"; echo "$$out"; exit 1; fi

lint: vet

# The order matters: the race run is last, so the last lines CI prints are its
# per-package ok/FAIL lines.
# bench-smoke (about 20 s) keeps the benchmark harness and cmd/echo working;
# `make test TEST_BENCH=` leaves it out.
TEST_BENCH ?= $(if $(wildcard bench/bench.mk),bench-smoke)

test: deps vet cgocheck leakcheck-short $(TEST_BENCH) race

race:
	$(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) ./...

interop:
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) -run 'Interop' ./...

# Pointer-passing rules checked at run time on every cgo call.
cgocheck:
	$(if $(CGO_PKGS),GOEXPERIMENT=cgocheck2 $(GO) test -count=1 -timeout 5m $(CGO_PKGS),@echo 'cgocheck: no cgo packages yet')

# AddressSanitizer over the C side; LeakSanitizer runs at exit and fails on
# C memory that nothing references any more (Go >= 1.25 turns it on).
leakcheck-short:
	$(if $(CGO_PKGS),$(GO) test -asan -count=1 -timeout 5m $(CGO_PKGS),@echo 'leakcheck-short: no cgo packages yet')

# --- leakcheck -------------------------------------------------------------------
# Every package's TestMain already checks goroutines and ossl.Leaked() (see
# internal/leakcheck). This target adds: the Leak tests without -race (the race
# detector changes GC timing), the -asan run, and, when valgrind is installed,
# memcheck over the cgo packages' test binaries. Go itself makes valgrind report
# invalid reads and writes on goroutine stacks, so only the leak summary counts:
# any "definitely" or "indirectly lost" byte fails.
define VALGRIND_SH
if ! command -v valgrind >/dev/null; then echo "leakcheck: valgrind not installed; skipping memcheck (apt-get install valgrind)"; exit 0; fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
status=0
for p in $VALGRIND_PKGS; do
  name=$(basename "$p")
  "$GO" test -c -o "$tmp/$name.test" "$p"
  [[ -f $tmp/$name.test ]] || { echo "leakcheck: $p has no tests"; continue; }
  echo "== valgrind memcheck: $p"
  ( cd "$p" && valgrind --leak-check=full --show-leak-kinds=definite,indirect --undef-value-errors=no \
      --error-limit=no --log-file="$tmp/$name.vg" "$tmp/$name.test" -test.count=1 -test.short >"$tmp/$name.out" 2>&1 ) \
    || { echo "leakcheck: $p tests failed under valgrind:"; tail -n 30 "$tmp/$name.out"; status=1; continue; }
  grep -A6 'LEAK SUMMARY' "$tmp/$name.vg" | sed 's/^==[0-9]*== //' || echo "no leaks possible: all heap blocks were freed"
  if grep -Eq '(definitely|indirectly) lost: [1-9]' "$tmp/$name.vg"; then
    echo "leakcheck: C memory leaked in $p:"
    grep -B2 -A25 -E 'are (definitely|indirectly) lost in loss record' "$tmp/$name.vg" | sed 's/^==[0-9]*== //'
    status=1
  fi
done
exit $status
endef
export VALGRIND_SH_TEXT := $(value VALGRIND_SH)
export VALGRIND_PKGS

leakcheck:
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) -run '$(LEAK_RUN)' ./...
	$(MAKE) leakcheck-short
	@bash -euo pipefail -c "$$VALGRIND_SH_TEXT"

# --- fuzz ------------------------------------------------------------------------
# Each Fuzz target in turn (go test -fuzz takes one target at a time).
define FUZZ_SH
dirs=$(grep -rlE --include='*_test.go' '^func Fuzz[A-Z0-9_]' . | grep -v '/testdata/' | xargs -r -n1 dirname | sort -u)
[[ -n $dirs ]] || { echo "fuzz: no Fuzz targets yet"; exit 0; }
for d in $dirs; do
  for f in $("$GO" test -list '^Fuzz' "$d" | grep '^Fuzz' || true); do
    echo "== fuzz $d $f for $FUZZTIME"
    "$GO" test -run '^$' -fuzz "^$f\$" -fuzztime "$FUZZTIME" "$d"
  done
done
endef
export FUZZ_SH_TEXT := $(value FUZZ_SH)

fuzz:
	@bash -euo pipefail -c "$$FUZZ_SH_TEXT"

# --- bench -----------------------------------------------------------------------
# bench/bench.mk (targets bench and bench-smoke) belongs to the benchmark
# harness; results go in BENCHMARKS.md.
-include bench/bench.mk
ifeq ($(wildcard bench/bench.mk),)
bench bench-smoke:
	@echo "$@: bench/bench.mk is not there yet" >&2; exit 1
endif

clean:
	rm -f echo *.test *.out
	$(GO) clean -testcache

.DEFAULT_GOAL := help
