#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Every source file carries the project's SPDX line in its first three lines
(issue 13). Walks the source tree given as argument, skipping build trees."""
import os
import sys

TAG = "SPDX-License-Identifier: GPL-2.0-or-later"
SOURCES = (".c", ".h", ".py", ".sh", ".1", ".bash", ".zsh", ".in")
NAMED = ("CMakeLists.txt", "Makefile", "run")


def wanted(name):
    return name.endswith(SOURCES) or name in NAMED


def main():
    root = sys.argv[1]
    missing, seen = [], 0
    for top, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".git") and d != "corpus"
                   and not os.path.exists(os.path.join(top, d, "CMakeCache.txt"))]
        for name in names:
            if not wanted(name):
                continue
            path = os.path.join(top, name)
            seen += 1
            with open(path, encoding="utf-8", errors="replace") as f:
                head = "".join(f.readline() for _ in range(3))
            if TAG not in head:
                missing.append(os.path.relpath(path, root))
    for m in sorted(missing):
        print("no SPDX line:", m)
    print(f"{seen} source files, {len(missing)} without the SPDX line")
    if seen < 100:
        print("too few source files found: wrong root?")
        return 1
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
