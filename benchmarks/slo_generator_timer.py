"""Times Google's slo-generator on the side-by-side benchmark's SLOs (see slo_generator.py).

Run by slo_generator.py with the Python of slo-generator's own virtualenv (``python -I``), as its
dependencies conflict with ours. Reads ``{"url", "end", "window", "services"}`` as JSON on stdin;
prints per SLO the seconds ``compute`` took and the good and bad counts it found, as JSON.
"""

import json
import sys
import time

import slo_generator.backends.prometheus  # noqa: F401  imported before the clock starts, as ours is (0.25 s)
from slo_generator.compute import compute


def main() -> None:
    job = json.load(sys.stdin)
    shared = {
        "backends": {"prometheus": {"url": job["url"]}},
        "error_budget_policies": {
            "default": {
                "steps": [
                    {
                        "name": "month",
                        "window": job["window"],
                        "burn_rate_threshold": 1,
                        "alert": False,
                        "message_alert": "Budget spent",
                        "message_ok": "Within budget",
                    }
                ]
            }
        },
    }
    results = []
    for service in job["services"]:
        # slo-generator queries at "now": pin the window's end with @ (its `[window` becomes the step's window)
        valid = f'sum(increase(requests_total{{service="{service}"}}[window] @ {job["end"]}))'
        bad = f'sum(increase(errors_total{{service="{service}"}}[window] @ {job["end"]}))'
        slo = {
            "apiVersion": "sre.google.com/v2",
            "kind": "ServiceLevelObjective",
            "metadata": {"name": f"{service}-availability"},
            "spec": {
                "description": "Requests that did not fail",
                "backend": "prometheus",
                "method": "good_bad_ratio",
                "service_level_indicator": {"filter_good": f"{valid} - {bad}", "filter_valid": valid, "operators": []},
                "goal": 0.999,
            },
        }
        started = time.perf_counter()
        [report] = compute(slo, shared, timestamp=job["end"])
        seconds = time.perf_counter() - started
        if not report["valid"]:
            sys.exit(f"slo-generator found no valid SLI for {service}/availability: {report['errors']}")
        results.append(
            {
                "slo": f"{service}/availability",
                "seconds": seconds,
                "good": report["good_events_count"],
                "bad": report["bad_events_count"],
            }
        )
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
