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


NAGIOS_MAIN = """log_file={d}/nagios.log
cfg_file={d}/objects.cfg
cfg_file={d}/starttls-scan.cfg
object_cache_file={d}/objects.cache
precached_object_file={d}/objects.precache
resource_file={d}/resource.cfg
status_file={d}/status.dat
status_update_interval=1
nagios_user=nagios
nagios_group=nagios
check_external_commands=0
command_file={d}/nagios.cmd
lock_file={d}/nagios.lock
temp_file={d}/nagios.tmp
temp_path={d}
check_result_path={d}/checkresults
state_retention_file={d}/retention.dat
retain_state_information=0
use_syslog=0
interval_length=1
max_service_check_spread=1
max_host_check_spread=1
service_inter_check_delay_method=n
host_inter_check_delay_method=n
check_result_reaper_frequency=1
execute_host_checks=0
enable_notifications=0
enable_flap_detection=0
illegal_macro_output_chars=`~$&|'"<>
"""

NAGIOS_OBJECTS = """define timeperiod {{
    timeperiod_name always
    alias always
    sunday 00:00-24:00
    monday 00:00-24:00
    tuesday 00:00-24:00
    wednesday 00:00-24:00
    thursday 00:00-24:00
    friday 00:00-24:00
    saturday 00:00-24:00
}}
define contact {{
    contact_name nobody
    host_notifications_enabled 0
    service_notifications_enabled 0
    host_notification_period always
    service_notification_period always
    host_notification_options n
    service_notification_options n
    host_notification_commands none
    service_notification_commands none
}}
define command {{
    command_name none
    command_line /bin/true
}}
{hosts}
{services}
"""

# (host, its address, its mail domain, service, check_command, the state wanted)
NAGIOS_CHECKS = [
    ("good", "mx-good.lab.test", "good.lab.test", "server", "check_starttls!smtp!21!7!{opts}", 0),
    ("good", "mx-good.lab.test", "good.lab.test", "server-w", "check_starttls!smtp!3650!7!{opts}", 1),
    ("good", "mx-good.lab.test", "good.lab.test", "domain", "check_starttls_mail_domain!21!7!{opts}", 0),
    ("expired", "mx-expired.lab.test", "expired.lab.test", "domain", "check_starttls_mail_domain!21!7!{opts}", 2),
    ("multi", "mx-good.lab.test", "multi.lab.test", "domain", "check_starttls_mail_domain!21!7!{opts}", 2),
    ("wrongname", "mx-wrongname.lab.test", "wrongname.lab.test", "domain",
     "check_starttls_mail_domain!21!7!--warn-only name {opts}", 1),
    ("nosuch", "mx-good.lab.test", "nosuch.lab.test", "domain", "check_starttls_mail_domain!21!7!{opts}", 3),
]


def nagios_objects():
    hosts, services = [], []
    for host, address, domain, _, _, _ in NAGIOS_CHECKS:
        h = "define host {\n    host_name %s\n    address %s\n    _mail_domain %s\n    max_check_attempts 1\n" \
            "    check_period always\n    contacts nobody\n    notification_period always\n}" % (host, address, domain)
        if h not in hosts:
            hosts.append(h)
    opts = "--resolver 127.0.53.1 --ca-file %s --ehlo nagios.lab.test" % CA
    for host, _, _, desc, command, _ in NAGIOS_CHECKS:
        services.append("define service {\n    use starttls-service\n    host_name %s\n    service_description %s\n    check_command %s\n"
                        "    max_check_attempts 1\n    check_interval 3600\n    retry_interval 3600\n"
                        "    check_period always\n    contacts nobody\n    notification_period always\n}"
                        % (host, desc, command.format(opts=opts)))
    return NAGIOS_OBJECTS.format(hosts="\n".join(hosts), services="\n".join(services))


def nagios_status(path):
    """{(host, service): {field: value}} from Nagios's status.dat."""
    out, block = {}, None
    try:
        text = open(path).read()
    except FileNotFoundError:
        return out
    for line in text.splitlines():
        line = line.strip()
        if line == "servicestatus {":
            block = {}
        elif line == "}" and block is not None:
            out[(block.get("host_name"), block.get("service_description"))] = block
            block = None
        elif block is not None and "=" in line:
            k, v = line.split("=", 1)
            block[k] = v
    return out


