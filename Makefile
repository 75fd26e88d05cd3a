# SPDX-License-Identifier: GPL-2.0-or-later
# The two commands of the README; each installs what is missing first.
#   make demo   build, then scan the bundled demo domains against a local lab
#   make test   build (plain, ASan+UBSan, fuzz), then run every test, a short fuzz run
#               and a smoke run of the benchmark driver (never timed)
#   make bench  the benchmarks: one table, starttls-scan beside its peers (bench/README.md)
JOBS ?= $(shell nproc)

.PHONY: all deps build build-asan build-fuzz fuzz demo test bench install clean

all: build

deps:
	@bash tests/lab/install-deps.sh

build: deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build -j $(JOBS)

build-asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSTS_SANITIZE=ON
	cmake --build build-asan -j $(JOBS)

build-fuzz: deps
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DSTS_FUZZ=ON -DSTS_SANITIZE=ON
	cmake --build build-fuzz -j $(JOBS)

# FUZZ_SECONDS per target; make test runs a short smoke run.
FUZZ_SECONDS ?= 60
fuzz: build-fuzz
	bash tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

demo: build
	bash tests/lab/demo.sh build/starttls-scan demo.csv

test: build build-asan build-fuzz
	cd build && ctest --output-on-failure
	cd build-asan && ctest --output-on-failure
	bash tests/fuzz/run.sh build-fuzz 5
	python3 bench/run.py --smoke

bench: build
	python3 bench/run.py

install: build
	install -D -m 0755 build/starttls-scan $(DESTDIR)$(or $(PREFIX),/usr/local)/bin/starttls-scan
	install -D -m 0644 docs/starttls-scan.1 $(DESTDIR)$(or $(PREFIX),/usr/local)/share/man/man1/starttls-scan.1

clean:
	rm -rf build build-asan build-fuzz demo.csv
