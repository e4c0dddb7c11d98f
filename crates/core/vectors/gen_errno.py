#!/usr/bin/env python3
"""Regenerates socklab-core's golden error catalog from CPython 3.11 on Linux (glibc).

    python3 crates/core/vectors/gen_errno.py

Writes crates/core/vectors/errno.json: every name in the `errno` module with its number,
`os.strerror`, the class `OSError(n, os.strerror(n))` becomes and the exact last traceback line;
the same for every other number in -3..=200 and a few far ones; the OSError class tree; what
`socket.error`, `socket.timeout` and friends are; every `socket.EAI_*` with glibc's
gai_strerror text and the `socket.gaierror` line; h_errno texts for `socket.herror`.

The texts come from this machine's libc through CPython, exactly as a traceback shows them:
gai_strerror and hstrerror through ctypes, because CPython builds gaierror/herror from them
(`set_gaierror`, `set_herror` in Modules/socketmodule.c). A few real getaddrinfo calls prove
that: they use numeric loopback hosts and flags that fail before any lookup, so nothing here
touches the network. The socket timeout is observed on a socketpair (no network at all).
"""
import ctypes
import errno
import json
import os
import select
import socket
import sys
import traceback

if sys.version_info[:2] != (3, 11):
    sys.exit(f"gen_errno.py: needs CPython 3.11 (the reference), not {sys.version.split()[0]}")
if not sys.platform.startswith("linux"):
    sys.exit("gen_errno.py: the catalog is Linux's (glibc's texts); run it on Linux")

LIBC = ctypes.CDLL(None)
LIBC.gai_strerror.restype = ctypes.c_char_p
LIBC.gai_strerror.argtypes = [ctypes.c_int]
LIBC.hstrerror.restype = ctypes.c_char_p
LIBC.hstrerror.argtypes = [ctypes.c_int]

# netdb.h's h_errno names; Python's socket module does not export them.
H_ERRNO_NAMES = {1: "HOST_NOT_FOUND", 2: "TRY_AGAIN", 3: "NO_RECOVERY", 4: "NO_DATA"}


def class_name(cls):
    """A class as a traceback names it: builtins bare, others module-qualified."""
    if cls.__module__ == "builtins":
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


def last_line(e):
    """The last line of the traceback CPython prints for `e`."""
    return traceback.format_exception_only(type(e), e)[-1].rstrip("\n")


def os_error(n):
    e = OSError(n, os.strerror(n))
    line = f"{type(e).__name__}: {e}"
    assert line == last_line(e), (line, last_line(e))
    return {"number": n, "strerror": os.strerror(n), "class": type(e).__name__, "line": line}


def errnos():
    names = {}
    for name in dir(errno):
        if name.startswith("E"):
            names.setdefault(getattr(errno, name), []).append(name)
    out = []
    for n in sorted(names):
        entry = {"names": sorted(names[n]), "errorcode": errno.errorcode[n]}
        entry.update(os_error(n))
        out.append(entry)
    return out


def other_numbers(named):
    extra = [255, 1000, 4095, 10035, 10061, 11001, 2**31 - 1, -(2**31)]
    return [os_error(n) for n in [*range(-3, 201), *extra] if n not in named]


def classes():
    found = []

    def walk(cls):
        if cls.__module__ == "builtins":
            found.append(cls)
            for sub in cls.__subclasses__():
                walk(sub)

    walk(OSError)
    found += [socket.gaierror, socket.herror]
    return [
        {"name": class_name(c), "mro": [class_name(m) for m in c.__mro__ if m is not object]}
        for c in found
    ]


def class_aliases():
    aliases = {
        "socket.error": socket.error,
        "socket.timeout": socket.timeout,
        "IOError": IOError,
        "EnvironmentError": EnvironmentError,
        "select.error": select.error,
    }
    return {alias: class_name(cls) for alias, cls in aliases.items()}


def socket_timeout():
    """What a socket with a timeout raises when nothing arrives in time."""
    a, b = socket.socketpair()
    a.settimeout(0.01)
    try:
        a.recv(1)
    except OSError as e:
        return {"line": last_line(e), "errno": e.errno}
    finally:
        a.close()
        b.close()
    raise SystemExit("gen_errno.py: recv on an idle socketpair did not time out")


def gai_errors():
    out = []
    for name in sorted((n for n in dir(socket) if n.startswith("EAI_")), key=lambda n: -getattr(socket, n)):
        n = getattr(socket, name)
        text = LIBC.gai_strerror(n).decode()
        out.append({
            "name": name,
            "number": n,
            "strerror": text,
            "line": last_line(socket.gaierror(n, text)),
            # set_gaierror(): EAI_SYSTEM becomes OSError from errno, never gaierror(-11).
            "raised_as_gaierror": name != "EAI_SYSTEM",
        })
    return out


def gai_calls():
    """Real getaddrinfo failures that need no lookup: numeric hosts, bad arguments."""
    calls = [
        ("EAI_NONAME", "socket.getaddrinfo('127.0.0.1x', 80, flags=socket.AI_NUMERICHOST)"),
        ("EAI_NONAME", "socket.getaddrinfo(None, None)"),
        ("EAI_SERVICE", "socket.getaddrinfo('127.0.0.1', 'no-such-service')"),
        ("EAI_FAMILY", "socket.getaddrinfo('127.0.0.1', 80, family=12345)"),
        ("EAI_SOCKTYPE", "socket.getaddrinfo('127.0.0.1', 80, type=12345)"),
        ("EAI_BADFLAGS", "socket.getaddrinfo('127.0.0.1', 80, flags=0x7fff)"),
        ("EAI_ADDRFAMILY",
         "socket.getaddrinfo('::1', 80, socket.AF_INET, flags=socket.AI_NUMERICHOST)"),
    ]
    out = []
    for name, call in calls:
        try:
            eval(call, {"socket": socket})
        except socket.gaierror as e:
            assert e.errno == getattr(socket, name), (call, e)
            out.append({"name": name, "call": call, "err": last_line(e)})
        else:
            raise SystemExit(f"gen_errno.py: {call} did not fail")
    return out


def herrors():
    out = []
    for n, name in H_ERRNO_NAMES.items():
        text = LIBC.hstrerror(n).decode()
        out.append({"name": name, "number": n, "strerror": text,
                    "line": last_line(socket.herror(n, text))})
    return out


def main():
    named = errnos()
    catalog = {
        "python": sys.version.split()[0],
        "errno": named,
        "other_numbers": other_numbers({e["number"] for e in named}),
        "classes": classes(),
        "class_aliases": class_aliases(),
        "socket_timeout": socket_timeout(),
        "gai": gai_errors(),
        "gai_calls": gai_calls(),
        "herror": herrors(),
    }
    # One record per line, so a regenerated file diffs as data.
    parts = []
    for key, value in catalog.items():
        if isinstance(value, list):
            body = ",\n".join("  " + json.dumps(v, ensure_ascii=False) for v in value)
            parts.append(f"{json.dumps(key)}: [\n{body}\n]")
        else:
            parts.append(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "errno.json")
    with open(path, "w") as f:
        f.write("{\n" + ",\n".join(parts) + "\n}\n")
    print(f"wrote {len(named)} errnos, {len(catalog['other_numbers'])} other numbers, "
          f"{len(catalog['gai'])} gai errors to {path}")


if __name__ == "__main__":
    main()
