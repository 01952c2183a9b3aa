"""The units registry: the units file and its spreadsheet import."""
