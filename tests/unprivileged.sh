#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What a packager does as a plain user: configure, build and ctest from a copy
# of the sources they own. The unit tests must pass and the root-only lab must
# be reported skipped, not failed. Run as root: it makes (and removes) a user.
set -euo pipefail
cd "$(dirname "$0")/.."
user=sts-packager
created=""
if ! id "$user" >/dev/null 2>&1; then
    useradd --system --create-home --shell /bin/bash "$user"
    created=1
fi
work=$(mktemp -d /tmp/sts-unprivileged.XXXXXX)
cleanup() { rm -rf "$work"; [ -n "$created" ] && userdel -r "$user" 2>/dev/null || true; }
trap cleanup EXIT
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$work" 2>/dev/null || tar --exclude='./build*' -cf - . | tar -xf - -C "$work"
chown -R "$user" "$work"
log=$work/ctest.log
su "$user" -c "cd '$work' && cmake -S . -B b -DCMAKE_BUILD_TYPE=Release >/dev/null && cmake --build b -j $(nproc) >/dev/null && cd b && ctest --output-on-failure" | tee "$log"
grep -Eq '^ *[0-9]+/[0-9]+ Test +#[0-9]+: lab \.+\*+Skipped' "$log" || { echo "unprivileged.sh: the lab was not reported skipped" >&2; exit 1; }
grep -Eq '^ *[0-9]+/[0-9]+ Test +#[0-9]+: unit \.+ +Passed' "$log" || { echo "unprivileged.sh: the unit tests did not pass" >&2; exit 1; }
echo "unprivileged.sh: as $user, the unit tests passed and the lab was skipped"
