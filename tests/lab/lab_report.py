# SPDX-License-Identifier: GPL-2.0-or-later
"""--rollup and --report on a lab scan: the grades against the rubric of
docs/grades.md (re-implemented here from its table), every figure of the
page against the CSV, opened in Debian's headless Chromium: the DOM read
back, hostile names inert, nothing fetched (Chromium's own net log), a
screenshot kept as an artefact."""
import csv
import html.parser
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections import Counter, defaultdict

from labkit import *  # noqa: F401,F403  the shared helpers and BIN, LAB, NS, CA

HERE = os.path.dirname(os.path.abspath(__file__))
ARTEFACTS = os.environ.get("STS_ARTEFACTS", os.path.join(HERE, "..", "..", "artefacts"))
HOSTILE_LINE = "<script>document.title='line'</script>"
TITLE = "Mail transport security report"


def demo_domains():
    lines = [l.strip() for l in open(os.path.join(HERE, "demo-domains.txt"))]
    return [l for l in lines if l and not l.startswith("#")] + ["html.lab.test", "weirdcert.lab.test",
                                                                 HOSTILE_LINE]


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


ANSWERED = {"ok", "no_starttls", "starttls_refused", "tls_failed"}


def suite_class_by_hand(suite):
    """docs/grades.md: a suite's NCSC-NL class, 2 insufficient, 1 phase out."""
    if any(w in suite for w in ("WITH_NULL", "_anon_", "EXPORT", "RC4", "IDEA", "RC2")) or suite.endswith("_MD5") \
            or ("_DES" in suite and "3DES" not in suite):
        return 2
    if "3DES" in suite or suite.startswith(("TLS_RSA_", "TLS_DH_", "TLS_ECDH_")):
        return 1
    return 0


def hygiene_by_hand(r):
    versions = r["versions"].split() + [part.split(":")[0].strip() for part in r["ciphers"].split(";") if ":" in part]
    worst = max([suite_class_by_hand(s) for s in r["weak_ciphers"].split() + [r["cipher"]] if s] + [0])
    if "SSLv3" in versions:
        worst = 2
    if "TLSv1.0" in versions or "TLSv1.1" in versions:
        worst = max(worst, 1)
    group = r["kex_group"].replace("ffdhe", "DH-")
    if group.startswith("DH-"):
        bits = int(group[3:])
        worst = max(worst, 2 if bits < 2048 else 1 if bits == 2048 else 0)
    if r["cert_key"].startswith("RSA-") and int(r["cert_key"][4:]) < 2048:
        worst = 2
    if "sha1" in r["cert_sig_alg"].lower() or "md5" in r["cert_sig_alg"].lower():
        worst = 2
    return worst


def grade_by_hand(rows):
    """docs/grades.md's table, read top to bottom."""
    with_ip = [r for r in rows if r["ip"]]
    reached = [r for r in with_ip if r["status"] in ANSWERED]
    if not reached:
        return "-"
    tls = [r for r in reached if r["status"] == "ok"]
    modern = [r for r in tls if r["tls_version"] in ("TLSv1.2", "TLSv1.3")]
    trusted = [r for r in modern if r["dane"] == "valid" or (r["chain_valid"] == "yes" and r["hostname_match"] == "yes")]
    hygiene = [hygiene_by_hand(r) for r in tls]
    dane = [r for r in reached if r["dane"] not in ("", "none")]
    dane_valid = [r for r in reached if r["dane"] == "valid"]
    dane_broken = [r for r in reached if r["dane"] in ("invalid", "error")]
    sts = rows[0]["mta_sts"]
    sts_ok = [r for r in reached if r["mta_sts_ok"] == "yes"]
    sts_fail = [r for r in reached if r["mta_sts_ok"] == "no"]
    policy = (dane and len(dane_valid) == len(reached)) or (sts == "enforce" and not sts_fail and sts_ok)
    if not tls:
        return "F"
    if len(tls) < len(reached) or len(modern) < len(tls) or 2 in hygiene:
        return "D"
    if len(trusted) < len(modern) or dane_broken or (sts == "enforce" and sts_fail) or 1 in hygiene:
        return "C"
    return "A" if policy else "B"


