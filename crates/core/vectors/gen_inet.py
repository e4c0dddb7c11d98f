#!/usr/bin/env python3
"""Regenerates socklab-core's golden vectors for inet_aton/ntoa/pton/ntop from CPython 3.11.

    python3 crates/core/vectors/gen_inet.py

Writes crates/core/vectors/inet.json. The texts walk glibc's legacy inet_aton forms (fewer
parts, octal, hex, one big number, trailing text), inet_pton's strict dotted quad, IPv6 with
every compression and embedded IPv4, zone ids, and malformed input; the packed inputs walk
every zero-run shape inet_ntop compresses. Nothing here touches the network.
"""
import itertools
import os
import random
import sys

sys.path.insert(0, os.path.dirname(__file__))
from oracle import write_vectors  # noqa: E402

if sys.version_info[:2] != (3, 11):
    sys.exit(f"gen_inet.py: needs CPython 3.11 (the reference), not {sys.version.split()[0]}")

V4_TEXTS = [
    "127.0.0.1", "0.0.0.0", "255.255.255.255", "256.0.0.1", "1.2.3", "1.2", "1", "127.1",
    "0x7f.0.0.1", "0X7F.1", "017.0.0.1", "08.0.0.1", "0x", "0x.1.2.3", "0xg", "2130706433",
    "4294967295", "4294967296", "18446744073709551616", "1.16777215", "1.16777216", "1.2.65535",
    "1.2.65536", "127.0.0.1 junk", "127.0.0.1\tx", "127.0.0.1\n", "127.0.0.1junk", " 127.0.0.1",
    "127.0.0.1.", ".1.2.3", "1..2.3", "1.2.3.4.5", "", "+1.2.3.4", "-1.2.3.4", "01.02.03.04",
    "1.2.3.04", "0.0.0.00", "00", "0", "1.2.3.256", "a.b.c.d", "localhost", "127.0.0.1/8",
    "1e2.0.0.1", "0377.0377.0377.0377", "0400.0.0.1", "0x100.0.0.1", "0xffffffff", "0x1ffffffff",
    "1.0xffffff", "1.0x1000000", "١٢٧.0.0.1", "127.0.0.1\u00a0x",
]
V6_TEXTS = [
    "::", "::1", "1::", "::ffff:1.2.3.4", "::1.2.3.4", "::ffff:0:1.2.3.4", "fe80::1", "FE80::1",
    "fe80::1%eth0", "fe80::1%1", "2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001",
    "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7:8::", ":1", "1:", ":::", "1:::2", "1::2::3", "12345::", "1:2:3:4:5:6:1.2.3.4",
    "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "::1.2.3.4.5", "::01.2.3.4", "::256.1.1.1", "g::",
    "0:0:0:0:0:0:0:0", "::ffff:127.0.0.1", "::ffff:7f00:1", "[::1]", "::1 ", " ::1", "",
    "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", "0000::", "::00000",
]


def packed16():
    rng = random.Random(5952)
    shapes = []
    for zeros in itertools.product([0, 1], repeat=8):
        words = [0 if z else rng.randrange(1, 0x10000) for z in zeros]
        shapes.append(words)
    shapes.append([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304])
    shapes.append([0, 0, 0, 0, 0, 0, 0x0102, 0x0304])
    shapes.append([0, 0, 0, 0, 0, 0, 0, 0x0102])
    shapes.append([0, 0, 0, 0, 0, 0xffff, 0, 0])
    shapes.append([0, 0, 0, 0, 0xffff, 0, 0x0102, 0x0304])
    shapes.append([0, 0, 0, 0, 0, 0xfffe, 0x0102, 0x0304])
    return ["".join(f"{w:04x}" for w in words) for words in shapes]


def cases():
    for text in V4_TEXTS:
        yield {"fn": "inet_aton", "text": text}
        yield {"fn": "inet_pton", "family": 2, "text": text}
    for text in V6_TEXTS:
        yield {"fn": "inet_pton", "family": 10, "text": text}
        yield {"fn": "inet_aton", "text": text}
    for h in ["7f000001", "00000000", "ffffffff", "c0a80001", "", "7f", "7f00000100"]:
        yield {"fn": "inet_ntoa", "hex": h}
        yield {"fn": "inet_ntop", "family": 2, "hex": h}
        yield {"fn": "inet_ntop", "family": 10, "hex": h}
    for h in packed16():
        yield {"fn": "inet_ntop", "family": 10, "hex": h}
        yield {"fn": "inet_ntop", "family": 2, "hex": h}


def main():
    write_vectors(cases(), "inet.json")


if __name__ == "__main__":
    main()
