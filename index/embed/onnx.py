"""The bundled MiniLM (or any local sentence-transformers BERT folder) on onnxruntime.

The model is exported once with ``torch.onnx.export`` (fp32, opset 17, mean
pooling and L2 normalisation inside the graph, as sentence-transformers'
Pooling and Normalize modules do) into a cache folder, beside a JSON record
of its SHA-256; every later process loads it without importing torch.
Texts are tokenised with ``tokenizers`` from the folder's ``tokenizer.json``,
truncated at the model's ``max_seq_length``.

fp32 (the ``onnx`` backend; what ``auto``, the default, picks for a store that
already holds fp32 vectors): the export gives the torch model's
vectors to within about 2e-7 (max abs difference, measured on 404 dev
sentences), so it is the same embedder and carries the same name in the store
fingerprint; a store built with either backend opens with the other. A
sentence's vector does not depend on the rest of its batch (padding is masked
out of attention and pooling; measured 7e-8), so texts are length-sorted and
batched. It costs about as much CPU as torch (1.35x less on sentences here).

int8 (``onnx-int8``; what ``auto`` picks for a new store): onnxruntime's dynamic quantisation scales
activations over the whole input, so a batch changes a text's vector (cosine
0.98 batch vs single); run one text per call it is batch-invariant by
construction and still 2.4-2.5x cheaper than fp32 on these CPUs (VNNI).
Its vectors are ~0.993 cosine to torch's, so its name (and store) differ;
dev-split citation hit@1 0.7507 against 0.748 with fp32.
Static int8 was tried too: batch-invariant, but 0.92 mean cosine with every
weight MatMul quantised, 0.99 with the FFN down-projections left in fp32,
and then only ~1.2x faster than fp32: not offered.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from index.embed.base import DEFAULT_MODEL, TORCH_IMPORT, BatchEmbedder
from index.embed.onnx_files import exclusive, intact, make
from index.embed.sentence_transformers import _pooling_dimension, resolve_model_path
from index.errors import ConfigError

log = logging.getLogger(__name__)

#: Bump when the exported graph changes; old exports are then rebuilt, not reused.
EXPORT_VERSION = 1
#: Added to the model's name in the store fingerprint for int8 vectors.
INT8_SUFFIX = "+onnx-int8"
OPSET = 17
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class OnnxEmbedder(BatchEmbedder):
    """A :class:`~index.embed.base.BatchEmbedder` on onnxruntime (CPU), torch-free once exported.

    ``threads`` caps onnxruntime's intra-op threads (``None``: one per core);
    its worker threads never spin while waiting, so a busy neighbour process
    does not starve them (the ``OMP_WAIT_POLICY=PASSIVE`` of onnxruntime).
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        cache_dir: Path | None = None,
        batch_size: int = 64,
        threads: int | None = None,
        int8: bool = False,
    ) -> None:
        #: int8 vectors differ from torch's (cosine ~0.993), so an int8 store has its own name.
        self.name = f"{model}{INT8_SUFFIX}" if int8 else model
        self.int8 = int8
        self._path = resolve_model_path(model)
        self.dimension = _pooling_dimension(self._path)
        self.batch_size = batch_size
        self.threads = threads
        # Length-sorted batching happens inside embed_batch, so it wants whole articles.
        self.max_batch_texts = 4096
        self._cache_dir = (cache_dir or _default_cache_dir()) / "onnx"
        self._session: Any = None
        self._tokenizer: Any = None
        self._load_lock = threading.Lock()

    # -- loading -------------------------------------------------------------

    def _load(self) -> tuple[Any, Any]:
        if self._session is None:
            with self._load_lock:  # threads sharing this embedder make one session, not one each
                if self._session is None:
                    self._open()
        return self._session, self._tokenizer

    def _open(self) -> None:
        """Find or make the model file (once per cache dir), then its session; the tokenizer first."""
        import onnxruntime as ort
        from tokenizers import Tokenizer

        onnx_path = exported_model(self._path, self._cache_dir)
        if self.int8:
            onnx_path = quantized_model(onnx_path)
        options = ort.SessionOptions()
        # int8 runs one text per call on each of `threads` workers; fp32 batches on `threads` threads.
        options.intra_op_num_threads = 1 if self.int8 else self._threads()
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        tokenizer = Tokenizer.from_file(str(self._path / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(_max_seq_length(self._path))
        self._tokenizer = tokenizer
        self._session = ort.InferenceSession(
            str(onnx_path), options, providers=["CPUExecutionProvider"]
        )

    def _threads(self) -> int:
        return self.threads or (os.cpu_count() or 1)

    # -- embedding -----------------------------------------------------------

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        if self.int8:
            return self._embed_one_by_one(texts)
        session, tokenizer = self._load()
        encodings = tokenizer.encode_batch(list(texts))
        lengths = np.array([len(e.ids) for e in encodings])
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        # Shortest first, so a batch pads to little; each vector is the same in any batch.
        order = np.argsort(lengths, kind="stable")
        for rows in _similar_lengths(order, lengths, self.batch_size):
            width = int(lengths[rows].max())
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                n = int(lengths[i])
                ids[r, :n] = encodings[i].ids
                mask[r, :n] = 1
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            out[rows] = session.run(None, feeds)[0]
        return out


    def _embed_one_by_one(self, texts: Sequence[str]) -> np.ndarray:
        """Each text in a call of its own: dynamic int8 scales its activations over the whole input,
        so only a batch of one keeps a text's vector independent of the others."""
        session, tokenizer = self._load()
        encodings = tokenizer.encode_batch(list(texts))

        def one(i: int) -> np.ndarray:
            ids = np.asarray([encodings[i].ids], dtype=np.int64)
            mask, types = np.ones_like(ids), np.zeros_like(ids)
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            return np.asarray(session.run(None, feeds)[0][0], dtype=np.float32)

        workers = min(self._threads(), len(texts))
        if workers <= 1:
            return np.vstack([one(i) for i in range(len(texts))])
        with ThreadPoolExecutor(workers) as pool:  # onnxruntime releases the GIL while it runs
            return np.vstack(list(pool.map(one, range(len(texts)))))


#: A batch holds texts up to this many times as long as its shortest (plus a few tokens), so
#: little of it is padding; padding never changes a vector (batch-invariant), only costs time.
_LENGTH_SPREAD = 1.25


def _similar_lengths(order: np.ndarray, lengths: np.ndarray, most: int) -> list[np.ndarray]:
    """Consecutive runs of ``order`` (shortest first) of at most ``most`` texts of similar length."""
    batches, first = [], 0
    while first < len(order):
        limit = lengths[order[first]] * _LENGTH_SPREAD + 4
        end = first + 1
        while end < len(order) and end - first < most and lengths[order[end]] <= limit:
            end += 1
        batches.append(order[first:end])
        first = end
    return batches


def quantized_model(onnx_path: Path) -> Path:
    """Dynamic int8 (per-channel weights) of an fp32 export, beside it, made once with its checksum.

    Made under the same locks as the export (:func:`exclusive`), so threads and processes
    that start cold together make it once; a full disk is a :class:`DiskFullError`.
    """
    out, record_path = onnx_path.with_name("model-int8.onnx"), onnx_path.with_name("model-int8.json")
    if intact(out, record_path):
        return out
    with exclusive(out.parent):
        if intact(out, record_path):  # made by another thread or process while this one waited
            return out
        from onnxruntime.quantization import QuantType, quantize_dynamic

        def quantize(tmp: str) -> dict[str, Any]:
            # onnxruntime writes a shape-inferred copy beside its input ("<stem>-inferred<suffix>"):
            # given a link named *.tmp, that copy is a .tmp too, removed after a kill or a failure.
            source = Path(tmp).with_suffix(".source.tmp")
            try:
                os.link(onnx_path, source)
            except OSError:  # a filesystem without hard links
                shutil.copyfile(onnx_path, source)
            try:
                quantize_dynamic(str(source), tmp, per_channel=True, weight_type=QuantType.QInt8)
            finally:
                source.unlink(missing_ok=True)
            return {"source": str(onnx_path), "quantization": "dynamic int8"}

        # Room for onnxruntime's inferred copy of the fp32 model and the int8 file (a quarter of it).
        make(out, record_path, quantize, needs=int(onnx_path.stat().st_size * 1.3))
    return out


def _default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("article-assistant", appauthor=False))


def _max_seq_length(path: Path) -> int:
    config = path / "sentence_bert_config.json"
    try:
        return int(json.loads(config.read_text())["max_seq_length"])
    except (OSError, KeyError, ValueError):
        return 512


def _source_key(model_path: Path) -> str:
    """Names the export of this model folder: its path and its weight files' sizes and times."""
    parts = [str(model_path.resolve()), f"export-{EXPORT_VERSION}", f"opset-{OPSET}"]
    for name in ("model.safetensors", "pytorch_model.bin", "config.json", "tokenizer.json"):
        f = model_path / name
        if f.exists():
            st = f.stat()
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def exported_model(model_path: Path, cache_dir: Path) -> Path:
    """The ONNX export of ``model_path`` in ``cache_dir``, exported (with torch) if missing or corrupt.

    Exported once per cache dir however many threads and processes ask at once
    (:func:`exclusive`); a waiter finds the finished export when it gets the lock.
    """
    folder = cache_dir / _source_key(model_path)
    onnx_path, record_path = folder / "model.onnx", folder / "model.json"
    if intact(onnx_path, record_path):
        return onnx_path
    with exclusive(folder):
        if intact(onnx_path, record_path):  # made by another thread or process while this one waited
            return onnx_path
        if onnx_path.exists() and record_path.exists():
            log.warning("the ONNX export in %s is damaged; exporting it again", folder)
        _export(model_path, folder)
    return onnx_path


def _export(model_path: Path, folder: Path) -> None:
    """Export to a temporary file, then rename (:func:`make`); the caller holds :func:`exclusive`."""
    try:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        with TORCH_IMPORT:
            import torch
            from transformers import AutoModel
    except ImportError as e:
        raise ConfigError(
            f"The ONNX export of {model_path} is not in the cache yet, and making it needs torch and "
            f"transformers ({e}). Install them (pip install torch==2.13.0 transformers), or set "
            "ARTICLE_ASSISTANT_EMBEDDER__BACKEND=torch."
        ) from e
    log.info("exporting %s to ONNX (once; cached in %s)", model_path, folder)
    model = AutoModel.from_pretrained(str(model_path)).eval()

    class Pooled(torch.nn.Module):
        def __init__(self, encoder: Any) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    sample = torch.ones((2, 8), dtype=torch.int64)
    axes = {name: {0: "batch", 1: "tokens"} for name in _INPUTS}

    def export(tmp: str) -> dict[str, Any]:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes on shape-dependent Python branches
            torch.onnx.export(
                Pooled(model),
                (sample, sample, torch.zeros_like(sample)),
                tmp,
                dynamo=False,
                opset_version=OPSET,
                input_names=list(_INPUTS),
                output_names=["embedding"],
                dynamic_axes={**axes, "embedding": {0: "batch"}},
            )
        return {
            "source": str(model_path), "export_version": EXPORT_VERSION, "opset": OPSET,
            "torch": torch.__version__,
        }

    weights = sum(f.stat().st_size for f in model_path.glob("*") if f.suffix in (".safetensors", ".bin"))
    make(folder / "model.onnx", folder / "model.json", export, needs=weights)
