#!/usr/bin/python3
"""Small scripted SMTP servers that misbehave in one way each.

Usage: oddsmtp.py SECONDS MODE=ADDR:PORT [MODE=ADDR:PORT ...]
Serves until SECONDS have passed, then exits by itself.
"""
import socket
import sys
import threading
import time


def lines(conn):
    buf = b""
    while True:
        data = conn.recv(4096)
        if not data:
            return
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            yield line.rstrip(b"\r").decode("latin-1")


def serve(mode, conn):
    send = conn.sendall
    if mode == "silent":
        time.sleep(60)
        return
    if mode == "multiline":
        send(b"220-mx-multiline.lab.test first line\r\n220-second line\r\n220 ESMTP ready\r\n")
    else:
        send(b"220 mx-%s.lab.test ESMTP odd\r\n" % mode.encode())
    for line in lines(conn):
        verb = line.split(" ")[0].upper()
        if verb == "QUIT":
            send(b"221 bye\r\n")
            return
        if mode == "421" and verb == "EHLO":
            send(b"421 4.7.0 Too many connections, try again later\r\n")
            return
        if mode == "helo" and verb == "EHLO":
            send(b"502 5.5.2 Error: command not recognized\r\n")
        elif mode == "hangup" and verb == "EHLO":
            return
        elif verb in ("EHLO", "HELO"):
            ext = b"250-mx\r\n250-PIPELINING\r\n250-starttls\r\n250 8BITMIME\r\n"
            send(ext if verb == "EHLO" else b"250 mx\r\n")
        elif verb == "STARTTLS" and mode == "454":
            send(b"454 4.7.0 TLS not available due to local problem\r\n")
        elif verb == "STARTTLS" and mode == "inject":
            send(b"220 2.0.0 Ready to start TLS\r\n250-INJECTED-EVIL\r\n")
            time.sleep(2)
            return
        else:
            send(b"454 4.7.0 TLS not available\r\n" if verb == "STARTTLS" else b"502 5.5.2 unknown\r\n")


def listener(mode, addr, port, deadline):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(64)
    s.settimeout(0.5)
    while time.time() < deadline:
        try:
            conn, _ = s.accept()
        except socket.timeout:
            continue
        conn.settimeout(30)

        def run(c=conn):
            try:
                serve(mode, c)
            except OSError:
                pass
            finally:
                c.close()

        threading.Thread(target=run, daemon=True).start()


def main():
    deadline = time.time() + float(sys.argv[1])
    threads = []
    for spec in sys.argv[2:]:
        mode, where = spec.split("=")
        addr, port = where.rsplit(":", 1)
        t = threading.Thread(target=listener, args=(mode, addr, int(port), deadline), daemon=True)
        t.start()
        threads.append(t)
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