def nagios_setup(d):
    os.makedirs(os.path.join(d, "checkresults"))
    with open(os.path.join(d, "nagios.cfg"), "w") as f:
        f.write(NAGIOS_MAIN.format(d=d))
    with open(os.path.join(d, "objects.cfg"), "w") as f:
        f.write(nagios_objects())
    with open(os.path.join(d, "resource.cfg"), "w") as f:
        f.write("$USER1$=/usr/lib/nagios/plugins\n")
    cfg = open(os.path.join(HERE, "..", "..", "deploy", "nagios", "starttls-scan.cfg")).read()
    with open(os.path.join(d, "starttls-scan.cfg"), "w") as f:
        f.write(cfg.replace("/usr/bin/starttls-scan", BIN))
    subprocess.run(["chown", "-R", "nagios:nagios", d], check=True)


def test_nagios_core_runs_the_plugin():
    nagios = shutil.which("nagios4") or "/usr/sbin/nagios4"
    if not os.path.exists(nagios):
        check(False, "nagios4 is installed (make test installs nagios4-core)")
        return
    d = tempfile.mkdtemp(prefix="sts-nagios-")
    os.chmod(d, 0o755)
    p = None
    try:
        nagios_setup(d)
        v = subprocess.run([nagios, "-v", os.path.join(d, "nagios.cfg")], capture_output=True, text=True)
        check(v.returncode == 0, "nagios4 -v accepts deploy/nagios/starttls-scan.cfg: %s" % v.stdout[-800:])
        log = open(os.path.join(d, "run.log"), "w")
        p = start([nagios, os.path.join(d, "nagios.cfg")], log)
        want = {(h, s): st for h, _, _, s, _, st in NAGIOS_CHECKS}

        def all_checked():
            st = nagios_status(os.path.join(d, "status.dat"))
            done = {k: b for k, b in st.items() if b.get("has_been_checked") == "1"}
            return done if len(done) == len(want) else None
        done = wait_for("Nagios ran every service check", all_checked, seconds=90) or {}
        for k, state in want.items():
            b = done.get(k, {})
            check(b.get("current_state") == str(state),
                  "%s/%s: state %s, want %d: %s" % (k[0], k[1], b.get("current_state"), state, b.get("plugin_output")))
            out = b.get("plugin_output", "")
            check(out.startswith("STARTTLS %s - " % ("OK", "WARNING", "CRITICAL", "UNKNOWN")[state]),
                  "%s/%s: the status line: %r" % (k[0], k[1], out))
        good = done.get(("good", "server"), {})
        perf = good.get("performance_data", "")
        days = next((r.split("=")[1] for r in perf.split() if r.startswith("days_left=")), "")
        _, _, facts = scan_facts("good.lab.test")
        check(days == "%s;21;7;0;" % facts, "days_left perfdata is the CSV's days left: %r vs %r" % (perf, facts))
        check("handshake=" in perf, "handshake time in the perfdata: %r" % perf)
        multi = done.get(("multi", "domain"), {})
        check(multi.get("long_plugin_output", "").count("[OK]") == 2 and
              "[CRITICAL] mx-plain.lab.test" in multi.get("long_plugin_output", "") and
              "(1 of 3 addresses CRITICAL)" in multi.get("plugin_output", ""),
              "every address in the long output, the worst wins: %r" % multi)
    finally:
        stop(p)
        shutil.rmtree(d, ignore_errors=True)


def test_nagios_lines_carry_no_server_markup():
    """A server's '|' would start the perfdata, its escape bytes reach a web UI: neither passes."""
    p = in_ns(BIN, "check", "--nagios", "127.0.2.25:25", timeout=60)
    out = p.stdout.decode(errors="replace")
    lines = out.splitlines()
    check(p.returncode == 2 and len(lines) == 2 and lines[0].startswith("STARTTLS CRITICAL - ") and
          "|" not in out and "\x1b" not in out and "TLS not / available ?[31mred" in lines[0],
          "the server's '|' and escape bytes are not passed on: %r" % out)


def scan_facts(domain):
    rows, _, _, _ = scan([domain], "--allow-private")
    r = rows[0] if rows else {}
    return r.get("status"), r.get("tls_version"), r.get("cert_days_left")
