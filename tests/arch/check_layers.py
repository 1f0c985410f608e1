#!/usr/bin/python3
"""Checks the build graph written at configure time against tests/arch/layers.txt.

    check_layers.py BUILD_GRAPH LAYERS

Fails (exit 1) naming every dependency that a library or app declares but may not have,
and every cyberalarm target missing from the layers table.
"""
import sys


def read(path):
    table = {}
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            name, _, deps = line.partition(":")
            table[name.strip()] = set(deps.split())
    return table


def main(argv):
    graph, allowed = read(argv[1]), read(argv[2])
    problems = []
    for target, deps in sorted(graph.items()):
        if target not in allowed:
            problems.append(f"{target}: not in the layers table; add it with its allowed dependencies")
            continue
        for d in sorted(deps - allowed[target]):
            problems.append(f"{target} depends on {d}, which its layer may not use")
    for p in problems:
        print(p)
    print(f"checked {len(graph)} targets: {'ok' if not problems else f'{len(problems)} problems'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
