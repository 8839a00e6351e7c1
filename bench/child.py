"""Entry point of a measured subprocess: ``python -m bench.child MODULE:FUNCTION JSON_ARGS``.

Calls the function with the arguments, adds the process's own peak memory
and its workers' peak, and prints one ``BENCH-RESULT {json}`` line for
``harness.run_child`` to read (everything else on stdout is ignored).
"""

from __future__ import annotations

import importlib
import json
import sys

from bench.harness import RESULT_MARK, children_peak_mb, vm_hwm_mb


def main() -> None:
    target, raw_args = sys.argv[1], sys.argv[2]
    module_name, function_name = target.split(":")
    function = getattr(importlib.import_module(module_name), function_name)
    result = dict(function(**json.loads(raw_args)))
    result["self_peak_rss_mb"] = vm_hwm_mb()
    result["workers_peak_rss_mb"] = children_peak_mb()
    print(RESULT_MARK + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
