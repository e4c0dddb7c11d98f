#!/usr/bin/env python3
"""CPython as socklab's oracle: evaluates cases and prints what Python prints.

Reads JSON cases, one per line, on stdin; writes one JSON result per line on stdout:
{"out": repr(result)} or {"err": last traceback line}. Used two ways:
  - gen_vectors.py calls run() to write the committed golden files;
  - the differential tests in crates/core/tests/ pipe fresh random cases through it.
Requires CPython 3.11 (the reference version); other versions may word errors differently.
"""
import json
import socket
import struct
import sys

# What an argument literal may name besides literals: inf and nan, as the CLI accepts them.
NAMES = {"__builtins__": {}, "inf": float("inf"), "nan": float("nan")}


def traceback_line(e):
    cls = type(e)
    name = "struct.error" if cls is struct.error else cls.__qualname__
    msg = e.msg if isinstance(e, SyntaxError) else str(e)
    return f"{name}: {msg}" if msg else name


def arg(text):
    return eval(compile(text, "<arg>", "eval"), NAMES)


def run(case):
    fn = case["fn"]
    try:
        if fn == "literal":
            result = arg(case["arg"])
        elif fn in ("htons", "ntohs", "htonl", "ntohl"):
            result = getattr(socket, fn)(arg(case["arg"]))
        elif fn == "to_bytes":
            result = arg(case["arg"]).to_bytes(case["length"], case["order"], signed=case["signed"])
        elif fn == "from_bytes":
            result = int.from_bytes(bytes.fromhex(case["hex"]), case["order"], signed=case["signed"])
        elif fn == "pack":
            result = struct.pack(case["fmt"], arg(case["arg"]))
        elif fn == "unpack":
            result = struct.unpack(case["fmt"], bytes.fromhex(case["hex"]))
        elif fn == "inet_aton":
            result = socket.inet_aton(case["text"])
        elif fn == "inet_ntoa":
            result = socket.inet_ntoa(bytes.fromhex(case["hex"]))
        elif fn == "inet_pton":
            result = socket.inet_pton(case["family"], case["text"])
        elif fn == "inet_ntop":
            result = socket.inet_ntop(case["family"], bytes.fromhex(case["hex"]))
        elif fn == "encode":
            result = case["text"].encode(case["codec"], case["errors"])
        elif fn == "str_literal":
            result = arg(case["arg"])
        elif fn == "encode_points":
            # Code points, since JSON text cannot carry a lone surrogate.
            text = "".join(map(chr, case["points"]))
            result = text.encode(case["codec"], case["errors"])
        elif fn == "decode":
            result = bytes.fromhex(case["hex"]).decode(case["codec"], case["errors"])
        elif fn == "classify":
            import ipaddress
            a = ipaddress.ip_address(case["text"])
            mapped = getattr(a, "ipv4_mapped", None)
            result = (a.is_private, a.is_global, a.is_loopback, a.is_link_local, a.is_multicast,
                      a.is_unspecified, a.is_reserved, None if mapped is None else str(mapped))
        elif fn == "check_tuple":
            # Only hosts that need no resolver and ports that bind nothing reachable: the
            # generator guarantees it. A syscall error (errno set) means the tuple was valid.
            items = tuple(arg(a) for a in case["items"])
            with socket.socket(case["family"], socket.SOCK_DGRAM) as s:
                try:
                    getattr(s, case["caller"])(items)
                except OSError as e:
                    if e.errno is None:
                        raise
                result = "valid"
            return {"out": result}
        elif fn == "struct.calcsize":
            result = struct.calcsize(case["fmt"])
        elif fn == "struct.pack":
            result = struct.pack(case["fmt"], *[arg(a) for a in case["args"]])
        elif fn == "struct.unpack":
            result = struct.unpack(case["fmt"], bytes.fromhex(case["hex"]))
        elif fn == "struct.pack_into":
            buf = bytearray.fromhex(case["hex"])
            struct.pack_into(case["fmt"], buf, arg(case["offset"]), *[arg(a) for a in case["args"]])
            result = bytes(buf)
        elif fn == "struct.unpack_from":
            result = struct.unpack_from(case["fmt"], bytes.fromhex(case["hex"]), arg(case["offset"]))
        elif fn == "struct.iter_unpack":
            result = list(struct.iter_unpack(case["fmt"], bytes.fromhex(case["hex"])))
        else:
            raise SystemExit(f"oracle.py: unknown case fn {fn!r}")
        return {"out": repr(result)}
    except SystemExit:
        raise
    except Exception as e:  # every Python exception is a result to compare
        return {"err": traceback_line(e)}


def write_vectors(cases, name):
    """Answers every case with CPython and writes them, one JSON object per line, to `name`."""
    import os
    out = []
    for case in cases:
        case.update(run(case))
        out.append(case)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    with open(path, "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(c, ensure_ascii=False) for c in out) + "\n]\n")
    print(f"wrote {len(out)} cases to {path}")


if __name__ == "__main__":
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(run(json.loads(line))), flush=False)
    sys.stdout.flush()
