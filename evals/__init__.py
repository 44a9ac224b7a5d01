"""Evaluation harness: run question sets through the real Assistant and score them.

>>> import evals
>>> result = evals.run("evals/data/dev.jsonl", "evals/results/dev", configs=["default"])
>>> result.metrics["results"]["default"]["overall"]["hit_at_1"]
"""

from evals.dataset import DatasetError, EvalRecord, load
from evals.runner import EvalResult, run

__all__ = ["DatasetError", "EvalRecord", "EvalResult", "load", "run"]
