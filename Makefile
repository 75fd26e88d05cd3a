# SPDX-License-Identifier: GPL-2.0-or-later
# The two commands of the README; each installs what it needs first, and only that.
#   make demo   build, then scan the bundled demo domains against a local lab
#   make test   build (plain, ASan+UBSan, fuzz), then run every test, a short fuzz run
#               and a smoke run of the benchmark driver (never timed)
# and
#   make build      the binary only (installs cmake, a compiler and the three -dev packages)
#   make install    cmake --install build (PREFIX=/usr/local, DESTDIR=)
#   make demo-up / demo-shell / demo-down   keep the demo lab running to try the tour by hand
#   make build-tuned  the scanner with the tuned wolfSSL (Debian's source, speed options)
#   make builds     the other standard builds CI makes (Release, hardened, clang)
#   make bench      the benchmarks: one table, starttls-scan beside its peers (bench/README.md)
JOBS ?= $(shell nproc)
BUILD_TYPE ?= RelWithDebInfo
DEV_FLAGS = -DSTS_WERROR=ON -DSTS_BENCH=ON
DEMO_DIR ?= /tmp/starttls-scan-demo

.PHONY: all deps deps-build deps-demo deps-test deps-tuned deps-bench build build-dev build-tuned \
	build-asan build-fuzz \
	fuzz demo demo-up demo-shell demo-down test builds bench install clean

all: build

deps: deps-build
deps-build deps-demo deps-test deps-tuned deps-bench:
	@bash tests/lab/install-deps.sh $(@:deps-%=%)

build: deps-build
	cmake -S . -B build -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)
	cmake --build build -j $(JOBS)

# The developers' build: warnings are errors, the bench tools are built.
build-dev: deps-test
	cmake -S . -B build -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(DEV_FLAGS)
	cmake --build build -j $(JOBS)

# wolfSSL from Debian's source of the installed version, with speed options
# (scanner/tls/wolfssl-tuned/build.sh; about a minute the first time).
build-tuned: deps-tuned
	cmake -S . -B build-tuned -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DSTS_WOLFSSL=tuned $(DEV_FLAGS)
	cmake --build build-tuned -j $(JOBS)

build-asan: deps-test
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSTS_SANITIZE=ON -DSTS_WERROR=ON
	cmake --build build-asan -j $(JOBS)

build-fuzz: deps-test
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DSTS_FUZZ=ON -DSTS_SANITIZE=ON -DSTS_WERROR=ON
	cmake --build build-fuzz -j $(JOBS)

# FUZZ_SECONDS per target; make test runs a short smoke run.
FUZZ_SECONDS ?= 60
fuzz: build-fuzz
	bash tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

demo: build deps-demo
	bash tests/lab/demo.sh run build/starttls-scan demo.csv

demo-up: build deps-demo
	bash tests/lab/demo.sh up build/starttls-scan $(DEMO_DIR)

demo-shell:
	bash tests/lab/demo.sh shell build/starttls-scan $(DEMO_DIR)

demo-down:
	bash tests/lab/demo.sh down build/starttls-scan $(DEMO_DIR)

# STS_LAB_SUDO: the lab test may re-run itself with sudo (plain ctest as a
# user reports it skipped instead). STS_LAB_OTHER_BINARY: the lab also scans
# with the tuned build and compares every row.
test: build-dev build-tuned build-asan build-fuzz
	cd build && STS_LAB_SUDO=1 STS_LAB_OTHER_BINARY=$(CURDIR)/build-tuned/starttls-scan ctest --output-on-failure
	cd build-tuned && ctest --output-on-failure -R 'testwolfcrypt|unit|cli'
	cd build-asan && STS_LAB_SUDO=1 ctest --output-on-failure
	bash tests/fuzz/run.sh build-fuzz 5
	python3 bench/run.py --smoke

builds: deps-test
	bash tests/builds.sh

bench: deps-bench
	cmake -S . -B build -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DSTS_BENCH=ON
	cmake --build build -j $(JOBS)
	cmake -S . -B build-tuned -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DSTS_WOLFSSL=tuned -DSTS_BENCH=ON
	cmake --build build-tuned -j $(JOBS)
	python3 bench/run.py --tuned build-tuned

# PREFIX (default /usr/local) is set at configure time: the man page names
# the installed schema's path.
install: build
	$(if $(PREFIX),cmake -S . -B build -DCMAKE_INSTALL_PREFIX=$(PREFIX) && cmake --build build -j $(JOBS))
	cmake --install build

clean:
	rm -rf build build-asan build-fuzz build-release build-hardened build-clang demo.csv demo.html artefacts
