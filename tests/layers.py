#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Keeps the layers true: every #include points down the layer list (or
stays in its own layer), and the modules' include graph has no cycle.

Usage: layers.py [ROOT]   (ctest runs it; exit 1 with the offending lines)

A module is the files of one name up to its first underscore: a .c, its .h,
and the parts split off it (scanner/engine/conn.c, conn.h, conn_io.c,
conn_tls.c, conn_internal.h). The layers, lowest first, are the folders
below; DESIGN.md says what each owns, in its table of layers, which must
name every layer and every module (checked here). A source file in a
folder that is no layer is a problem too.
"""
import os
import re
import sys

LAYERS = [
    "scanner/base",    # bytes, text, the hash set
    "scanner/result",  # what a probe found: statuses, results, rows
    "scanner/input",   # target lines, the feeder, address ranges and lists
    "resolver",        # c-ares on libuv, DNS answers, MX rules
    "scanner/tls",     # wolfSSL over memory, our ClientHello, names, certificates, chains
    "scanner/mailpolicy",  # what a mail domain publishes: MTA-STS and TLS-RPT texts, parsed
    "output/rows",     # a row as cells, CSV and JSON Lines, and their readers
    "output/files",    # the scan's file writer; outputs written whole, then renamed
    "output/live",     # the running scan's summary and progress line
    "output/report",   # finished files read back: merge, the grade and rollup, the HTML report
    "scanner/dialog",  # the reply reader, one file per protocol, SASL, the services table
    "scanner/engine",  # connections, admission, probes, dedup, jobs, workers, the scan
    "scanner/cli",     # the command line, usage, check, main
]

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(path):
    for i, layer in enumerate(LAYERS):
        if path.startswith(layer + "/") and "/" not in path[len(layer) + 1:]:
            return i
    return None


def module_of(path):
    d, name = os.path.split(os.path.splitext(path)[0])
    return d + "/" + name.split("_")[0]


def sources(root):
    for layer in LAYERS:
        d = os.path.join(root, layer)
        for name in sorted(os.listdir(d)):
            if name.endswith((".c", ".h")):
                yield layer + "/" + name


def find_cycle(graph):
    """A cycle as a list of modules, or None (iterative DFS, colours)."""
    colour = {m: 0 for m in graph}
    for start in sorted(graph):
        if colour[start]:
            continue
        stack = [(start, iter(sorted(graph[start])))]
        path = [start]
        colour[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                colour[node] = 2
                stack.pop()
                path.pop()
            elif colour.get(nxt, 2) == 1:
                return path[path.index(nxt):] + [nxt]
            elif colour.get(nxt) == 0:
                colour[nxt] = 1
                stack.append((nxt, iter(sorted(graph[nxt]))))
                path.append(nxt)
    return None


def map_problems(root, graph):
    """DESIGN.md's table of layers: a row per layer ("| `LAYER` | ..."),
    naming each of its modules in backticks."""
    text = open(os.path.join(root, "DESIGN.md")).read()
    rows = {}
    for line in text.splitlines():
        m = re.match(r"\|\s*`([a-z/]+)`\s*\|(.*)$", line)
        if m and m.group(1) in LAYERS:
            rows[m.group(1)] = m.group(2)
    problems = []
    for layer in LAYERS:
        if layer not in rows:
            problems.append("DESIGN.md's table of layers has no row for %s" % layer)
            continue
        for mod in sorted(m for m in graph if m.startswith(layer + "/") and "/" not in m[len(layer) + 1:]):
            name = mod[len(layer) + 1:]
            if "`%s`" % name not in rows[layer]:
                problems.append("DESIGN.md's row of %s does not name its module `%s`" % (layer, name))
    return problems


def stray_sources(root):
    """C sources under the layered folders but in none of the layers."""
    problems = []
    for top in ("scanner", "output", "resolver"):
        for d, _, names in os.walk(os.path.join(root, top)):
            rel = os.path.relpath(d, root)
            if rel in LAYERS or "wolfssl-tuned" in rel:
                continue
            for name in names:
                if name.endswith((".c", ".h")):
                    problems.append("%s/%s is in no layer (tests/layers.py, DESIGN.md)" % (rel, name))
    return problems


# A module split into files that read top to bottom: each file calls only
# the files after it (what goes up is a callback).
PARTS = {
    "scanner/engine/conn": ["conn.c", "conn_tls.c", "conn_io.c"],
}
DEFINED = re.compile(r"^(?:[a-z_]+ )+\**([a-z_][a-z0-9_]*)\(", re.M)


def part_problems(root):
    problems = []
    for mod, files in PARTS.items():
        folder = os.path.dirname(mod)
        texts = [open(os.path.join(root, folder, f)).read() for f in files]
        for i, text in enumerate(texts):
            exported = {n for n in DEFINED.findall(text)
                        if not re.search(r"^static [^;{]*\b%s\(" % n, text, re.M)}
            for j in range(i + 1, len(files)):
                for name in sorted(exported):
                    if re.search(r"\b%s\(" % name, texts[j]):
                        problems.append("%s/%s calls %s() of %s, a file above it" %
                                        (folder, files[j], name, files[i]))
    return problems


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    problems = []
    graph = {}
    for path in sources(root):
        here = layer_of(path)
        mod = module_of(path)
        graph.setdefault(mod, set())
        text = open(os.path.join(root, path)).read()
        for inc in INCLUDE.findall(text):
            there = layer_of(inc)
            if there is None:
                if inc.startswith(("scanner/", "output/", "resolver/")):
                    problems.append("%s includes %s, which is in no layer" % (path, inc))
                continue
            if there > here:
                problems.append("%s (%s) includes %s (%s): up the layer list" %
                                (path, LAYERS[here], inc, LAYERS[there]))
            if module_of(inc) != mod:
                graph[mod].add(module_of(inc))
    for mod in list(graph):
        graph[mod] = {m for m in graph[mod] if m in graph}
    problems += map_problems(root, graph)
    problems += stray_sources(root)
    problems += part_problems(root)
    cycle = find_cycle(graph)
    if cycle:
        problems.append("the module include graph has a cycle: " + " -> ".join(cycle))
    for p in problems:
        print(p)
    print("%d modules in %d layers, %d problems" % (len(graph), len(LAYERS), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
