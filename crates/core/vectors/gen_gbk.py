#!/usr/bin/env python3
"""Regenerates socklab-core's GBK table from CPython 3.11's own 'gbk' codec.

    python3 crates/core/vectors/gen_gbk.py

Writes crates/core/src/codec_tables/gbk.bin: for every two-byte sequence with a lead byte from
0x81 to 0xFE and a trail byte from 0x40 to 0xFE (126 x 191 slots, lead-major), the code point
CPython decodes it to, as a little-endian u16, or 0 where CPython raises. CPython's GBK is a
bijection between these 21,791 sequences and 21,791 BMP characters, so the encoder is the same
table read backwards.
"""
import os
import sys

if sys.version_info[:2] != (3, 11):
    sys.exit(f"gen_gbk.py: needs CPython 3.11 (the reference), not {sys.version.split()[0]}")

out = bytearray()
count = 0
for lead in range(0x81, 0xFF):
    for trail in range(0x40, 0xFF):
        try:
            text = bytes([lead, trail]).decode("gbk")
        except UnicodeDecodeError:
            out += b"\0\0"
            continue
        assert len(text) == 1 and ord(text) < 0x10000, (lead, trail, text)
        out += ord(text).to_bytes(2, "little")
        count += 1
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "codec_tables", "gbk.bin")
with open(path, "wb") as f:
    f.write(out)
print(f"wrote {count} sequences in {len(out)} bytes to {os.path.normpath(path)}")
