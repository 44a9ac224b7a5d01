"""Benchmark: time and peak memory of splitting one-paragraph texts.

Not a test (timings are reported, never asserted). Each case runs in its own
process with a timeout::

    .venv/bin/python -m tests.benchmarks.split_long_lines [--timeout 120] [--sizes 12000,100000]
        [--kinds prose,no-stops] [--code DIR]

Texts are one line built from the seed article's paragraphs joined by spaces
and repeated to the size (``prose``), the same without sentence stops
(``no-stops``) and without any whitespace (``no-spaces``); ``paragraphs`` is
ordinary text (the seed's paragraphs repeated, one per line), and the other
kinds repeat one pathological unit on one line. ``--code DIR`` runs the
``index`` package found in DIR instead (e.g. an older commit's, from
``git archive <commit> index | tar -x -C DIR``). Seconds are from a plain
run; peak memory is what tracemalloc saw allocated during a second run.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "articles" / "cluster-munitions-dallas-express.txt"
SIZES = (12_000, 100_000, 1_000_000, 4_900_000)
KINDS = ("prose", "no-stops", "no-spaces")
UNITS = {"initials": "A. ", "dotted": "a.", "numbered": "1. ", "quotes": "“” ", "spaces": "x" + " " * 99}


def build(kind: str, size: int) -> str:
    seed = SEED.read_text(encoding="utf-8")
    if kind in UNITS:
        return (UNITS[kind] * (size // len(UNITS[kind]) + 1))[:size]
    if kind == "paragraphs":
        return (seed * (size // len(seed) + 1))[:size]
    prose = " ".join(line.strip() for line in seed.splitlines() if line.strip())
    if kind == "no-stops":
        prose = re.sub(r"[.!?]", "", prose)
    elif kind == "no-spaces":
        prose = re.sub(r"\s+", "", prose)
    sep = "" if kind == "no-spaces" else " "
    text = sep.join([prose] * (size // (len(prose) + 1) + 1))
    return text[:size]


def run_one(kind: str, size: int, code: str | None) -> dict[str, object]:
    if code:
        sys.path.insert(0, code)
    from index.sentences import split_sentences

    split_sentences("Warm up. Load pysbd.")
    text = build(kind, size)
    start = time.perf_counter()
    sentences = split_sentences(text)
    seconds = time.perf_counter() - start
    assert all(text[s.start : s.end] == s.text for s in sentences)
    count, longest = len(sentences), max((len(s.text) for s in sentences), default=0)
    del sentences
    tracemalloc.start()
    split_sentences(text)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "seconds": round(seconds, 3),
        "peak_mb": round(peak / 1e6, 1),
        "sentences": count,
        "longest": longest,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--code", help="a directory holding the index package to measure")
    parser.add_argument("--one", nargs=2, metavar=("KIND", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], int(args.one[1]), args.code)))
        return
    print("| text | size | seconds | peak MB (tracemalloc) | sentences | longest sentence |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind in args.kinds.split(","):
        for size in map(int, args.sizes.split(",")):
            command = [sys.executable, "-m", "tests.benchmarks.split_long_lines", "--one", kind, str(size)]
            command += ["--code", args.code] if args.code else []
            try:
                done = subprocess.run(
                    command, cwd=ROOT, capture_output=True, text=True, timeout=args.timeout, check=True
                )
            except subprocess.TimeoutExpired:
                print(f"| {kind} | {size:,} | > {args.timeout:.0f} (stopped) | | | |", flush=True)
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
            print(
                f"| {kind} | {size:,} | {r['seconds']} | {r['peak_mb']} | {r['sentences']:,} "
                f"| {r['longest']:,} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
