#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The standard builds a user or a distribution makes, each from scratch, with
# warnings as errors (a warning here is ours to fix; a user's build never
# uses -Werror):
#
#   build-release   gcc, Release, BUILD_TESTING=OFF: no test is built; cmake --install
#                   into a DESTDIR puts the binary, the man page, the completions and
#                   the schema where GNUInstallDirs says
#   build-hardened  gcc, CMAKE_BUILD_TYPE=None with dpkg-buildflags' flags and
#                   hardening=+all, as a Debian package builds; its tests (not the lab)
#   build-clang     clang, Release; its tests (not the lab)
#
# The ASan build and the lab are make test's.
set -euo pipefail
trap 'echo "builds.sh: line $LINENO failed: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
jobs=$(nproc)
fresh() { rm -rf "$1"; }

echo "== gcc Release, BUILD_TESTING=OFF"
fresh build-release
CC=gcc cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DSTS_WERROR=ON \
    -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
cmake --build build-release -j "$jobs"
if [ -e build-release/tests/unit_tests ]; then
    echo "builds.sh: BUILD_TESTING=OFF built the unit tests" >&2
    exit 1
fi
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
DESTDIR=$dest cmake --install build-release >/dev/null
for f in usr/bin/starttls-scan usr/share/man/man1/starttls-scan.1 \
         usr/share/bash-completion/completions/starttls-scan \
         usr/share/zsh/vendor-completions/_starttls-scan usr/share/doc/starttls-scan/row.schema.json; do
    if [ ! -s "$dest/$f" ]; then
        echo "builds.sh: cmake --install did not install $f" >&2
        exit 1
    fi
done
"$dest/usr/bin/starttls-scan" --version
grep -q '^\.TH STARTTLS-SCAN 1 .*"starttls-scan [0-9]' "$dest/usr/share/man/man1/starttls-scan.1"
grep -q '/usr/share/doc/starttls-scan/row.schema.json' "$dest/usr/share/man/man1/starttls-scan.1"

echo "== gcc None with dpkg-buildflags hardening=+all"
fresh build-hardened
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
CC=gcc CFLAGS="$(dpkg-buildflags --get CFLAGS)" CPPFLAGS="$(dpkg-buildflags --get CPPFLAGS)" \
    LDFLAGS="$(dpkg-buildflags --get LDFLAGS)" \
    cmake -S . -B build-hardened -DCMAKE_BUILD_TYPE=None -DSTS_WERROR=ON \
    -DCMAKE_C_FLAGS="$(dpkg-buildflags --get CPPFLAGS) $(dpkg-buildflags --get CFLAGS)" >/dev/null
unset DEB_BUILD_MAINT_OPTIONS
cmake --build build-hardened -j "$jobs"
(cd build-hardened && ctest --output-on-failure -E '^lab$')

echo "== clang Release"
fresh build-clang
CC=clang cmake -S . -B build-clang -DCMAKE_BUILD_TYPE=Release -DSTS_WERROR=ON >/dev/null
cmake --build build-clang -j "$jobs"
(cd build-clang && ctest --output-on-failure -E '^lab$')
echo "builds.sh: all builds green"
