"""Chaos driver for scripts/chaos.sh: COUNT on-demand creates named PREFIX-<i> on the demo
registry of the emulator at URL, through ONE ``qualys_cs.Client`` (default duplicate-proof
create recovery, a retry policy sized for injected faults) from a small thread pool.

    python python/bench/chaos.py URL COUNT PREFIX [CONCURRENCY]

Prints ``python: attempted=N ok=M failed=F ...`` last; exits 1 when any create failed.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Optional, Tuple

import qualys_cs


def main() -> int:
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    url, count, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    concurrency = int(sys.argv[4]) if len(sys.argv) > 4 else 8
    client = qualys_cs.Client(
        gateway_url=url,
        username=qualys_cs.DEMO_USER,
        password=qualys_cs.DEMO_PASSWORD,
        no_proxy=True,
        request_timeout=1.5,
        create_settle_window=4.0,
        retry=qualys_cs.RetryPolicy(max_attempts=12, base_delay=0.02, max_delay=0.5, max_elapsed=60.0),
        rate_limit=qualys_cs.RateLimitPolicy(max_concurrency=concurrency),
    )

    def one(i: int) -> Tuple[str, Optional[qualys_cs.Created], Optional[Exception]]:
        name = f"{prefix}-{i:05d}"
        body = {
            "name": name,
            "onDemand": True,
            "filters": [{"days": None, "repoTags": [{"repo": "library/nginx", "tag": None}]}],
        }
        try:
            return name, client.create_schedule(qualys_cs.DEMO_REGISTRY_ID, body), None
        except Exception as e:  # noqa: BLE001 - every failure is counted and printed
            return name, None, e

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(one, range(count)))
    elapsed = time.perf_counter() - start
    ok = sum(1 for _, c, _ in results if c is not None)
    recovered = sum(1 for _, c, _ in results if c is not None and c.recovered)
    for name, _, err in results:
        if err is not None:
            print(f"create {name} failed: [{getattr(err, 'code', type(err).__name__)}] {err}", file=sys.stderr)
    print(
        f"python: attempted={count} ok={ok} failed={count - ok} "
        f"recovered_by_lookup={recovered} elapsed_s={elapsed:.2f}"
    )
    return 0 if ok == count else 1


if __name__ == "__main__":
    sys.exit(main())
