"""The API benchmark's parts (bench/api_bench.py runs them): cold imports, warm handler time, reads per list page."""
