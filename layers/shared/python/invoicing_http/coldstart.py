"""The cyclic garbage collector pauses while an API function's modules import.

Every API function's app.py imports this module first (`# isort: split`) and ends with `resolver.make_handler`,
which calls `finished()`. An import allocates hundreds of thousands of long-lived objects (modules, classes,
functions, pydantic schemas) and frees almost none in cycles, so the collector's passes during it find nothing
and cost 40-60 ms of CPU per cold start (measured with bench/api_bench.py): each full pass walks every object
boto3, Powertools and pydantic made so far. Reference counting still frees everything acyclic meanwhile.
`finished()` then moves what the import built to the permanent generation (`gc.freeze()`), so no collection
during requests walks it again either, and resumes the collector.

The pause is the process's first import only: a process that imports several app.py files (tests, the local
stack) resumes at the first `finished()`, and one whose collector was already off keeps it off. An app.py whose
import fails leaves the collector paused until another one finishes; in Lambda such an environment serves nothing.
"""

from __future__ import annotations

import gc

_paused = gc.isenabled()
gc.disable()


def finished() -> None:
    """Freeze what the import built and resume the collector (once; a no-op afterwards)."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
