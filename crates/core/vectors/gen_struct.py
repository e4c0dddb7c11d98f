#!/usr/bin/env python3
"""Regenerates socklab-core's golden vectors for the struct module from CPython 3.11.

    python3 crates/core/vectors/gen_struct.py

Writes crates/core/vectors/struct.json: every case with CPython's answer. The cases walk every
format code under every prefix, repeat counts (0 included), alignment, whitespace, each value
type against each code, the boundaries of every integer width and of the float formats, and
every error path of calcsize, pack, unpack, pack_into, unpack_from and iter_unpack.
Commit the result; tests/cpython.rs replays it natively and tests/web.rs in Chromium.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from oracle import arg, write_vectors  # noqa: E402
import math  # noqa: E402

if sys.version_info[:2] != (3, 11):
    sys.exit(f"gen_struct.py: needs CPython 3.11 (the reference), not {sys.version.split()[0]}")

PREFIXES = ["", "@", "=", "<", ">", "!"]
INT_CODES = "bBhHiIlLqQnNP"
FLOAT_CODES = "efd"
ALL_CODES = "xcbB?hHiIlLqQnNPefdsp"


def int_values():
    values = {0, 1, -1, 2, 100, -100, 1000}
    for bits in (7, 8, 15, 16, 31, 32, 63, 64):
        for delta in (-1, 0, 1):
            values.add(2**bits + delta)
            values.add(-(2**bits) + delta)
    lits = [str(v) for v in sorted(values)]
    lits += ["2**100", "-2**100", "True", "False", "1.0", "'1'", "b'1'", "None", "0x7fff", "-0x8000"]
    return lits


def float_values():
    return [
        "0.0", "-0.0", "1.0", "-1.5", "2.7", "0.1", "1/3", "65504.0", "65519.0", "65519.99",
        "65520.0", "-65520.0", "6.103515625e-05", "6.0e-05", "5.960464477539063e-08",
        "2.980232238769531e-08", "2.9802322387695312e-08", "2.9802322387695314e-08", "1e-10",
        "3.4028234663852886e+38", "3.4028235677973366e+38", "3.4028235677973362e+38", "1e39",
        "-1e39", "1e300", "1.7976931348623157e+308", "5e-324", "1.401298464324817e-45",
        "7.006492321624085e-46", "7.006492321624087e-46", "inf", "-inf", "nan", "-nan",
        "1", "-3", "100000", "10**39", "-10**39", "10**400", "2**1024", "2**1023", "True",
        "'a'", "b'a'", "None",
    ]


def cases():
    # calcsize: each code, each prefix, counts, alignment pairs, whitespace, errors.
    for p in PREFIXES:
        for c in ALL_CODES:
            for n in ("", "0", "1", "2", "3", "10"):
                yield {"fn": "struct.calcsize", "fmt": p + n + c}
            for c2 in ALL_CODES:
                yield {"fn": "struct.calcsize", "fmt": p + c + c2}
                yield {"fn": "struct.calcsize", "fmt": p + "b0" + c + c2}
    for fmt in ["", " ", "h h", " h", "\th\n", "2 h", "3", "h3", "h<", " <h", "<<h", "@@", "z",
                "{}", "h\x00", "hh ", "3 ", "99999999999999999999h", "9223372036854775807x",
                "9223372036854775808x", "9223372036854775806xh", "4611686018427387904h",
                "1152921504606846976q", "1152921504606846975q", "x9223372036854775807x",
                "b9223372036854775806q", "\u4e2d", "h\u4e2d\u6587x", "b\xe9", "h\U0001F600",
                "=3n", "!P", ">N", "<e", "0", "00h", "010h", "cbB?hHiIlLqQnNPefdsp",
                "@bhiq", "@qihb", "@b?", "@?h", "@5sQ", "@3pd", "@e?e", "@0s0p0x"]:
        yield {"fn": "struct.calcsize", "fmt": fmt}

    # pack: every integer code with every boundary and value type, under every prefix.
    for p in PREFIXES:
        for c in INT_CODES:
            for v in int_values():
                yield {"fn": "struct.pack", "fmt": p + c, "args": [v]}
        for c in FLOAT_CODES:
            for v in float_values():
                yield {"fn": "struct.pack", "fmt": p + c, "args": [v]}
        for v in ["0", "1", "2", "-1", "0.0", "-0.0", "0.5", "nan", "''", "'a'", "b''", "b'\\x00'",
                  "None", "True", "False", "2**100"]:
            yield {"fn": "struct.pack", "fmt": p + "?", "args": [v]}
        for v in ["b'a'", "b''", "b'ab'", "'a'", "1", "None", "b'\\xff'"]:
            yield {"fn": "struct.pack", "fmt": p + "c", "args": [v]}
        for n in ("0", "1", "2", "3", "5"):
            for v in ["b''", "b'a'", "b'abc'", "b'abcdef'", "'abc'", "1", "None"]:
                yield {"fn": "struct.pack", "fmt": p + n + "s", "args": [v]}
                yield {"fn": "struct.pack", "fmt": p + n + "p", "args": [v]}
        for v in ["b'a'*300", "b'b'*255", "b'c'*256"]:
            for n in ("255", "256", "257", "300"):
                yield {"fn": "struct.pack", "fmt": p + n + "p", "args": [v]}
    for fmt, args in [
        ("0p", ["b''"]), ("0ph", ["b''", "1"]), ("0px", ["b''"]), ("0p0p", ["b''", "b''"]),
        ("x0p", ["b'a'"]), ("h0pb", ["1", "b''", "2"]), ("2h", ["1"]), ("2h", ["1", "2", "3"]),
        ("2h", []), ("hi", ["1", "2"]), ("0s", []), ("0s", ["b''"]), ("0h", []), ("0h", ["1"]),
        ("3x", []), ("3x", ["1"]), ("", []), ("", ["1"]), ("3c", ["b'a'", "b'b'", "b'c'"]),
        (">HH4s", ["1", "2", "b'data'"]), ("!IHH", ["0x7f000001", "80", "443"]),
        ("@bhiqd", ["1", "2", "3", "4", "5.5"]), ("<3sHf?", ["b'ab'", "65535", "2.7", "1"]),
        ("@ci", ["b'x'", "-1"]), ("@?q", ["True", "2**63"]), (">2e", ["1.5", "70000.0"]),
        ("2h", ["1", "'2'"]), ("hh", ["70000", "'x'"]), ("5s2p", ["b'hello'", "b'xyz'"]),
        ("@iq", ["2**31", "0"]), ("=iq", ["2**31", "0"]), ("=lL", ["2**31", "2**32"]),
        (">H", ["256"]), ("!H", ["256"]), ("<H", ["256"]), ("H", ["256"]),
        ("3s", ["b'ab'"]), ("1000x", []), ("@1000s", ["b'a'"]),
    ]:
        yield {"fn": "struct.pack", "fmt": fmt, "args": args}

    # unpack: each code with buffers of the right size and wrong sizes.
    samples = {
        1: ["00", "01", "02", "7f", "80", "ff", "41"],
        2: ["0000", "0100", "0001", "ff7f", "0080", "ffff", "007c", "00fc", "007e", "00fe", "0100",
            "ff7b", "0004", "0080", "003c", "01fc", "00bc"],
        4: ["00000000", "00000080", "0000803f", "ffffff7f", "0000807f", "0000c07f", "0100807f",
            "000080ff", "01000000", "ffffffff", "cdcc2c40", "ffff7f7f"],
        8: ["0000000000000000", "0000000000000080", "000000000000f03f", "9a9999999999f13f",
            "000000000000f07f", "000000000000f87f", "010000000000f07f", "0100000000000000",
            "ffffffffffffffff", "ffffffffffffef7f", "0000000000000040", "00000000000000c0",
            "8000000000000000"],
    }
    for p in PREFIXES:
        for c in "cbB?hHiIlLqQnNPefd":
            for size, hexes in samples.items():
                for h in hexes:
                    yield {"fn": "struct.unpack", "fmt": p + c, "hex": h}
        for n in ("0", "1", "2", "3", "5"):
            for h in ("", "00", "0361626364", "0a6162", "ff61626364", "0000", "01ff"):
                yield {"fn": "struct.unpack", "fmt": p + n + "p", "hex": h}
                yield {"fn": "struct.unpack", "fmt": p + n + "s", "hex": h}
    for fmt, h in [("0p", ""), ("h0p", "0100"), ("", ""), ("", "00"), ("3x", "000000"),
                   ("3x", "010203"), ("x?x", "000200"), (">HH4s", "0001000264617461"),
                   ("@bhiqd", "01000200030000000400000000000000000000000000164000000000"),
                   ("@bhiqd", "01"), ("2c", "6162"), ("\u4e2d", ""), ("2 h", "0000"),
                   ("<3sHf?", "616200ffff333333402a")]:
        yield {"fn": "struct.unpack", "fmt": fmt, "hex": h}

    # pack_into and unpack_from: offsets around every edge, negative ones included.
    for fmt, args in [("h", ["258"]), ("2s", ["b'ab'"]), ("", []), (">I", ["1"]), ("bxh", ["1", "-2"])]:
        for size in (0, 1, 2, 3, 4, 6):
            for off in ("0", "1", "2", "3", "-1", "-2", "-3", "-4", "-7", "7", "True", "1.0",
                        "'1'", "2**63", "-2**63-1", "2**64", "None"):
                yield {"fn": "struct.pack_into", "fmt": fmt, "hex": "ee" * size, "offset": off, "args": args}
    for fmt, args in [("h", []), ("h", ["1", "2"]), ("h", ["'x'"]), ("2h", ["1", "70000"])]:
        yield {"fn": "struct.pack_into", "fmt": fmt, "hex": "ee" * 8, "offset": "0", "args": args}
    for fmt in ("h", "2s", "", ">I", "bxh", "0p", "3p"):
        for size in (0, 1, 2, 3, 4, 6):
            for off in ("0", "1", "2", "3", "-1", "-2", "-3", "-4", "-7", "7", "True", "1.0",
                        "2**63", "-2**63-1"):
                yield {"fn": "struct.unpack_from", "fmt": fmt, "hex": "0102030405060708"[: 2 * size], "offset": off}

    # iter_unpack.
    for fmt in ("", "h", "2s", "b", "<I", "x", "0h", "?", "e", "3p"):
        for size in (0, 1, 2, 3, 4, 6, 8):
            yield {"fn": "struct.iter_unpack", "fmt": fmt, "hex": "0100ff7f0080003c"[: 2 * size]}


def canonical(text):
    """The literal for a value, so that socklab's literal parser reads what Python evaluated."""
    v = arg(text)
    if isinstance(v, float) and math.isnan(v):
        return "-nan" if math.copysign(1.0, v) < 0 else "nan"
    return repr(v)


def main():
    def canonicalized():
        for case in cases():
            if "args" in case:
                case["args"] = [canonical(a) for a in case["args"]]
            if "offset" in case:
                case["offset"] = canonical(case["offset"])
            yield case

    write_vectors(canonicalized(), "struct.json")


if __name__ == "__main__":
    main()
