"""The bundled demo county: its site, the server that serves it, and the run on it."""
