#!/usr/bin/python3
"""Tiny traffic tool for the demo and the end-to-end tests.

  netprobe.py serve tcp:22 tcp:80 udp:53 ...   accept TCP, echo UDP, until killed
  netprobe.py probe HOST tcp:22 udp:53 ...     one attempt each; prints one JSON line per target

A target "passed" when the server answered (TCP connected, UDP echoed) and
"blocked" when nothing came back within the timeout.
"""
import json
import select
import socket
import sys
import time

TIMEOUT = 1.0


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def serve(targets):
    socks = []
    for t in targets:
        proto, port = t.split(":")
        for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
            kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
            s = socket.socket(fam, kind)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if fam == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s.bind((addr, int(port)))
            if proto == "tcp":
                s.listen(64)
            socks.append((proto, s))
    print("ready", flush=True)
    while True:
        ready, _, _ = select.select([s for _, s in socks], [], [], 1.0)
        for s in ready:
            proto = next(p for p, x in socks if x is s)
            if proto == "tcp":
                c, _ = s.accept()
                c.close()
            else:
                data, peer = s.recvfrom(2048)
                s.sendto(data, peer)


def probe(host, targets):
    ok = True
    for t in targets:
        proto, port = t.split(":")
        start = time.monotonic()
        fam = family(host)
        if proto == "tcp":
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.settimeout(TIMEOUT)
            try:
                s.connect((host, int(port)))
                result = "passed"
            except ConnectionRefusedError:
                result = "passed"  # the SYN reached the host; nothing listened
            except OSError:
                result = "blocked"
            finally:
                s.close()
        else:
            s = socket.socket(fam, socket.SOCK_DGRAM)
            s.settimeout(TIMEOUT)
            try:
                s.sendto(b"sentinel-probe", (host, int(port)))
                s.recvfrom(2048)
                result = "passed"
            except OSError:
                result = "blocked"
            finally:
                s.close()
        ms = int((time.monotonic() - start) * 1000)
        print(json.dumps({"target": f"{proto}:{port}", "host": host, "result": result, "ms": ms}),
              flush=True)
    return ok


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("serve", "probe"):
        print(__doc__, file=sys.stderr)
        return 2
    if sys.argv[1] == "serve":
        serve(sys.argv[2:])
    else:
        probe(sys.argv[2], sys.argv[3:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
