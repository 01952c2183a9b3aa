"""Application services: each runs one stage of the chain (or the whole chain) and returns its result."""
