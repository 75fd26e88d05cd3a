#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The documentation cannot drift from the program (issue 13).

  docs.py BINARY SRCDIR BUILDDIR   the option table (scanner/cli/optable.h),
      --help, the man page, the README and the bash and zsh completions name
      the same options; the man page and the README list every column (the
      CSV header) and every status; the versions agree; the bash completion
      completes.
  docs.py --lint MANPAGE           mandoc -Tlint is clean (exit 77, skipped,
      when mandoc is not installed)."""
import os
import re
import shutil
import subprocess
import sys

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def same(got, want, what):
    got, want = set(got), set(want)
    check(got == want, "%s: missing %s, extra %s" % (what, sorted(want - got), sorted(got - want)))


def run(*args):
    return subprocess.run(args, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL).stdout


OPT = re.compile(r"(?<![\w-])(--[a-z][a-z-]*[a-z]|-[a-zA-Z])(?![\w-])")


def option_table(src):
    """{'scan': {...}, 'check': {...}, 'merge': ..., 'rollup': ..., 'report': ...}
    from the option table (scanner/cli/optable.h)."""
    text = open(os.path.join(src, "scanner/cli/optable.h")).read()
    rows = re.findall(r'X\((OPT_\w+), (\'.\'|0), "([a-z-]+)", (?:"[^"]*"|NULL), (?:"[^"]*"|NULL), '
                      r'(CMD_\w+(?: \| CMD_\w+)*), (ONCE|REPEAT),', text)
    check(len(rows) > 40, "the option table parses (%d rows)" % len(rows))
    sets = {m: set() for m in ("scan", "check", "merge", "rollup", "report", "once")}
    for _, short, name, cmds, flags in rows:
        modes = set()
        for cmd in cmds.split(" | "):
            modes |= {"scan", "check"} if cmd == "CMD_BOTH" else {cmd[4:].lower()}
        for mode in modes:
            sets[mode].add("--" + name)
            if short != "0":
                sets[mode].add("-" + short[1])
        if flags == "ONCE" and modes & {"scan", "check"}:
            sets["once"].add("-" + short[1] if short != "0" else "--" + name)
    return sets


def man_sections(man):
    """{section name: text} of a man page source, subsections too."""
    out, name = {}, None
    for line in man.splitlines():
        m = re.match(r'\.S[HS] "?([^"]+)"?$', line)
        if m:
            name = m.group(1)
            out[name] = ""
        elif name:
            out[name] += line + "\n"
    return out


def tags(section):
    """The tag line of each .TP item, roff escapes of '-' undone."""
    lines = section.splitlines()
    return [lines[i + 1].replace("\\-", "-") for i, l in enumerate(lines[:-1]) if l == ".TP"]


def check_man(man, opts, header, statuses, version):
    secs = man_sections(man)
    for s in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "OUTPUT", "Columns", "Statuses",
              "EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLES", "SEE ALSO"):
        check(s in secs, "the man page has the section %s" % s)
    option_tags = []
    in_options = False
    for name, text in secs.items():
        if name == "OPTIONS":
            in_options = True
        elif name in ("OUTPUT",):
            in_options = False
        if in_options:
            option_tags += [t for tag in tags(text) for t in OPT.findall(tag)]
    same(option_tags, opts["scan"] | opts["check"], "man page OPTIONS vs the option table")
    once = re.search(r"^Options that name what is scanned.*?may be given once", man, re.S | re.M)
    listed = set(OPT.findall(once.group(0).replace("\\-", "-"))) if once else set()
    same(listed, opts["once"], "the man page's options given once vs the table's ONCE")
    cols = [w for tag in tags(secs.get("Columns", "")) for w in re.findall(r"[a-z][a-z0-9_]+", tag)
            if w not in ("B", "BR")]
    check(cols == header, "man page Columns in the CSV's order: %s" % cols)
    sts = [w for tag in tags(secs.get("Statuses", "")) for w in re.findall(r"[a-z_]+", tag) if w != "B"]
    check(sts == statuses, "man page Statuses: %s" % sts)
    th = re.search(r'^\.TH \S+ 1 \S+ "starttls-scan ([^"]+)"', man, re.M)
    check(th and th.group(1) == version, "man page version %s is --version's %s" % (th and th.group(1), version))
    for f in ("/etc/ssl/certs/ca-certificates.crt", "/etc/resolv.conf"):
        check(f in secs.get("FILES", ""), "FILES names " + f)
    check("STARTTLS_SCAN_PASSWORD" in secs.get("ENVIRONMENT", ""), "ENVIRONMENT names STARTTLS_SCAN_PASSWORD")
    for code in ("0", "1", "2", "3", "130"):
        check(re.search(r"^\.BR? %s\b" % code, secs.get("EXIT STATUS", ""), re.M), "EXIT STATUS has %s" % code)


def readme_block(readme, heading):
    m = re.search(r"^%s\n\n```\n(.*?)```" % re.escape(heading), readme, re.S | re.M)
    return m.group(1) if m else ""


def check_readme(readme, scan_help, check_help, header, statuses):
    start = scan_help.index("Protocol:\n")
    end = scan_help.index("\n", scan_help.index("\n      --version ") + 1)
    check(readme_block(readme, "### Options") == scan_help[start:end + 1],
          "the README's Options block is --help's option list, word for word")
    check(readme_block(readme, "### check: one server, by hand") == check_help,
          "the README's check block is check --help, word for word")
    table = readme[readme.index("## The CSV"):]
    cols = []
    for line in table.split("Statuses:")[0].splitlines():
        m = re.match(r"\| (`[a-z0-9_]+`(?:, `[a-z0-9_]+`)*) \|", line)
        if m:
            cols += re.findall(r"`([a-z0-9_]+)`", m.group(1))
    check(cols == header, "the README's column table in the CSV's order: %s" % cols)
    sts = re.findall(r"^\| `([a-z_]+)` \|", table.split("Statuses:")[1].split("\n\n\n")[0], re.M)
    check(sts == statuses, "the README's status table: %s" % sts)


def bash_complete(src, words):
    """COMPREPLY of the bash completion for the command line words (the last one
    being completed)."""
    script = ("source %s\nCOMP_WORDS=(%s)\nCOMP_CWORD=%d\n_starttls_scan\nprintf '%%s\\n' \"${COMPREPLY[@]}\"\n"
              % (os.path.join(src, "completion/starttls-scan.bash"),
                 " ".join("'%s'" % w for w in words), len(words) - 1))
    out = subprocess.run(["bash", "--norc", "-c", script], capture_output=True, text=True,
                         cwd=os.path.join(src, "docs"), timeout=30)
    check(out.returncode == 0, "bash completion runs: %s" % out.stderr)
    return set(l for l in out.stdout.splitlines() if l)


def check_bash(src, opts, protocols, formats):
    path = os.path.join(src, "completion/starttls-scan.bash")
    get = lambda var: run("bash", "--norc", "-c", "source %s; echo $%s" % (path, var)).split()
    same(get("_starttls_scan_scan_opts"), opts["scan"], "bash completion, scan options")
    same(get("_starttls_scan_check_opts"), opts["check"], "bash completion, check options")
    same(get("_starttls_scan_protocols"), protocols, "bash completion, protocols")
    same(get("_starttls_scan_formats"), formats, "bash completion, formats")
    cases = [
        (["starttls-scan", "--pro"], {"--protocol", "--progress"}),
        (["starttls-scan", "-p", "s"], {"smtp", "submission", "smtps", "sieve"}),
        (["starttls-scan", "--format", ""], set(formats)),
        (["starttls-scan", "--auth-m"], set()),
        (["starttls-scan", "check", "--auth-m"], {"--auth-mech"}),
        (["starttls-scan", "check", "mx.example", "--no-v"], {"--no-verify"}),
        (["starttls-scan", "check", "--auth-mech", "P"], {"PLAIN"}),
        (["starttls-scan", "--retry-delay", ""], set()),
        (["starttls-scan", "-o", "row.sch"], {"row.schema.json"}),
    ]
    for words, want in cases:
        got = bash_complete(src, words)
        check(got == want, "bash completes %r to %s, not %s" % (" ".join(words), sorted(want), sorted(got)))
    check("check" in bash_complete(src, ["starttls-scan", "ch"]), "bash completes the first word to check")


def check_zsh(src, opts):
    path = os.path.join(src, "completion/_starttls-scan")
    text = open(path).read()
    if shutil.which("zsh"):
        p = subprocess.run(["zsh", "-n", path], capture_output=True, text=True)
        check(p.returncode == 0, "zsh completion parses: %s" % p.stderr)
    arrays = {name: set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*[a-z]|-[a-zA-Z])(?=[=+\[\]'}, ])", body))
              for name, body in re.findall(r"^(\w+)=\(\n(.*?)^\)", text, re.S | re.M)}
    same(arrays.get("common", set()) | arrays.get("scan", set()), opts["scan"], "zsh completion, scan options")
    same(arrays.get("common", set()) | arrays.get("check", set()), opts["check"], "zsh completion, check options")


def lint(manpage):
    if not shutil.which("mandoc"):
        print("mandoc is not installed: skipped (apt-get install mandoc)")
        return 77
    p = subprocess.run(["mandoc", "-Tlint", "-Wall", manpage], capture_output=True, text=True)
    out = (p.stdout + p.stderr).strip()
    print(out or "mandoc -Tlint -Wall: clean")
    return 0 if p.returncode == 0 and not out else 1


def main():
    if sys.argv[1] == "--lint":
        return lint(sys.argv[2])
    binary, src, build = (os.path.abspath(a) for a in sys.argv[1:4])
    opts = option_table(src)
    scan_help, check_help = run(binary, "--help"), run(binary, "check", "--help")
    same(OPT.findall(scan_help), opts["scan"], "--help vs the option table")
    same(OPT.findall(check_help), opts["check"], "check --help vs the option table")
    for tool in ("merge", "rollup", "report"):
        listed = run(binary, tool, "--help")
        listed = listed[listed.index("\n\n") + 2:]  # the options and what follows, not the description
        same(OPT.findall(listed.split("\n\nExit status")[0]), opts[tool], "%s --help vs the option table" % tool)
    header = run(binary, "-q").splitlines()[0].split(",")  # no input: the header alone
    statuses = re.findall(r'\[ST_\w+\] = "([a-z_]+)"', open(os.path.join(src, "scanner/result/status.c")).read())
    version = run(binary, "--version").split()[1]
    project = re.search(r"project\(starttls-scan VERSION (\S+)", open(os.path.join(src, "CMakeLists.txt")).read())
    check(project and project.group(1) == version, "--version says CMake's project version")
    check_man(open(os.path.join(build, "starttls-scan.1")).read(), opts, header, statuses, version)
    check_readme(open(os.path.join(src, "README.md")).read(), scan_help, check_help, header, statuses)
    protocols = re.search(r"-p, --protocol NAME\s+(.*)", check_help).group(1).split(", ")
    formats = re.findall(r"^\s+(?:-f, --format FORMAT)?\s+([a-z]+): ", scan_help, re.M)
    check_bash(src, opts, protocols, formats)
    check_zsh(src, opts)
    print("%d problems" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
