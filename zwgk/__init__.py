"""zwgk: the application — CLI, store, and the wiring of crawler, checks, rubrics and reports."""

__version__ = "0.1.0"