class Dom(html.parser.HTMLParser):
    """What a test needs of the page Chromium rendered."""

    def __init__(self):
        super().__init__()
        self.ids, self.bars, self.tags, self.text = {}, defaultdict(dict), Counter(), []
        self.chart, self.title, self.in_title = None, "", False
        self.expiring, self.domains, self.table, self.row = [], [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] += 1
        if "id" in a:
            self.ids[a["id"]] = a
        if tag == "svg":
            self.chart = a.get("id")
        if tag == "g" and a.get("class") == "bar":
            self.bars[self.chart][a["data-label"]] = int(a["data-count"])
        if tag == "title" and self.chart is None:
            self.in_title = True
        if tag == "table":
            self.table = a.get("id")
        if tag == "tr" and self.table:
            self.row = {"attrs": a, "cells": []}
        if tag == "td" and self.row is not None:
            self.row["cells"].append("")

    def handle_endtag(self, tag):
        if tag == "svg":
            self.chart = None
        if tag == "title":
            self.in_title = False
        if tag == "tr" and self.row is not None:
            if self.row["cells"]:
                (self.expiring if self.table == "expiring" else self.domains).append(self.row)
            self.row = None
        if tag == "table":
            self.table = None

    def handle_data(self, data):
        self.text.append(data)
        if self.in_title:
            self.title += data
        if self.row is not None and self.row["cells"]:
            self.row["cells"][-1] += data


def chromium(*args, timeout=120):
    profile = tempfile.mkdtemp(prefix="sts-chromium-")
    try:
        # In the lab's namespace: no route out, whatever Chromium might try.
        return in_ns("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-default-apps", "--user-data-dir=" + profile, *args, timeout=timeout)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def scan_with_report(work):
    out, roll, page = (os.path.join(work, n) for n in ("rows.csv", "rollup.csv", "report.html"))
    inp = os.path.join(work, "domains.txt")
    open(inp, "w").write("\n".join(demo_domains()) + "\n")
    p = in_ns(BIN, "--resolver", "127.0.53.2", "--ca-file", CA, "--ehlo", "scanner.lab.test", "--allow-private",
              "--banner-timeout", "2", "--reply-timeout", "3", "--timeout", "6", "--retry-delay", "0.5",
              "-o", out, "--rollup", roll, "--report", page, inp, timeout=120)
    err = p.stderr.decode(errors="replace")
    check(p.returncode == 0, "the scan with --rollup and --report: %d %s" % (p.returncode, err[-400:]))
    check("starttls-scan: grades of " in err, "the summary names the grades: %s" % err[-300:])
    return out, roll, page, err


