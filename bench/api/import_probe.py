"""Run in a fresh interpreter by cold_imports.py: `python import_probe.py TARGET HEAVY`, with the function's
CodeUri as the working directory. TARGET is a file to load as a module (an app.py) or comma-separated module
names; HEAVY the comma-separated libraries no API function should import. Prints one JSON line: import time
(wall and CPU), modules added, heavy modules loaded and heavy imports attempted (even of one not installed).
"""

import importlib
import importlib.util
import json
import os
import sys
import time


class _Watch:
    """A meta path finder that notes every attempt to import a heavy library and finds nothing itself."""

    def __init__(self, heavy: set[str]):
        self.heavy = heavy
        self.attempted: list[str] = []

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.heavy:
            self.attempted.append(name)
        return None


def main() -> None:
    target, heavy = sys.argv[1], set(sys.argv[2].split(","))
    sys.path[0] = os.getcwd()  # as `python -c` would: the function's own modules import from its CodeUri
    watch = _Watch(heavy)
    sys.meta_path.insert(0, watch)
    before = len(sys.modules)
    started, cpu_started = time.perf_counter(), time.process_time()
    if target.endswith(".py"):
        spec = importlib.util.spec_from_file_location("bench_cold_app", target)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        assert callable(module.lambda_handler)
    else:
        for name in target.split(","):
            importlib.import_module(name)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    loaded = sorted(name for name in sys.modules if name.split(".")[0] in heavy)
    print(json.dumps({"seconds": elapsed, "cpu": cpu, "modules": len(sys.modules) - before, "heavy": loaded,
                      "attempted": sorted(set(watch.attempted))}))


if __name__ == "__main__":
    main()
