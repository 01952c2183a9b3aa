"""Rubric files (one YAML per rubric and year), their loader, and the pure scoring engine."""