def rollup_checks(out, roll, err, work):
    rows, rollup = read_csv(out), read_csv(roll)
    by_domain = defaultdict(list)
    for r in rows:
        by_domain[r["domain"]].append(r)
    check(len(rollup) == len(by_domain), "one rollup row per domain: %d vs %d" % (len(rollup), len(by_domain)))
    grades = Counter(r["grade"] for r in rollup)
    line = "grades of %d domains: %s" % (len(rollup), " ".join("%s=%d" % (g, grades[g]) for g in "ABCDF-"))
    check(line in err, "the summary's grades are the rollup's: %r" % line)
    for r in rollup:
        mine = by_domain.get(r["domain"], [])
        check(grade_by_hand(mine) == r["grade"], "%s: the rubric by hand says %s, the rollup %s (%s)" % (
            r["domain"], grade_by_hand(mine), r["grade"], r["reason"]))
        check((r["grade"] == "A") == (r["reason"] == ""), "%s: a reason unless A: %r" % (r["domain"], r["reason"]))
        bad_chain = [x for x in mine if x["status"] == "ok" and x["chain_valid"] == "no" and x["chain_error"]]
        if r["grade"] == "C" and bad_chain:
            check(bad_chain[0]["chain_error"] in r["reason"] and bad_chain[0]["mx_host"] in r["reason"],
                  "%s: the reason names the MX and its chain error: %r" % (r["domain"], r["reason"]))
        ips = [x for x in mine if x["ip"]]
        check(int(r["addresses"]) == len(ips), "%s: addresses" % r["domain"])
        check(int(r["answered"]) == sum(x["status"] in ANSWERED for x in ips), "%s: answered" % r["domain"])
        mx = sorted({x["mx_host"] for x in mine if x["mx_host"]})
        check(sorted(r["mx_hosts"].split()) == mx and r["mx_count"] == (str(len(mx)) if mx else ""),
              "%s: the MX hosts %r" % (r["domain"], r["mx_hosts"]))
        dates = [x for x in ips if x["cert_not_after"]]
        if dates:
            first = min(dates, key=lambda x: x["cert_not_after"])
            check(r["cert_expires"] == first["cert_not_after"] and r["cert_days_left"] == first["cert_days_left"],
                  "%s: the earliest expiry" % r["domain"])
        tls = [x for x in ips if x["status"] == "ok"]
        if tls:
            check(r["chains_valid"] == ("yes" if all(x["chain_valid"] == "yes" for x in tls) else "no"),
                  "%s: chains_valid" % r["domain"])
            low = min(tls, key=lambda x: x["tls_version"])
            check(r["lowest_tls"] == low["tls_version"], "%s: lowest TLS" % r["domain"])
    again = os.path.join(work, "again.csv")
    p = subprocess.run([BIN, "rollup", "-o", again, out], capture_output=True)
    check(p.returncode == 0 and open(again).read() == open(roll).read(), "starttls-scan rollup gives the same file")
    p = subprocess.run([BIN, "rollup", "-o", again, out], capture_output=True)
    check(p.returncode == 2 and b"--overwrite" in p.stderr, "a non-empty rollup output is refused")
    return rows, rollup


def expected_figures(rows, rollup):
    certs = {}
    for r in rows:
        if r["cert_sha256"] and r["cert_sha256"] not in certs:
            certs[r["cert_sha256"]] = r
    bins = Counter()
    uppers = [(-1, "expired"), (7, "0-7"), (14, "8-14"), (30, "15-30"), (60, "31-60"), (90, "61-90"),
              (180, "91-180"), (365, "181-365"), (10 ** 9, ">365")]
    for r in certs.values():
        if r["cert_days_left"]:
            bins[next(label for top, label in uppers if int(r["cert_days_left"]) <= top)] += 1
    return certs, bins, [label for _, label in uppers]


