#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The lab's OAuth2 token introspection endpoint (RFC 7662) for dovecot's
oauth2 passdb: POST /introspect with token=..., the one good token is
active for labuser, anything else is not.
Usage: introspect.py ADDRESS PORT GOOD_TOKEN"""
import json
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

ADDR, PORT, GOOD = sys.argv[1], int(sys.argv[2]), sys.argv[3]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        n = min(int(self.headers.get("Content-Length", "0") or 0), 65536)
        form = urllib.parse.parse_qs(self.rfile.read(n).decode("utf-8", "replace"))
        token = (form.get("token") or [""])[0]
        body = {"active": True, "username": "labuser"} if token == GOOD else {"active": False}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        sys.stderr.write("introspect: " + fmt % args + "\n")


HTTPServer((ADDR, PORT), Handler).serve_forever()
