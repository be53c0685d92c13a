#!/usr/bin/python3
"""UDP load from many flows for the rate-limit tests.

  udpflood.py HOST PORT FLOWS SECONDS
      sends 32-byte datagrams round robin from FLOWS sockets (one source port
      each) as fast as it can for SECONDS; prints a JSON line with the count
      and the CLOCK_MONOTONIC times of the first and last send
"""
import json
import socket
import sys
import time

host, port, flows, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(flows)]
payload = b"x" * 32
sent = 0
first = time.clock_gettime(time.CLOCK_MONOTONIC)
end = first + seconds
last = first
while last < end:
    for s in socks:
        try:
            s.sendto(payload, (host, port))
            sent += 1
        except OSError:
            pass  # a full queue: the next round tries again
    last = time.clock_gettime(time.CLOCK_MONOTONIC)
print(json.dumps({"sent": sent, "first": first, "last": last}))
