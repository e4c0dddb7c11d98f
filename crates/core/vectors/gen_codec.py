#!/usr/bin/env python3
"""Regenerates socklab-core's golden vectors for text encodings from CPython 3.11.

    python3 crates/core/vectors/gen_codec.py

Writes crates/core/vectors/codec.json: text (ASCII, Latin-1, Chinese, emoji) encoded with every
codec and error mode, Python strs with lone surrogates (as code points), and bytes (valid, truncated, overlong, surrogates, out of range, random)
decoded likewise, with CPython's exact results and messages.
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(__file__))
from oracle import write_vectors  # noqa: E402

if sys.version_info[:2] != (3, 11):
    sys.exit(f"gen_codec.py: needs CPython 3.11 (the reference), not {sys.version.split()[0]}")

CODECS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le",
          "utf-32-be", "ascii", "latin-1", "gbk"]
ERRORS = ["strict", "replace", "ignore"]
TEXTS = ["", "hello", "café", "中文", "a中文b", "中", "你好,世界", "😀", "a😀b", "ÿĀ", "\u00e9\u4e2d\u00e9",
         "\ufeffBOM", "\x00\x7f\x80", "ab中cd文ef"]
# Python strs that no Rust string can hold: lone surrogates, alone, in runs, and an emoji's
# UTF-16 halves as two code points (given as code points: JSON text cannot carry them).
# str literals as the text field reads them: escapes, lone surrogates, and CPython's errors.
LITERALS = [r"'\ud800'", r"'a\udc00\ud800b'", r"'\ud83d\ude00'", r"'\U0001f600'", r'"it\'s"',
            r"'\x41\101\n\t\0'", r"'中\u4e2d'", r"'\U00110000'", r"'ab\U0011ffff'", r"'é\x4'",
            r"'中\u12'", r"'\x'", r"'\U0001f60'", r"'a\\b'", r"''", r"'\777'", r"'😀\U00110000'"]
POINTS = [[0xD800], [0xDFFF], [0x61, 0xDC00, 0xD800, 0x62], [0xDC80, 0x78], [0xD83D, 0xDE00],
          [0x4E2D, 0xD800, 0xD800, 0xD800, 0x4E2D], [0xE9, 0xDBFF], [0xD800, 0x1F600]]
GBK_BYTES = ["c4e3bac3", "d6d0cec4", "81", "8140", "8120", "817f", "80", "ff", "fefe", "a2a0", "d7fa",
             "a1a4a1aa", "81308130", "c4e3ff", "41c4", "a8bf"]
BYTES = ["", "41", "e4b8ad", "e4b8", "e4", "ff", "80", "c0af", "c280", "e080", "e0a080", "eda080",
         "efbbbf41", "f09f9880", "f09f98", "f4908080", "f5", "41ff42", "e4b841", "fffe4100", "feff0041",
         "4100", "41", "00d8", "00d84100", "00dc4100", "00d800d8", "3dd800de", "d83dde00", "00d841",
         "00001100", "00d80000", "410000", "fffe000041000000", "0000feff00000041", "41000000",
         "e4b8ade69687", "c3a9", "e9", "ffd800dc"]


def cases():
    for text in TEXTS:
        for codec in CODECS:
            for errors in ERRORS:
                yield {"fn": "encode", "text": text, "codec": codec, "errors": errors}
    for literal in LITERALS:
        yield {"fn": "str_literal", "arg": literal}
    for points in POINTS:
        for codec in CODECS:
            for errors in ERRORS:
                yield {"fn": "encode_points", "points": points, "codec": codec, "errors": errors}
    rng = random.Random(3629)
    extra = ["".join(f"{rng.randrange(256):02x}" for _ in range(rng.randrange(1, 9))) for _ in range(60)]
    for hexs in BYTES + GBK_BYTES + extra:
        for codec in CODECS:
            for errors in ERRORS:
                yield {"fn": "decode", "hex": hexs, "codec": codec, "errors": errors}


def main():
    write_vectors(cases(), "codec.json")


if __name__ == "__main__":
    main()
