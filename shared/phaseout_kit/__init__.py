"""Phaseout shared kit: the plumbing every service uses once (settings, database, events, web, USCC)."""