def figures_checks(dom, rows, rollup):
    certs, bins, labels = expected_figures(rows, rollup)
    ids = dom.ids
    number = lambda i: int(ids[i]["data-v"]) if i in ids else None
    check(number("n-domains") == len(rollup), "headline domains %r" % number("n-domains"))
    check(number("n-rows") == len(rows), "headline rows %r" % number("n-rows"))
    check(number("n-starttls-all") == sum(r["starttls"] == "all" for r in rollup), "headline STARTTLS")
    check(number("n-graded-ab") == sum(r["grade"] in "AB" and r["grade"] != "" for r in rollup), "headline A/B")
    check(number("n-certs") == len(certs), "headline certificates %r vs %d" % (number("n-certs"), len(certs)))
    grades = Counter(r["grade"] for r in rollup)
    check(dom.bars["chart-grades"] == {g: grades[g] for g in "ABCDF-"}, "grades chart %r" % dom.bars["chart-grades"])
    check(dom.bars["chart-status"] == dict(Counter(r["status"] for r in rows)), "status chart")
    versions = Counter(r["tls_version"] for r in rows if r["tls_version"])
    check(dom.bars["chart-versions"] == {v: versions[v] for v in ("TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1.0", "SSLv3")},
          "versions chart %r" % dom.bars["chart-versions"])
    check(dom.bars["chart-expiry"] == {l: bins[l] for l in labels}, "expiry chart %r vs %r" % (dom.bars["chart-expiry"], bins))
    issuers = Counter(r["cert_issuer"] for r in certs.values())
    check(dom.bars["chart-issuers"] == dict(issuers), "issuers chart %r" % dom.bars["chart-issuers"])
    dane = Counter(r["dane"] for r in rollup)
    check(dom.bars["chart-dane"] == {d: dane[d] for d in ("valid", "partial", "invalid", "unusable", "unsigned", "none")},
          "DANE chart %r" % dom.bars["chart-dane"])
    rpt = Counter(r["tls_rpt"] for r in rollup)
    check(dom.bars["chart-tls-rpt"] == {"published": rpt["yes"], "malformed": rpt["malformed"], "error": rpt["error"],
                                        "none": rpt["no"]}, "TLS-RPT chart %r" % dom.bars["chart-tls-rpt"])
    sts = Counter(r["mta_sts"] for r in rollup if r["tls_rpt"])
    check(dom.bars["chart-mta-sts"]["enforce"] == sts["enforce"] and dom.bars["chart-mta-sts"]["testing"] == sts["testing"],
          "MTA-STS chart %r" % dom.bars["chart-mta-sts"])
    soon = {h: r for h, r in certs.items() if r["cert_days_left"] and int(r["cert_days_left"]) <= 30}
    listed = [row["attrs"].get("data-sha256") for row in dom.expiring]
    check(sorted(listed) == sorted(soon), "expiring table: %r vs %r" % (listed, list(soon)))
    days = [int(row["cells"][0]) for row in dom.expiring]
    check(days == sorted(days), "expiring table: soonest first")
    for row in dom.expiring:
        served = {(r["domain"], r["mx_host"] or r["ip"]) for r in rows if r["cert_sha256"] == row["attrs"]["data-sha256"]}
        for d, mx in served:
            check("%s (%s)" % (d, mx) in row["cells"][4], "expiring table names %s (%s)" % (d, mx))
    grade_of = {r["domain"]: r["grade"] for r in rollup}
    check(len(dom.domains) == len(rollup), "the domain table has every domain")
    for row in dom.domains:
        check(grade_of.get(row["cells"][0]) == row["cells"][1], "domain table grade of %r" % row["cells"][0])


def hostile_checks(dom, page, rows):
    text = "".join(dom.text)
    subject = [r["cert_subject"] for r in rows if r["domain"] == "html.lab.test"]
    check(subject and "<script" in subject[0] and subject[0] in text,
          "the certificate's name is shown as text, as the CSV has it: %r" % subject)
    check(dom.title == TITLE, "the page's title is ours: %r" % dom.title)
    check(dom.tags["script"] == 1 and dom.tags["img"] == 0 and "injected" not in dom.ids,
          "no script, image or element from a name: %r" % dict(dom.tags))
    check(dom.tags["svg"] == 8, "the charts only: %d svg" % dom.tags["svg"])
    check(HOSTILE_LINE in text, "the input line is shown as text")
    src = open(page).read()
    for bad in ("http:", "https:", "src=", "href=", "url(", "@import", "//"):
        check(bad not in src, "no %r in the file" % bad)


def page_requests(path):
    """The requests a page made, from Chromium's net log: those with an
    initiator (the browser's own, the component updater's say, have none)."""
    text = open(path).read().rstrip().rstrip(",")
    try:
        log = json.loads(text)
    except ValueError:  # Chromium may exit before closing the brackets
        log = json.loads(text + "]}")
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return {e["params"].get("url", "?") for e in log.get("events", [])
            if e["type"] == start and e.get("phase") == 1 and e["params"].get("initiator") != "not an origin"}


def render(page, work, name):
    """The DOM Chromium made of the page, and the requests the page made."""
    netlog = os.path.join(work, name + ".json")
    p = chromium("--log-net-log=" + netlog, "--dump-dom", "file://" + page)
    check(p.returncode == 0 and b"</html>" in p.stdout, "Chromium renders %s: %s" % (name, p.stderr[-300:]))
    return p.stdout.decode(errors="replace"), page_requests(netlog)


