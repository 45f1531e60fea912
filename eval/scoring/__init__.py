"""Scoring answers: the Q&A set, metrics, per-question results, reports, the quality gate and XQuAD."""
