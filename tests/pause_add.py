"""Run by tests: add a large article and stop (SIGSTOP) this process between its passages and its row.

``python -m tests.pause_add DATA_DIR FILE``: prints ``PAUSED`` when the passages
are written and the article row is not, then stops itself; the test runs
readers against the store, sends SIGCONT, and this process finishes the add
and prints its result as JSON. A real process and a real pause: what a reader
sees is what it would see while a slow writer is at that point.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from assistant.api import Assistant
from assistant.settings import Settings


def main(data_dir: str, path: str) -> None:
    assistant = Assistant(Settings(data_dir=Path(data_dir)))
    articles = assistant.store._articles
    real = articles.upsert

    def paused(**kwargs: Any) -> Any:
        print("PAUSED", flush=True)
        os.kill(os.getpid(), signal.SIGSTOP)
        return real(**kwargs)

    articles.upsert = paused
    result = assistant.add(path)
    print(json.dumps({"id": result.article.id, "sentences": len(result.article.sentences)}), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:3])
