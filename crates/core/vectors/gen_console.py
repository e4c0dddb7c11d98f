#!/usr/bin/env python3
"""Regenerates crates/core/vectors/console.json: console sessions as `python3 -i` prints them.

    python3 crates/core/vectors/gen_console.py

Each session is a list of lines typed at the prompt of a fresh `python3 -q -i`, with no
companion needed (no socket is made): literals, names, struct, byte order, addresses, str and
bytes methods, and the errors CPython prints for them, "Did you mean" included. The real
interpreter runs them (not code.InteractiveConsole, which prints no suggestions), with its
prompts on the same pipe as its output; the text between two prompts is what one line printed.
The same driver (`transcript` here) is what tests/console_live.rs and the differential check
use, so the golden file and the live comparison agree on what "what python3 -i prints" means.
"""
import json
import os
import subprocess
import sys

if sys.version_info[:2] != (3, 11):
    sys.exit(f"gen_console.py: needs CPython 3.11 (the reference), not {sys.version.split()[0]}")

SESSIONS = [
    ["import socket, struct", "ConnectionResetError.__mro__", "ConnectionResetError.__bases__", "BrokenPipeError.__mro__", "socket.timeout.__mro__", "socket.gaierror.__mro__", "OSError.__bases__", "KeyboardInterrupt.__mro__", "OverflowError.__mro__", "ValueError.__bases__", "struct.error.__mro__", "ConnectionResetError.__mro__[1].__name__", "ConnectionResetError.__mro__[-1]", "ConnectionResetError.__mro__[-1].__bases__", "BlockingIOError.__mro__[1].__mro__"],
    ["1 + 2", "7 // 2", "-7 // 2", "7 % -3", "7 / 2", "1 / 0", "2 * 'ab'", "b'ab' * 3", "'a' + 1", "b'a' + 'b'", "1 + 'a'", "x = 5", "x", "x * 2", "None", "True", "print(None)"],
    ["y", "lne", "sokcet", "import socket", "sokcet", "socket.AF_INT", "socket.AF_INET", "socket.SOCK_STREAM", "socket.SOL_SOCKET", "socket.SO_REUSEADDR", "socket.SHUT_WR", "socket.EWOULDBLOCK", "socket.AF_INET6", "socket.SOCK_DGRAM", "socket.AI_PASSIVE", "socket.MSG_PEEK", "socket.timeout", "socket.error", "socket.gaierror", "socket.recv"],
    ["import struct", "struct.pack('!H', 80)", "struct.pack('>I', 1)", "struct.pack('<I', 1)", "struct.pack('!HH', 1, 2)", "struct.calcsize('!HI')", "struct.calcsize('HI')", "struct.unpack('!H', b'\\x00P')", "struct.unpack('!H', b'\\x00')", "struct.pack('!H', 70000)", "struct.pack('!H')", "struct.pack('!Q', -1)", "header = struct.pack('!I', 5) + b'hello'", "header", "len(header)", "struct.unpack('!I', header[:4])[0]", "header[4:]", "struct.pack('!h', -2)", "struct.pack('Z', 1)"],
    ["import socket", "socket.htons(1)", "socket.ntohs(256)", "socket.htonl(1)", "socket.ntohl(16777216)", "socket.htons(70000)", "socket.htons(-1)", "socket.htons('a')", "socket.inet_aton('127.0.0.1')", "socket.inet_ntoa(b'\\x7f\\x00\\x00\\x01')", "socket.inet_aton('1.2.3.256')", "socket.inet_pton(socket.AF_INET6, '::1')", "socket.inet_ntop(socket.AF_INET, b'\\xc0\\xa8\\x00\\x01')", "socket.inet_pton(socket.AF_INET, 'x')"],
    ["msg = 'héllo'", "data = msg.encode()", "data", "data.decode()", "data.decode('ascii')", "'中文'.encode('gbk')", "b'\\xd6\\xd0'.decode('cp936')", "'中'.encode('MS936')", "'中'.encode('936')", "'中'.encode('cp_936')", "'abc'.encode('utf-16-le')", "b'\\xff'.decode()", "data.upper()", "b'GET / HTTP/1.0'.startswith(b'GET')", "b'a,b,c'.split(b',')", "'a b  c'.split()", "b'hello'.replace(b'l', b'L')", "b'hello'.find(b'l')", "b'hello'.hex()", "b' x '.strip()", "', '.join(['a', 'b'])", "b''.join([b'a', b'b'])", "'x'.decode()", "b'x'.encode()", "data.foo", "'abc'.uper()"],
    ["t = ('127.0.0.1', 50007)", "t[0]", "t[1]", "t[2]", "t[-1]", "t[0:1]", "host, port = t", "host", "port", "a, b, c = t", "a, = t", "a, b = 5", "b'abc'[0]", "b'abc'[5]", "'abc'[1]", "'abc'[9]", "[1, 2, 3][1:]", "len(t)", "len(5)", "t == ('127.0.0.1', 50007)", "t != t", "1 < 2 < 3", "1 < 2 > 3", "'a' < 1", "b'x' in b'xyz'", "3 in [1, 2, 3]", "5 not in (1, 2)", "not 0", "1 and 2", "0 or 'x'", "None is None"],
    ["print('a', 1, b'x')", "print('a', 'b', sep='-')", "print()", "repr('x')", "str(5)", "str(b'ab', 'utf-8')", "int('42')", "int('0x1f', 16)", "int('zz')", "int(3.9)", "bytes(3)", "bytes([65, 66])", "bytes('ab', 'ascii')", "bytes('ab')", "bytes([300])", "type(5)", "type(b'')", "(1024).to_bytes(2, 'big')", "(1024).to_bytes(2, 'little')", "(1024).to_bytes(1, 'big')", "int.from_bytes(b'\\x04\\x00', 'big')", "int.from_bytes(b'\\xff\\xff', 'big', signed=True)"],
    ["a = 1 $ 2", "x = 1 ? 2", "x = `a`", "x = 1 € 2", "x = a ! b", "x = 1 \\ 2", "t = ('127.0.0.1'，8080)"],
    ["import foo", "import socket, struct", "from socket import AF_INET, SOCK_STREAM", "AF_INET", "SOCK_STREAM", "from socket import nothing", "import time", "time.sleep(0)", "time.sleep(-1)", "import select", "select.select([], [], [], -1)", "1)", "x = = 1", "socket.", "print 'hi'", "5 = x", "f() = 1", "del x", "z = 1", "del z", "z"],
]


def transcript(lines):
    """Runs `lines` in a fresh `python3 -q -i` and returns what each printed."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONSTARTUP="", PYTHONIOENCODING="utf-8")
    proc = subprocess.run(
        [sys.executable, "-q", "-u", "-i"],
        input="\n".join(lines) + "\n",
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    chunks = proc.stdout.split(">>> ")
    outputs = chunks[1 : len(lines) + 1]
    if len(outputs) != len(lines) or any("... " in c and c.startswith("... ") for c in outputs):
        raise SystemExit(f"gen_console.py: the prompts do not line up for {lines!r}: {proc.stdout!r}")
    return [o[:-1] if o.endswith("\n") else o for o in outputs]


def main():
    sessions = []
    for lines in SESSIONS:
        sessions.append({"lines": lines, "outputs": transcript(lines)})
    path = os.path.join(os.path.dirname(__file__), "console.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"python": sys.version.split()[0], "socket_py": __import__("socket").__file__, "sessions": sessions}, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {path}: {sum(len(s['lines']) for s in sessions)} lines in {len(sessions)} sessions")


if __name__ == "__main__":
    main()
