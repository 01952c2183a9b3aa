"""Bundled data: the demo units registry and data set, calendar overrides (installed as ``zwgk_data``)."""
