#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A scripted HTTPS server for MTA-STS policies nginx would serve whole
(issue 23, B6): bodies that stall or are cut, a chunked body without its
last chunk, media types other than text/plain, 1xx interim responses.

Usage: oddhttps.py SECONDS CERT_PEM ADDR
The behaviour is chosen by the Host header, mta-sts.NAME.sts.test (BEHAVIOURS).
Serves until SECONDS have passed."""
import socket
import ssl
import sys
import threading
import time

POLICY = b"version: STSv1\r\nmode: enforce\r\nmax_age: 86400\r\nmx: mx-other.lab.test\r\nmx: mx-good.lab.test\r\n"
# The first 60 octets: the mode and max_age, and the mx line that is not the MX host.
HALF = POLICY[:POLICY.index(b"mx: mx-good")]
HOLD = 25  # seconds a stalled answer keeps the connection open


def head(status=b"200 OK", ctype=b"text/plain", extra=b""):
    line = b"HTTP/1.1 " + status + b"\r\n"
    if ctype is not None:
        line += b"Content-Type: " + ctype + b"\r\n"
    return line + extra


BEHAVIOURS = {
    # Content-Length says more than arrives; then the server waits.
    "stall": lambda: (head(extra=b"Content-Length: %d\r\n\r\n" % len(POLICY)) + HALF, "hold"),
    # Content-Length says more than arrives; then the server closes.
    "cutlen": lambda: (head(extra=b"Content-Length: %d\r\n\r\n" % len(POLICY)) + HALF, "close"),
    # Chunked, without the last (zero-size) chunk.
    "nolast": lambda: (head(extra=b"Transfer-Encoding: chunked\r\n\r\n") + b"%x\r\n" % len(POLICY) + POLICY + b"\r\n",
                       "close"),
    # Delimited by the close, which never comes.
    "noclose": lambda: (head(extra=b"\r\n") + POLICY, "hold"),
    "html": lambda: (head(ctype=b"text/html", extra=b"Content-Length: %d\r\n\r\n" % len(POLICY)) + POLICY, "close"),
    "notype": lambda: (head(ctype=None, extra=b"Content-Length: %d\r\n\r\n" % len(POLICY)) + POLICY, "close"),
    "plainx": lambda: (head(ctype=b"text/plainx", extra=b"Content-Length: %d\r\n\r\n" % len(POLICY)) + POLICY,
                       "close"),
    # Interim responses first, then the policy whole (a parameter on its media type).
    "interim": lambda: (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x.css>\r\n\r\n" +
                        head(ctype=b"text/plain; charset=utf-8",
                             extra=b"Content-Length: %d\r\n\r\n" % len(POLICY)) + POLICY, "close"),
}


def serve(conn):
    try:
        conn.settimeout(10)
        req = b""
        while b"\r\n\r\n" not in req and len(req) < 8192:
            chunk = conn.recv(4096)
            if not chunk:
                return
            req += chunk
        host = b""
        for line in req.split(b"\r\n"):
            if line.lower().startswith(b"host:"):
                host = line[5:].strip()
        name = host.decode("latin-1").split(".")[1] if host.count(b".") >= 3 else ""
        make = BEHAVIOURS.get(name)
        if not make:
            conn.sendall(head(status=b"404 Not Found", extra=b"Content-Length: 0\r\n\r\n"))
            return
        data, then = make()
        conn.sendall(data)
        if then == "hold":
            time.sleep(HOLD)
    except (OSError, ssl.SSLError):
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def handshake_and_serve(ctx, raw):
    try:
        raw.settimeout(10)
        conn = ctx.wrap_socket(raw, server_side=True)
    except (OSError, ssl.SSLError):
        raw.close()
        return
    serve(conn)


def main():
    deadline = time.time() + float(sys.argv[1])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[2])
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((sys.argv[3], 443))
    s.listen(32)
    s.settimeout(0.5)
    while time.time() < deadline:
        try:
            raw, _ = s.accept()
        except socket.timeout:
            continue
        threading.Thread(target=handshake_and_serve, args=(ctx, raw), daemon=True).start()


if __name__ == "__main__":
    main()
