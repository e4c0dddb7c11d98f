#!/usr/bin/env python3
"""Runs console panes in real `python3 -q -i` processes, the way the console's "Run all" does.

    python3 console_panes.py < panes.json > outputs.json

Input: a JSON list of panes, each a list of lines. Pane 1 is fed line by line until it has
run every line or a line blocks (accept, recv): the process has slept in the kernel, not run,
for HOLD seconds, as /proc says; then pane 2 starts the same way, and so on. A waiting pane goes
on by itself when its line returns. (A line that is merely slow, on a loaded machine, is
running, not sleeping, and is waited for: a fixed delay moved on too early under load.)
Output: for each pane, what each line printed (the text between two prompts), as
gen_console.py reads it. Used by the companion's differential test (tests/console_live.rs).
"""
import json
import os
import subprocess
import sys
import threading
import time

HOLD = 0.3
LIMIT = 60.0


class Pane:
    def __init__(self, lines):
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONSTARTUP="", PYTHONIOENCODING="utf-8")
        self.lines = lines
        self.fed = 0
        self.out = ""
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(
            [sys.executable, "-q", "-u", "-i"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, env=env, text=True, encoding="utf-8", bufsize=0)
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        while True:
            c = self.proc.stdout.read(1)
            if not c:
                return
            with self.lock:
                self.out += c

    def prompts(self):
        with self.lock:
            return self.out.count(">>> ")

    def idle(self):
        """The prompt for the next line is shown: the last line fed has finished."""
        return self.prompts() >= self.fed + 1

    def feed(self):
        self.proc.stdin.write(self.lines[self.fed] + "\n")
        self.proc.stdin.flush()
        self.fed += 1

    def done(self):
        return self.fed == len(self.lines) and self.idle()

    def sleeping(self):
        """The process sleeps in the kernel (state S in /proc/PID/stat)."""
        try:
            with open(f"/proc/{self.proc.pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] == "S"
        except OSError:
            return False

    def run_until_blocked(self, deadline):
        while not self.done() and time.time() < deadline:
            asleep_since = None
            while not self.idle() and time.time() < deadline:
                if not self.sleeping():
                    asleep_since = None
                elif asleep_since is None:
                    asleep_since = time.time()
                elif time.time() - asleep_since >= HOLD:
                    return
                time.sleep(0.005)
            if self.idle() and self.fed < len(self.lines):
                self.feed()

    def outputs(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=20)
        chunks = self.out.split(">>> ")[1:len(self.lines) + 1]
        return [c[:-1] if c.endswith("\n") else c for c in chunks]


def main():
    panes = [Pane(lines) for lines in json.load(sys.stdin)]
    deadline = time.time() + LIMIT
    for p in panes:
        p.run_until_blocked(deadline)
    while not all(p.done() for p in panes) and time.time() < deadline:
        for p in panes:
            if p.idle() and p.fed < len(p.lines):
                p.feed()
        time.sleep(0.005)
    json.dump([p.outputs() for p in panes], sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
