# SPDX-License-Identifier: GPL-2.0-or-later
"""Monitoring (issue 26): --metrics scraped by a real node_exporter
(textfile collector) and a real Prometheus, both started here inside the
lab's namespace on its loopback, with deploy/prometheus's alerting rules;
every series Prometheus returns is compared with the CSV row (or rollup
row) it came from, and the rules' alerts with the rows that should fire
them."""
import csv
import re
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse
from datetime import datetime, timezone

from labkit import *  # noqa: F401,F403  the shared helpers and BIN, LAB, NS, CA

HERE = os.path.dirname(os.path.abspath(__file__))
DEPLOY = os.path.join(HERE, "..", "..", "deploy", "prometheus")
NODE_PORT, PROM_PORT = 19100, 19090
# A name with a quote and a backslash: an invalid target, whose label must stay one value.
ODD = 'we"ird\\name.lab.test'
DOMAINS = ["good.lab.test", "multi.lab.test", "expired.lab.test", "plain.lab.test", "self.lab.test",
           "tls10.lab.test", "nosuch.lab.test", "nullmx.lab.test", "enforce.sts.test", "nomatch.sts.test",
           "dual.lab.test", ODD]


def start(args, log):
    return subprocess.Popen(["ip", "netns", "exec", NS, *args], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(p):
    if p and p.poll() is None:
        os.kill(p.pid, signal.SIGTERM)
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(p.pid, signal.SIGKILL)
            p.wait()


def api(path, **params):
    """GET Prometheus's HTTP API inside the namespace: the JSON, or None."""
    url = "http://127.0.0.1:%d%s?%s" % (PROM_PORT, path, urllib.parse.urlencode(params))
    code = "import sys,urllib.request;sys.stdout.write(urllib.request.urlopen(sys.argv[1],timeout=5).read().decode())"
    p = in_ns("python3", "-c", code, url, timeout=20)
    try:
        return json.loads(p.stdout) if p.returncode == 0 else None
    except ValueError:
        return None


def series(name):
    """{labels without __name__/instance/job: value} of an instant query."""
    got = api("/api/v1/query", query=name)
    out = {}
    for s in (got or {}).get("data", {}).get("result", []):
        labels = {k: v for k, v in s["metric"].items() if k not in ("__name__", "instance", "job")}
        out[tuple(sorted(labels.items()))] = float(s["value"][1])
    return out


def key(**labels):
    """A series' labels as Prometheus returns them: an empty value is no label."""
    return tuple(sorted((k, v) for k, v in labels.items() if v != ""))


def expected_from_csv(rows):
    """What each per-endpoint family must hold, from the CSV rows."""
    exp = {n: {} for n in ("success", "status", "version", "not_after", "chain")}
    for r in rows:
        ep = dict(domain=r["domain"], host=r["mx_host"], address=r["ip"], port=r["port"], protocol=r["protocol"])
        exp["success"][key(**ep)] = 1.0 if r["status"] == "ok" else 0.0
        exp["status"][key(status=r["status"], **ep)] = 1.0
        if r["tls_version"]:
            exp["version"][key(version=r["tls_version"], **ep)] = 1.0
        if r["cert_not_after"]:
            t = datetime.strptime(r["cert_not_after"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
            exp["not_after"][key(**ep)] = float(int(t.timestamp()))
        if r["chain_valid"]:
            exp["chain"][key(**ep)] = 1.0 if r["chain_valid"] == "yes" else 0.0
    return exp


def wait_for(what, fn, seconds=60):
    end = time.time() + seconds
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.5)
    check(False, "in %d s: %s" % (seconds, what))
    return None


def prometheus_config(tmp, rules):
    path = os.path.join(tmp, "prometheus.yml")
    with open(path, "w") as f:
        f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                "rule_files:\n  - %s\n"
                "scrape_configs:\n  - job_name: node\n    static_configs:\n"
                "      - targets: ['127.0.0.1:%d']\n" % (rules, NODE_PORT))
    return path


def scan_into(tmp):
    textdir = os.path.join(tmp, "textfile")
    os.makedirs(textdir)
    out, rollup = os.path.join(tmp, "scan.csv"), os.path.join(tmp, "rollup.csv")
    prom = os.path.join(textdir, "starttls-scan.prom")
    p = in_ns(BIN, "--resolver", "127.0.53.1", "--ca-file", CA, "--allow-private", "-q", "-o", out,
              "--rollup", rollup, "--metrics", prom, stdin=("\n".join(DOMAINS) + "\n").encode())
    check(p.returncode == 0, "the scan ran: %d %s" % (p.returncode, p.stderr))
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    with open(rollup, newline="") as f:
        grades = {r["domain"]: r["grade"] for r in csv.DictReader(f)}
    return textdir, prom, rows, grades


def check_series(rows, grades):
    exp = expected_from_csv(rows)
    names = {"success": "starttls_probe_success", "status": "starttls_probe_status_info",
             "version": "starttls_tls_version_info", "not_after": "starttls_cert_not_after_timestamp_seconds",
             "chain": "starttls_cert_chain_valid"}
    for short, name in names.items():
        got = series(name)
        check(got == exp[short], "%s: Prometheus has exactly the CSV's series:\n  got  %r\n  want %r" %
              (name, sorted(got.items()), sorted(exp[short].items())))
    got = series("starttls_domain_grade_info")
    check(got == {key(domain=d, grade=g): 1.0 for d, g in grades.items()},
          "a grade series per rollup row: %r vs %r" % (sorted(got), sorted(grades.items())))
    check(series("starttls_mta_sts_valid") == {key(domain="enforce.sts.test"): 1.0,
                                               key(domain="nomatch.sts.test"): 0.0},
          "MTA-STS: enforce.sts.test passes, nomatch.sts.test does not")
    counts_ = series("starttls_scan_rows")
    for st in set(r["status"] for r in rows):
        check(counts_.get(key(status=st)) == sum(r["status"] == st for r in rows), "rows with status %s" % st)
    check(series("node_textfile_scrape_error") == {(): 0.0}, "node_exporter read the file without error")
    odd = [k for k in series("starttls_probe_status_info") if dict(k)["domain"] == ODD.replace("\\", "\\x5c")]
    check(len(odd) == 1, "the name with a quote and a backslash is one label value: %r" % odd)


def alerts_by_name():
    got = api("/api/v1/alerts") or {}
    out = {}
    for a in got.get("data", {}).get("alerts", []):
        if a.get("state") == "firing":
            out.setdefault(a["labels"]["alertname"], set()).add((a["labels"].get("domain"), a["labels"].get("host")))
    return out


def check_alerts(rows):
    want_expired = {(r["domain"], r["mx_host"]) for r in rows if r["cert_days_left"] and int(r["cert_days_left"]) < 7}
    want_plain = {(r["domain"], r["mx_host"]) for r in rows if r["status"] in ("no_starttls", "starttls_refused")}
    check(want_expired and want_plain, "the lab has an expired certificate and a server without STARTTLS")

    def ready():
        a = alerts_by_name()
        return a if a.get("StarttlsCertificateExpiresWithin7Days") and a.get("StarttlsNotOffered") else None
    alerts = wait_for("the rules' alerts fire", ready) or {}
    check(alerts.get("StarttlsCertificateExpiresWithin7Days") == want_expired,
          "ExpiresWithin7Days fires for exactly %r: %r" % (want_expired, alerts.get("StarttlsCertificateExpiresWithin7Days")))
    check(alerts.get("StarttlsNotOffered") == want_plain,
          "NotOffered fires for exactly %r: %r" % (want_plain, alerts.get("StarttlsNotOffered")))
    check(alerts.get("StarttlsMtaStsBroken") == {("nomatch.sts.test", None)},
          "MtaStsBroken for nomatch.sts.test only: %r" % alerts.get("StarttlsMtaStsBroken"))
    check("StarttlsScanStale" not in alerts, "a fresh scan is not stale")


def test_prometheus_scrapes_the_metrics():
    for tool in ("prometheus", "prometheus-node-exporter", "promtool"):
        if not shutil.which(tool):
            check(False, "%s is installed (make test installs it)" % tool)
            return
    tmp = tempfile.mkdtemp(prefix="sts-prom-")
    os.chmod(tmp, 0o755)
    node = prom = None
    try:
        textdir, prom_file, rows, grades = scan_into(tmp)
        text = open(prom_file).read()
        c = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
        check(c.returncode == 0, "promtool check metrics: %s" % c.stderr)
        log = open(os.path.join(tmp, "servers.log"), "w")
        node = start(["prometheus-node-exporter", "--web.listen-address=127.0.0.1:%d" % NODE_PORT,
                      "--collector.disable-defaults", "--collector.textfile",
                      "--collector.textfile.directory=" + textdir], log)
        cfg = prometheus_config(tmp, os.path.abspath(os.path.join(DEPLOY, "starttls-scan.rules.yml")))
        prom = start(["prometheus", "--config.file=" + cfg, "--storage.tsdb.path=" + os.path.join(tmp, "tsdb"),
                      "--web.listen-address=127.0.0.1:%d" % PROM_PORT], log)
        if wait_for("Prometheus has scraped the file", lambda: series("starttls_scan_info")):
            check_series(rows, grades)
            check_alerts(rows)
    finally:
        stop(prom)
        stop(node)
        shutil.rmtree(tmp, ignore_errors=True)


def parse_text(text):
    """{(name, labels): value} of a text exposition (our own lines: one sample a line)."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([a-z_]+)(?:\{(.*)\})? (\S+)$', line)
        check(m, "a sample line: %r" % line)
        if not m:
            continue
        labels = re.findall(r'([a-z_]+)="((?:[^"\\]|\\.)*)"', m.group(2) or "")
        out[(m.group(1), key(**{k: v.replace('\\"', '"').replace("\\\\", "\\") for k, v in labels}))] = float(m.group(3))
    return out


def test_metrics_aggregate_replaced_and_refused():
    tmp = tempfile.mkdtemp(prefix="sts-prom-")
    try:
        out, prom = os.path.join(tmp, "scan.csv"), os.path.join(tmp, "m.prom")
        base = [BIN, "--resolver", "127.0.53.1", "--ca-file", CA, "--allow-private", "-q", "--overwrite", "-o", out]
        stdin = ("\n".join(DOMAINS) + "\n").encode()
        check(in_ns(*base, "--metrics", prom, stdin=stdin).returncode == 0, "a full --metrics run")
        first = open(prom).read()
        # The second run replaces the file the first wrote, without --overwrite.
        p = in_ns(*base[:-2], "-o", out + "2", "--metrics", prom, "--metrics-aggregate", stdin=stdin)
        check(p.returncode == 0, "an aggregate run over the last one's file: %s" % p.stderr)
        text = open(prom).read()
        check(text != first and "starttls_probe_success" not in text and "starttls_tls_version_info" not in text,
              "--metrics-aggregate: no per-endpoint series")
        got = parse_text(text)
        with open(out + "2", newline="") as f:
            rows = list(csv.DictReader(f))
        soonest = {}
        for r in rows:
            if r["cert_not_after"]:
                t = int(datetime.strptime(r["cert_not_after"], "%Y-%m-%dT%H:%M:%SZ")
                        .replace(tzinfo=timezone.utc).timestamp())
                soonest[r["domain"]] = min(soonest.get(r["domain"], t), t)
        want = {key(domain=d): float(t) for d, t in soonest.items()}
        have = {k[1]: v for k, v in got.items() if k[0] == "starttls_domain_cert_not_after_min_timestamp_seconds"}
        check(have == want and len(want) >= 8, "the soonest notAfter per domain: %r vs %r" % (have, want))
        for st in set(r["status"] for r in rows):
            check(got.get(("starttls_scan_rows", key(status=st))) == sum(r["status"] == st for r in rows),
                  "aggregate: rows with status %s" % st)
        c = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
        check(c.returncode == 0, "promtool check metrics (aggregate): %s" % c.stderr)
        # A file --metrics did not write is left alone.
        other = os.path.join(tmp, "notes.txt")
        with open(other, "w") as f:
            f.write("my notes\n")
        p = in_ns(*base[:-3], "-o", out + "3", "--metrics", other, stdin=stdin)
        check(p.returncode == 2 and b"not a file that --metrics wrote" in p.stderr and
              open(other).read() == "my notes\n", "a file --metrics did not write is refused: %s" % p.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
