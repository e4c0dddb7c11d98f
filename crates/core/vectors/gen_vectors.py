#!/usr/bin/env python3
"""Regenerates socklab-core's golden vectors from CPython 3.11.

    python3 crates/core/vectors/gen_vectors.py

Writes crates/core/vectors/byteorder.json: every case with CPython's answer. The cases walk
every boundary the conversions care about (8/16/32/64/128 bits, C int/long limits, signs),
the type errors, and the literal syntax errors. Commit the result; tests/cpython.rs replays it.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from oracle import write_vectors  # noqa: E402

if sys.version_info[:2] != (3, 11):
    sys.exit(f"gen_vectors.py: needs CPython 3.11 (the reference), not {sys.version.split()[0]}")


def boundary_ints():
    values = {0, 1, 2, 255, 256, 1000, 70000}
    for bits in (7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 129, 200):
        for delta in (-1, 0, 1):
            values.add(2**bits + delta)
    values |= {-v for v in values}
    return sorted(values)


def literals():
    ints = [str(v) for v in boundary_ints()]
    ints += [hex(v) for v in boundary_ints()[::3]]
    odd = ["True", "False", "None", "1.5", "-0.0", "'1'", "b'\\x01'", "0x7f", "0b1010", "0o17",
           "1_000", "- 5", "+0x10"]
    return ints + odd


def cases():
    args = literals()
    for fn in ("htons", "ntohs", "htonl", "ntohl"):
        for a in args:
            yield {"fn": fn, "arg": a}
    for a in args:
        for length in (1, 2, 4, 8, 16):
            for order in ("big", "little"):
                for signed in (False, True):
                    if "'" in a or a in ("None", "1.5", "-0.0"):
                        continue  # int methods only: the page never calls them on other types
                    yield {"fn": "to_bytes", "arg": a, "length": length, "order": order, "signed": signed}
    for a in args:
        for prefix in "@=<>!":
            for code in "bBhHiIlLqQ":
                yield {"fn": "pack", "fmt": prefix + code, "arg": a}
    for hexs in ("", "00", "01", "7f", "80", "ff", "0100", "ff7f", "0080", "ffff", "00000001",
                 "80000000", "ffffffff", "0102030405060708", "8000000000000000", "ff" * 16, "80" + "00" * 15):
        for order in ("big", "little"):
            for signed in (False, True):
                yield {"fn": "from_bytes", "hex": hexs, "order": order, "signed": signed}
    for hexs in ("", "01", "0100", "ffff", "00000100", "ffffffff", "0000000000000100", "ff" * 8, "00" * 9):
        for prefix in "@=<>!":
            for code in "bBhHiIlLqQ":
                yield {"fn": "unpack", "fmt": prefix + code, "hex": hexs}
    for text in ("0x", "007", "1_", "0b2", "12abc", "1__0", "0_0", "00", "0o8", "0xg", "0b", "0x_",
                 "abc", "1.5.5", "b'abc", "inf", "-inf", "0X_ff", "0b_1", "0o_7"):
        yield {"fn": "literal", "arg": text}


def main():
    write_vectors(cases(), "byteorder.json")


if __name__ == "__main__":
    main()
