"""Reliability and secrecy suites: faults, crashes, bad input and secrets (issue 8)."""
