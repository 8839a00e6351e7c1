"""Write N reviews (each with its audit row) through the web layer, printing each committed id.

Used by the crash test (killed mid-way) and the concurrency test (run beside
ingest processes). ``python review_writer.py URL USER N REPORT_ID:FACT_ID...``
"""

from __future__ import annotations

import sys


def main() -> None:
    from missionwatch.store import Store
    from missionwatch.web.auth import Principal
    from missionwatch.web.queries import WebData

    url, user, n, *targets = sys.argv[1:]
    store = Store.open(url)
    web = WebData(store.engine)
    who = Principal(0, user, "analyst")
    for i in range(int(n)):
        report_id, fact_id = targets[i % len(targets)].split(":")
        review = web.add_review(
            who,
            report_id=report_id,
            kind="event",
            action=("accept", "reject")[i % 2],
            fact_id=fact_id,
            value=None,
            note=f"{user} #{i}",
        )
        print(review.id, flush=True)
    store.close()


if __name__ == "__main__":
    main()
