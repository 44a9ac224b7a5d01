"""Evaluation harness: run question sets through the real Assistant and score them."""
