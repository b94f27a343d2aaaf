"""The part of ForestLab that runs in both the build (CPython) and the browser (Pyodide).

numpy and scikit-learn only: fitting a forest family and evaluating it into result records.
"""
