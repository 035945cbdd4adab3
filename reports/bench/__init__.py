"""`manage.py bench` (docs/performance.md): a synthetic data set (dataset.py), the register
generator of the import measure (registers.py) and the measures with their floors
(measures.py). Nothing here is imported by the product; only the command uses it."""
