#!/usr/bin/env python3
"""Times CPython's struct.Struct(fmt).pack(*args) and .unpack(data) on struct_cases.json.

Prints one JSON object: {"pack/<name>": ns_per_call, "unpack/<name>": ns_per_call, ...}.
The best of 7 repeats of a timeit loop, like `python3 -m timeit` reports.
"""
import json
import os
import struct
import timeit

here = os.path.dirname(__file__)
cases = json.load(open(os.path.join(here, "struct_cases.json")))
out = {}
for case in cases:
    s = struct.Struct(case["fmt"])
    args = [eval(a, {"__builtins__": {}}) for a in case["args"]]
    data = s.pack(*args)
    env = {"s": s, "args": args, "data": data}
    for kind, stmt in (("pack", "s.pack(*args)"), ("unpack", "s.unpack(data)")):
        timer = timeit.Timer(stmt, globals=env)
        n, _ = timer.autorange()
        best = min(timer.repeat(repeat=7, number=n)) / n
        out[f"{kind}/{case['name']}"] = best * 1e9
timer = timeit.Timer("calcsize('@bhiq')", globals={"calcsize": struct.calcsize})
n, _ = timer.autorange()
out["calcsize/native_bhiq"] = min(timer.repeat(repeat=7, number=n)) / n * 1e9
print(json.dumps(out))
