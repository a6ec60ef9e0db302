"""Coordinator of the leading group office: consumes every bureau's events, aggregates per enterprise."""
