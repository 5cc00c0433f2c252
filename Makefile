# acd — the two commands a user needs are `make demo` and `make test`; `make` builds.
# Each target installs what is missing first (scripts/install-deps.sh, apt-get via sudo).
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 10

.PHONY: all build deps test test-normal test-asan test-fuzz fuzz demo bench bench-sensor bench-server bench-ingest clean format lint

all: build

deps:
	@echo "==> checking build dependencies"
	@scripts/install-deps.sh build

build: deps
	@echo "==> building into build/"
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build -j $(JOBS)
	@echo "==> built build/acd-sensor build/acd"

test:
	@echo "==> checking test dependencies"
	@scripts/install-deps.sh test
	@$(MAKE) --no-print-directory test-normal test-asan test-fuzz
	@echo "==> all test suites passed"

test-normal: build
	@echo "==> tests, normal build"
	@cd build && ctest --output-on-failure -j $(JOBS)

test-asan:
	@echo "==> tests, AddressSanitizer + UndefinedBehaviorSanitizer build (build-asan/)"
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DACD_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS)

test-fuzz:
	@echo "==> libFuzzer smoke run, $(FUZZ_SECONDS)s per harness (build-fuzz/)"
	@CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DACD_FUZZ=ON \
		-DACD_FUZZ_SECONDS=$(FUZZ_SECONDS) >/dev/null
	@cmake --build build-fuzz -j $(JOBS)
	@cd build-fuzz && ctest --output-on-failure -V -j 1 | grep -E 'executions|Passed|Failed|tests passed'

fuzz:
	@$(MAKE) --no-print-directory test-fuzz FUZZ_SECONDS=600

demo:
	@scripts/install-deps.sh build
	@$(MAKE) --no-print-directory build
	@scripts/demo.sh

bench: bench-sensor bench-server bench-ingest

bench-sensor:
	@scripts/install-deps.sh bench
	@$(MAKE) --no-print-directory build
	@bench/sensor/run.sh

bench-ingest:
	@scripts/install-deps.sh bench
	@$(MAKE) --no-print-directory build
	@bench/ingest/run.sh

bench-server:
	@scripts/install-deps.sh bench
	@$(MAKE) --no-print-directory build
	@bench/server/run.sh

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

lint:
	@clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')
	@cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr --suppress=missingIncludeSystem -I src/lib -I src/sensor -I src/store src tools

clean:
	rm -rf build build-asan build-fuzz
