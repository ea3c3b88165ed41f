"""Benchmarks of the bot: Horde request economy, Discord edit economy, scale, client overhead
and start-up, each against a baseline measured in the same run.

``python -m bench`` runs everything and writes ``docs/performance.md``;
``python -m bench --quick --out PATH`` runs tiny sizes (the smoke test uses it).
"""
