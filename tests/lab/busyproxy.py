#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A busy server in front of a real one (issue 23, B8): every second
connection gets a plaintext "421 too many connections" and is closed, as a
busy exim does on its implicit-TLS port; the others are passed through.

Usage: busyproxy.py SECONDS LISTEN_ADDR:PORT TARGET_ADDR:PORT
Serves until SECONDS have passed; prints one line per connection."""
import socket
import sys
import threading
import time


def pipe(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    finally:
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def relay(conn, target):
    try:
        up = socket.create_connection(target, timeout=10)
    except OSError:
        conn.close()
        return
    t = threading.Thread(target=pipe, args=(up, conn), daemon=True)
    t.start()
    pipe(conn, up)
    t.join(15)
    conn.close()
    up.close()


def addr(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def main():
    deadline = time.time() + float(sys.argv[1])
    target = addr(sys.argv[3])
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(addr(sys.argv[2]))
    s.listen(64)
    s.settimeout(0.5)
    n = 0
    while time.time() < deadline:
        try:
            conn, _ = s.accept()
        except socket.timeout:
            continue
        n += 1
        if n % 2 == 0:
            print("busy", n, flush=True)
            try:
                conn.sendall(b"421 4.7.0 mail.example too many connections, try again later\r\n")
            except OSError:
                pass
            conn.close()
            continue
        print("relay", n, flush=True)
        threading.Thread(target=relay, args=(conn, target), daemon=True).start()


if __name__ == "__main__":
    main()
