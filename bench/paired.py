#!/usr/bin/env python3
"""Paired table from per-run lines gathered over several lock holds.

A table whose protocol takes longer than one quiet stretch of the machine (issue 21's AANets: about
10-15 hours on 2 cores) can be taken a few seeds at a time, on the same commit: every run is
deterministic in its spec and seed, so the runs do not depend on which hold they ran in. This reads
the per-run lines the benches print,

    lucir learned seed 3: final 0.3170, average 0.4970, ...      (aanets, on stderr)
    RUN icarl cim seed 0: final 0.3900, average 0.5063, ...      (compression-clutter)

from any number of logs, and prints each arm's mean ± sample std and the mean paired difference of
each requested pair with its 95 % t-interval (t, n - 1), over the seeds both arms have. A seed seen
twice must carry the same figures (a rerun on the same commit), or the script stops.

Usage: bench/paired.py --pairs learned-single,fixed-single,learned-fixed LOG [LOG ...]
"""
import argparse
import math
import re
import sys
from collections import defaultdict

LINE = re.compile(r"^(?:RUN )?(\S+) (\S+) seed (\d+): final ([0-9.]+), average ([0-9.]+)")
# two-sided 95 % quantiles of Student's t for 1..10 degrees of freedom
T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228]
METRICS = ("final", "average")


def read(paths):
    runs = defaultdict(dict)  # (method, arm) -> seed -> (final, average)
    for path in paths:
        with open(path, encoding="utf-8") as log:
            for line in log:
                match = LINE.match(line.strip())
                if not match:
                    continue
                method, arm, seed, final, average = match.groups()
                figures = (float(final), float(average))
                seen = runs[(method, arm)].get(int(seed))
                if seen is not None and seen != figures:
                    sys.exit(f"{method} {arm} seed {seed}: {seen} in one log, {figures} in another")
                runs[(method, arm)][int(seed)] = figures
    return runs


def mean_std(values):
    mean = sum(values) / len(values)
    if len(values) < 2:
        return f"{mean:.3f} (n = 1)"
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
    return f"{mean:.3f} ± {std:.3f}"


def paired(a, b):
    d = [x - y for x, y in zip(a, b)]
    n = len(d)
    mean = sum(d) / n
    if n < 2:
        return f"{mean:+.3f} (n = 1, no interval)"
    sd = math.sqrt(sum((x - mean) ** 2 for x in d) / (n - 1))
    half = T95[min(n - 1, len(T95)) - 1] * sd / math.sqrt(n)
    return f"{mean:+.3f} [{mean - half:+.3f}, {mean + half:+.3f}]"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", required=True, help="comma-separated a-b arm pairs, e.g. learned-single")
    parser.add_argument("logs", nargs="+")
    args = parser.parse_args()
    runs = read(args.logs)
    if not runs:
        sys.exit("no per-run lines found")
    for method in sorted({m for m, _ in runs}):
        arms = {arm: seeds for (m, arm), seeds in runs.items() if m == method}
        print(f"### {method}\n")
        print("| arm | seeds | final accuracy | average incremental |")
        print("|---|---|---:|---:|")
        for arm, seeds in arms.items():
            keys = sorted(seeds)
            print(f"| {arm} | {','.join(map(str, keys))} | "
                  + " | ".join(mean_std([seeds[s][i] for s in keys]) for i in range(2)) + " |")
        print()
        print("| paired difference | seeds | n | final accuracy, mean [95 % t-interval] | average incremental |")
        print("|---|---|---:|---:|---:|")
        for pair in args.pairs.split(","):
            a, b = pair.split("-", 1)
            if a not in arms or b not in arms:
                continue
            common = sorted(set(arms[a]) & set(arms[b]))
            if not common:
                continue
            cells = [paired([arms[a][s][i] for s in common], [arms[b][s][i] for s in common]) for i in range(2)]
            print(f"| {a} − {b} | {','.join(map(str, common))} | {len(common)} | {cells[0]} | {cells[1]} |")
        print()


if __name__ == "__main__":
    main()
