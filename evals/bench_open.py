"""A large built library opened by a new serving process, per library-wide dense index (issue 26).

    python -m evals.bench_open LIBRARY OUT.json [--dense mapped,chroma] [--questions 200]

LIBRARY holds ``data/`` and ``cache/`` (a store built by ``add_many``, e.g. of
:func:`evals.bench_library.library` copies) and is only read: each index is measured on a
copy (``cp -a``, its cache files renamed for the copy's path: ``--rekey OLD_DATA DATA CACHE``
does that alone). For each: a first process does what a bulk add leaves behind (writes the
matrix file, for ``mapped``; timed), then :mod:`evals.bench_serve` measures a new serving
process (first library-wide ask after opening, warm asks, adds, peak RSS before and after
the adds). Then, in one more process, recall@10 and recall@200 (the fusion pool) of each
index's dense candidates against exact float32 search over every passage vector (read from
the per-article vector files), on dev questions; tie-aware: a candidate counts when its exact
score reaches the k-th exact score (the bench library repeats each sentence in many copies).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from evals.bench import _env, _machine, p
from evals.bench_library import questions


def _settings(data: Path, cache: Path, dense: str) -> Any:
    from assistant.settings import Settings

    return Settings.from_env(data_dir=data, cache_dir=cache).with_(**{"retrieval.library_dense": dense})


def rekey(old_data: Path, data: Path, cache: Path) -> None:
    """Rename a copied library's cache files for its new place: they are named by the store's
    path (``Components.store_key``), so a copy would otherwise rebuild them all from the store."""
    from assistant.api import Assistant
    from assistant.library.catalog import KIND as CATALOG
    from assistant.library.catalog import catalog_path
    from assistant.library.files import read_checked, write_checked
    from assistant.library.matrix import matrix_path
    from assistant.library.segments import cache_folder
    from assistant.library.vectors import vectors_folder

    new = Assistant(_settings(data, cache, "mapped"))
    window = new.settings.index.passage_window
    embedder = new.store.fingerprint.embedder
    new_key = new._components.store_key()
    old_key = new_key.replace(str(data.resolve()), str(old_data.resolve()), 1)
    for folder in (
        lambda k: vectors_folder(cache, k, embedder, window),
        lambda k: cache_folder(cache, k),
        lambda k: matrix_path(cache, k, embedder, window).parent,
    ):
        if folder(old_key).exists() and not folder(new_key).exists():
            folder(old_key).rename(folder(new_key))
    old_catalog = catalog_path(cache, old_key)
    payload = read_checked(old_catalog, CATALOG) if old_catalog.exists() else None
    if payload is not None:  # its name is in its checksum: written again, not renamed
        write_checked(catalog_path(cache, new_key), CATALOG, payload)


def prepare(data: Path, cache: Path, dense: str) -> float:
    """What a bulk add leaves for the next process (the matrix file); seconds it took."""
    from assistant.api import Assistant

    t0 = time.perf_counter()
    Assistant(_settings(data, cache, dense))._indexes.refresh_matrix()
    return time.perf_counter() - t0


def recall(data: Path, cache: Path, limit: int) -> dict[str, Any]:
    """Tie-aware recall@10 and @200 of the mapped and Chroma dense candidates against exact search."""
    import numpy as np

    from assistant.api import Assistant

    assistant = Assistant(_settings(data, cache, "mapped"))
    index = assistant._indexes.for_scope(assistant._library.scope(None))._index
    lexical: Any = index._lexical
    mapped = index._dense
    store = assistant.store
    exact = np.zeros((lexical.size, store.fingerprint.dimension), dtype=np.float32)
    ids = lexical.article_ids
    for first in range(0, len(ids), 500):
        chunk = assistant._indexes.library_vectors(lexical, ids[first : first + 500])
        for article_id, (groups, vectors) in chunk.items():
            start, count = lexical.span(article_id) or (0, 0)
            assert [g[0] for g in groups] == list(lexical.sentence_ids(article_id) or ())
            exact[start : start + count] = vectors
    out: dict[str, Any] = {"questions": 0, "passages": int(lexical.size)}
    got: dict[str, list[float]] = {}
    for q in questions(limit):
        qv = assistant.embedder.embed([q])[0]
        truth = exact @ qv
        order = np.sort(truth)[::-1]
        for k in (10, 200):
            cut = order[k - 1] - 1e-6
            found = mapped.search(qv, k)
            got.setdefault(f"mapped@{k}", []).append(float(np.mean(truth[found.positions] >= cut)))
            got.setdefault(f"mapped_max_score_error@{k}", []).append(
                float(np.abs(truth[found.positions] - found.scores).max())
            )
            hnsw = store.nearest_passages(qv, k, lexical.size)
            places = [lexical.position(*pid.rpartition(":")[::2]) for pid, _ in hnsw]
            got.setdefault(f"chroma@{k}", []).append(
                float(np.mean([p is not None and truth[p] >= cut for p in places]))
            )
        out["questions"] += 1
    for key, values in got.items():
        out[key] = round(float(max(values) if "error" in key else np.mean(values)), 5)
        if "error" not in key:
            out[key + "_min"] = round(float(min(values)), 3)
    return out


def run(
    library: Path, out: Path, denses: list[str], limit: int, adds: int, work: Path | None
) -> dict[str, Any]:
    built = json.loads((library / "built.json").read_text()) if (library / "built.json").exists() else {}
    ids = built.get("ids") or []
    n = len(ids)
    results: dict[str, Any] = {"machine_start": _machine(), "library": str(library), "articles": n}
    for dense in denses:
        with tempfile.TemporaryDirectory(dir=work) as tmp:
            copy = Path(tmp) / "lib"
            subprocess.run(["cp", "-a", str(library), str(copy)], check=True)
            data, cache = copy / "data", copy / "cache"
            env = _env(data, cache) | {"ARTICLE_ASSISTANT_RETRIEVAL__LIBRARY_DENSE": dense}
            rekeyed = ["-m", "evals.bench_open", "--rekey", str(library / "data"), str(data), str(cache)]
            subprocess.run([sys.executable, *rekeyed], env=env, check=True, timeout=600)
            prepared = subprocess.run(
                [sys.executable, "-m", "evals.bench_open", "--prepare", str(data), str(cache), dense],
                env=env, capture_output=True, text=True, timeout=3600, check=True,
            )
            picks = sorted({0, n // 5, n // 3, n // 2, (3 * n) // 4, n - 1})
            spec = {
                "data_dir": str(data), "cache_dir": str(cache), "scoped": [ids[i] for i in picks[:5]],
                "scoped_copies": picks[:5], "start": 10_000_000 + n, "adds": adds,
            }
            load_before = os.getloadavg()
            done = subprocess.run(
                [sys.executable, "-m", "evals.bench_serve", json.dumps(spec)],
                env=env, capture_output=True, text=True, timeout=3600, check=True,
            )
            line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH "))
            serving = json.loads(line[len("BENCH ") :])
            results[dense] = {
                "prepare_s": float(prepared.stdout.strip().splitlines()[-1]),
                "load_before": [round(x, 2) for x in load_before],
                "load_after": [round(x, 2) for x in os.getloadavg()],
                "first_library_ms": round(serving["first_library_ms"], 1),
                "first_library_retrieve_ms": serving["retrieve_ms"]["first_library"][0],
                "library_p50_ms": p(serving["library_ms"], 0.5),
                "library_p95_ms": p(serving["library_ms"], 0.95),
                "library_retrieve_p50_ms": p(serving["retrieve_ms"]["library"], 0.5),
                "ask_after_add_p50_ms": p(serving["ask_after_add_ms"], 0.5),
                "peak_rss_before_adds_mb": round(serving["peak_rss_before_adds_mb"], 1),
                "peak_rss_mb": round(serving["peak_rss_mb"], 1),
                "serving_raw": serving,
            }
            if dense == "mapped":
                done = subprocess.run(
                    [sys.executable, "-m", "evals.bench_open", "--recall", str(data), str(cache), str(limit)],
                    env=env, capture_output=True, text=True, timeout=3600, check=True,
                )
                results["recall"] = json.loads(done.stdout.strip().splitlines()[-1])
            shutil.rmtree(copy, ignore_errors=True)
        out.write_text(json.dumps(results, indent=2))
    results["machine_end"] = _machine()
    out.write_text(json.dumps(results, indent=2))
    return results


def main() -> None:
    if sys.argv[1] == "--prepare":
        print(round(prepare(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]), 2))
        return
    if sys.argv[1] == "--rekey":  # OLD_DATA NEW_DATA NEW_CACHE: a copied library's cache files
        rekey(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
        return
    if sys.argv[1] == "--recall":
        print(json.dumps(recall(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--dense", default="mapped,chroma")
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--adds", type=int, default=5)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    run(args.library, args.out, args.dense.split(","), args.questions, args.adds, args.work)
    print(args.out.read_text())


if __name__ == "__main__":
    main()
