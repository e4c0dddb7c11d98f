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
    for text in CLASSIFY:
        yield {"fn": "classify", "text": text}
    for family, items in TUPLES:
        for caller in ("bind", "connect") if items[0] != "'127.0.0.1'" or len(items) != 2 or items[1] != "0" else ("bind",):
            if caller == "connect" and any(x in items[0] for x in ("''", "10.0", "192.0", "2001", "broadcast", "255")):
                continue  # connect only ever goes to loopback
            yield {"fn": "check_tuple", "family": family, "items": items, "caller": caller}
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


CLASSIFY = [
    "0.0.0.0", "127.0.0.1", "127.255.255.255", "10.1.2.3", "172.16.0.1", "172.32.0.1",
    "192.168.1.1", "169.254.169.254", "100.64.0.1", "100.128.0.1", "192.0.0.1", "192.0.0.8",
    "192.0.0.170", "192.0.0.171", "192.0.0.172", "192.0.2.1", "198.18.0.1", "198.51.100.7",
    "203.0.113.9", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "8.8.8.8",
    "1.1.1.1", "::", "::1", "::2", "::ffff:127.0.0.1", "::ffff:8.8.8.8", "::ffff:10.0.0.1",
    "fe80::1", "febf::1", "fec0::1", "fc00::1", "fd12:3456::1", "ff02::1", "2001:db8::1",
    "2001::1", "2001:1ff::1", "2001:200::1", "2001:2::1", "2001:10::1", "2001:20::1", "100::1",
    "100:0:0:1::1", "2606:4700::1111", "2a00:1450::1", "4000::1", "e000::1", "fe00::1", "::8.8.8.8",
]

# (family, items, caller): hosts that need no resolver; valid tuples bind only port 0 on local
# addresses, or fail in the kernel with EADDRNOTAVAIL on addresses this machine does not have.
TUPLES = [
    (2, ["'127.0.0.1'", "0"]), (2, ["''", "0"]), (2, ["'127.1'", "0"]), (2, ["'10.0.0.1'", "80"]),
    (2, ["'192.0.2.1'", "65535"]), (2, ["'127.0.0.1'", "65536"]), (2, ["'127.0.0.1'", "-1"]),
    (2, ["'127.0.0.1'", "1099511627776"]), (2, ["'127.0.0.1'", "'80'"]), (2, ["'127.0.0.1'", "80.0"]),
    (2, ["'127.0.0.1'", "None"]), (2, ["'127.0.0.1'"]), (2, ["'127.0.0.1'", "0", "0"]),
    (2, ["127", "0"]), (2, ["None", "0"]), (2, ["b'127.0.0.1'", "0"]), (2, ["'<broadcast>'", "99999"]),
    (2, ["'255.255.255.255'", "-5"]), (2, ["'127.0.0.1'", "True"]), (2, ["'a\\x00b'", "0"]),
    (10, ["'::1'", "0"]), (10, ["'::1'", "0", "0", "0"]), (10, ["'::1'", "0", "1048575"]),
    (10, ["'::1'", "0", "1048576"]), (10, ["'::1'", "0", "-1"]), (10, ["'::1'", "0", "0", "8589934592"]),
    (10, ["'::1'", "70000", "'x'"]), (10, ["'::1'", "0", "'x'"]), (10, ["'::1'", "0", "1.5"]),
    (10, ["'<broadcast>'", "0"]), (10, ["'255.255.255.255'", "0"]), (10, ["''", "0"]),
    (10, ["'::1'"]), (10, ["'::1'", "0", "0", "0", "0"]), (10, ["'2001:db8::1'", "443"]),
    (10, ["'::1'", "65536"]), (10, ["'::ffff:127.0.0.1'", "0"]), (10, ["1", "0"]),
]


def main():
    write_vectors(cases(), "inet.json")


if __name__ == "__main__":
    main()