def test_rollup_and_report():
    work = tempfile.mkdtemp(prefix="sts-report-")
    os.chmod(work, 0o755)
    try:
        out, roll, page, err = scan_with_report(work)
        rows, rollup = rollup_checks(out, roll, err, work)
        again = os.path.join(work, "again.html")
        p = subprocess.run([BIN, "report", "-o", again, out], capture_output=True)
        check(p.returncode == 0, "starttls-scan report works on the file")
        text, requests = render(page, work, "report")
        dom = Dom()
        dom.feed(text)
        figures_checks(dom, rows, rollup)
        hostile_checks(dom, page, rows)
        check(not requests, "the page fetches nothing: %r" % requests)
        # Without its Content-Security-Policy, still nothing: the page holds no
        # reference to fetch; and the net log does see a page's request.
        bare = os.path.join(work, "bare.html")
        src = open(page).read()
        open(bare, "w").write(src[:src.index("<meta http-equiv")] + src[src.index("<meta name=\"viewport\""):])
        check(not render(bare, work, "bare")[1], "without its CSP, the page fetches nothing")
        probe = os.path.join(work, "probe.html")
        open(probe, "w").write(src.replace("<main>", "<main><img src=\"http://127.0.0.1:9/x.png\">", 1)
                               .replace(src[src.index("<meta http-equiv"):src.index("<meta name=\"viewport\"")], ""))
        seen = render(probe, work, "probe")[1]
        check(any("127.0.0.1:9" in u for u in seen), "the net log sees a page's request: %r" % seen)
        os.makedirs(ARTEFACTS, exist_ok=True)
        shot = os.path.join(ARTEFACTS, "report.png")
        p = chromium("--hide-scrollbars", "--window-size=1280,2000", "--screenshot=" + shot, "file://" + page)
        check(p.returncode == 0 and os.path.getsize(shot) > 20000, "a screenshot: %s" % shot)
        # The README's picture (docs/report.png is one of these): the top, scaled down.
        small = os.path.join(ARTEFACTS, "report-small.png")
        p = chromium("--hide-scrollbars", "--window-size=1400,1500", "--force-device-scale-factor=0.6",
                     "--screenshot=" + small, "file://" + page)
        check(p.returncode == 0 and os.path.getsize(small) > 10000, "the README's picture: %s" % small)
        print("report screenshots: %s, %s" % (os.path.abspath(shot), os.path.abspath(small)), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_rollup_after_interrupt_and_resume():
    """An interrupted scan writes no rollup (it would describe half a scan);
    --resume writes it at its end, from every row, the first run's too."""
    work = tempfile.mkdtemp(prefix="sts-report-")
    out, roll = os.path.join(work, "rows.csv"), os.path.join(work, "rollup.csv")
    inp = os.path.join(work, "in.txt")
    open(inp, "w").write("good.lab.test\nsilent.lab.test\nplain.lab.test\n")
    args = ["ip", "netns", "exec", NS, BIN, "--resolver", "127.0.53.1", "--allow-private", "--ca-file", CA,
            "--retry-delay", "0.5", "-o", out, "--rollup", roll]
    try:
        p = subprocess.Popen(args + ["--banner-timeout", "20", "--timeout", "30", inp], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        time.sleep(1.5)
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=30)
        check(p.returncode == 130 and b"--rollup not written: the scan did not finish" in err and
              not os.path.exists(roll), "an interrupted scan writes no rollup: %d %r" % (p.returncode, err[-300:]))
        p = subprocess.run(args + ["--resume", "--banner-timeout", "1", "--timeout", "3", inp], capture_output=True)
        rollup = read_csv(roll) if os.path.exists(roll) else []
        check(p.returncode == 0 and sorted(r["domain"] for r in rollup) ==
              ["good.lab.test", "plain.lab.test", "silent.lab.test"],
              "--resume writes the rollup of every row: %r %r" % ([r["domain"] for r in rollup], p.stderr[-300:]))
    finally:
        shutil.rmtree(work, ignore_errors=True)
