# The two commands of the README; each installs what is missing first.
#   make demo   build, then scan the bundled demo domains against a local lab
#   make test   build (plain and ASan+UBSan), then run every test
JOBS ?= $(shell nproc)

.PHONY: all deps build build-asan demo test install clean

all: build

deps:
	@bash tests/lab/install-deps.sh

build: deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build -j $(JOBS)

build-asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSTS_SANITIZE=ON
	cmake --build build-asan -j $(JOBS)

demo: build
	bash tests/lab/demo.sh build/starttls-scan demo.csv

test: build build-asan
	cd build && ctest --output-on-failure
	cd build-asan && ctest --output-on-failure

install: build
	install -D -m 0755 build/starttls-scan $(DESTDIR)$(or $(PREFIX),/usr/local)/bin/starttls-scan

clean:
	rm -rf build build-asan demo.csv
