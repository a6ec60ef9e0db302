"""Alembic migrations of the coordinator (env.py, versions/) and the frozen data they use."""
