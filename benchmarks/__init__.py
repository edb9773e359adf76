"""Benchmarks of humansec (not tests: they measure, they never pass or fail on time).

Run them all with ``python -m benchmarks.run`` (``make bench``) or one by name, e.g.
``python -m benchmarks.run map``. Results go to ``benchmarks/results/`` (not committed).
"""
