"""Generate the synthetic event counts for the `ml-platform` example.

Writes data/ml-platform.csv.gz (next to this script, or --out PATH): a gzip CSV
with header `timestamp,service,slo,customer,good,total,unlabelled`, one row per
5-minute step, service, SLO and customer (model quality: one row per step,
without a customer), sorted by those columns; `unlabelled` is empty but for
model quality. Steps run from
2026-09-28T00:00Z (inclusive) to 2026-11-03T00:00Z (exclusive), so October 2026
is covered with margin for 3-day alert look-backs and non-UTC time zones. The
output is deterministic (numpy default_rng(20261001), gzip mtime 0).

Customers: acme, globex, initech, umbrella (traffic shares 40/30/20/10 %).

Catalogue and background behaviour:
- model-api / availability (0.999) and latency (0.95, good = under 200 ms):
  ~3000 requests per 5 min, two daily humps (Europe ~1.2x around 10:00 UTC,
  US peak ~1.6x around 17:00 UTC, night ~0.4x around 04:00 UTC), weekends at
  0.8x, Poisson noise. Both SLOs count the same requests (same `total`).
  Background: 0.03 % errors, 2.8 % slow.
- batch-inference / job-success (0.95): one nightly job per customer; the
  01:00 UTC step has total=1 per customer, every other step has total=0.
- model-api / quality (0.92, good = correct among labelled predictions): ~600
  predictions per 5 min on the request curve, 95 % correct. Ground truth
  arrives 0-5 days after a prediction (uniformly), and the file is exported
  at 2026-11-01T06:00Z, so each prediction is labelled with probability
  min(1, age / 5 days): October 27-31 are partly unlabelled (`unlabelled`
  holds those predictions; `total` only the labelled ones).
- batch-inference / completion-time (0.9, good = the run finished within
  4 h): the same nightly runs as job-success (total=1 per customer at 01:00).
- feature-store / availability (0.9999) and latency (0.99, good = reads under
  10 ms): ~20000 reads per 5 min, flatter daily cycle, weekends at 0.9x.
  Background: 0.0015 % errors, 0.25 % slow.

Incidents (UTC, each interval is [start, end)):
1. 2026-10-14 02:10-03:05  model-api availability, 8 % errors, all customers
   (bad deploy).
2. 2026-10-22 14:00-14:40  model-api availability, 25 % errors, all customers
   (dependency outage; about a quarter of October's budget).
3. 2026-10-08 09:00-12:00  model-api latency, 30 % slow (GPU saturation).
4. batch-inference job failures: 2026-10-03 all four customers (storage
   outage); 2026-10-11 globex; 2026-10-17 acme; 2026-10-25 initech;
   2026-10-29 umbrella (8 of 124 October jobs fail: SLO missed). Outside
   October: 2026-09-30 acme and 2026-11-01 acme.
5. 2026-10-31 23:20 - 2026-11-01 00:30  feature-store availability, 2 % errors
   (straddles the month end).
6. 2026-10-19 10:00-12:00  feature-store scrape gap: no rows at all for either
   SLO or any customer.
7. 2026-10-27 18:00-19:30  model-api availability, 25 % errors for umbrella only
   (a tenant-only outage: it breaches umbrella's enterprise SLA while the
   service as a whole meets its objective).
8. Outside October, model-api availability, 30 % errors, all customers:
   2026-09-29 12:00-13:00 and 2026-11-02 06:00-07:00.
9. 2026-10-12 09:00 - 2026-10-14 09:00  model-api quality: a model rollout
   drops accuracy to 82 % for two days (rolled back on the 14th).
10. batch-inference late runs (over 4 h): 2026-10-06 acme and globex,
   2026-10-20 initech and umbrella (a backfill), 2026-10-29 umbrella (5 of
   124; that night umbrella's job also failed).
"""

import argparse
import gzip
import time
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261001
START, END = pd.Timestamp("2026-09-28T00:00Z"), pd.Timestamp("2026-11-03T00:00Z")
CUSTOMERS = ["acme", "globex", "initech", "umbrella"]
SHARES = np.array([0.4, 0.3, 0.2, 0.1])
OBJECTIVES = {
    ("model-api", "availability"): 0.999,
    ("model-api", "latency"): 0.95,
    ("batch-inference", "job-success"): 0.95,
    ("feature-store", "availability"): 0.9999,
    ("feature-store", "latency"): 0.99,
    ("model-api", "quality"): 0.92,
    ("batch-inference", "completion-time"): 0.9,
}
# Traffic multiplier by UTC hour (0..23): a European and a larger US hump.
HOURLY_PROFILE = np.array(
    [
        0.75,
        0.60,
        0.50,
        0.42,
        0.40,
        0.45,
        0.60,
        0.80,
        1.00,
        1.15,
        1.20,
        1.20,
        1.10,
        1.05,
        1.10,
        1.30,
        1.50,
        1.60,
        1.55,
        1.40,
        1.25,
        1.10,
        0.95,
        0.85,
    ]
)
# Bad-event fraction per (service, slo) outside incidents.
BACKGROUND = {
    ("model-api", "availability"): 0.0003,
    ("model-api", "latency"): 0.028,
    ("feature-store", "availability"): 0.000015,
    ("feature-store", "latency"): 0.0025,
}
# (service, slo, start, end, bad fraction, affected customers)
INCIDENTS = [
    ("model-api", "availability", "2026-10-14T02:10", "2026-10-14T03:05", 0.08, CUSTOMERS),
    ("model-api", "availability", "2026-10-22T14:00", "2026-10-22T14:40", 0.25, CUSTOMERS),
    ("model-api", "latency", "2026-10-08T09:00", "2026-10-08T12:00", 0.30, CUSTOMERS),
    ("feature-store", "availability", "2026-10-31T23:20", "2026-11-01T00:30", 0.02, CUSTOMERS),
    ("model-api", "availability", "2026-10-27T18:00", "2026-10-27T19:30", 0.25, ["umbrella"]),
    ("model-api", "availability", "2026-09-29T12:00", "2026-09-29T13:00", 0.30, CUSTOMERS),
    ("model-api", "availability", "2026-11-02T06:00", "2026-11-02T07:00", 0.30, CUSTOMERS),
]
BATCH_FAILURES = {
    "2026-09-30": ["acme"],
    "2026-10-03": CUSTOMERS,
    "2026-10-11": ["globex"],
    "2026-10-17": ["acme"],
    "2026-10-25": ["initech"],
    "2026-10-29": ["umbrella"],
    "2026-11-01": ["acme"],
}
BATCH_LATE = {
    "2026-10-06": ["acme", "globex"],
    "2026-10-20": ["initech", "umbrella"],
    "2026-10-29": ["umbrella"],
}
PREDICTIONS, ACCURACY = 600, 0.95
ROLLOUT = ("2026-10-12T09:00", "2026-10-14T09:00", 0.82)
LABELS_AS_OF, LABEL_DAYS = pd.Timestamp("2026-11-01T06:00Z"), 5
# (service, start, end): steps with no rows at all for that service.
SCRAPE_GAPS = [("feature-store", "2026-10-19T10:00", "2026-10-19T12:00")]


def in_window(steps, start, end):
    return (steps >= pd.Timestamp(start, tz="UTC")) & (steps < pd.Timestamp(end, tz="UTC"))


def traffic(rng, steps, mean_total, flatness, weekend):
    """Poisson request counts, shape (steps, customers)."""
    hours = steps.hour + (steps.minute + 2.5) / 60
    daily = np.interp(hours, np.arange(25), np.append(HOURLY_PROFILE, HOURLY_PROFILE[0]))
    factor = (1 + flatness * (daily - 1)) * np.where(steps.day_of_week >= 5, weekend, 1.0)
    return rng.poisson(mean_total * np.outer(factor, SHARES))


def bad_rates(steps, service, slo):
    """Bad-event fraction per (step, customer), incidents applied."""
    rates = np.full((len(steps), len(CUSTOMERS)), BACKGROUND[(service, slo)])
    for inc_service, inc_slo, start, end, rate, customers in INCIDENTS:
        if (inc_service, inc_slo) == (service, slo):
            cols = [CUSTOMERS.index(c) for c in customers]
            rows = in_window(steps, start, end)
            rates[np.ix_(rows, cols)] = np.maximum(rates[np.ix_(rows, cols)], rate)
    return rates


def long_frame(stamps, service, slo, good, total):
    return pd.DataFrame(
        {
            "timestamp": np.repeat(stamps, len(CUSTOMERS)),
            "service": service,
            "slo": slo,
            "customer": np.tile(CUSTOMERS, len(stamps)),
            "good": good.ravel(),
            "total": total.ravel(),
        }
    )


def quality(rng, steps, stamps):
    """Correct predictions among the labelled ones, and the predictions still without a label."""
    predictions = traffic(rng, steps, PREDICTIONS, 1.0, 0.8).sum(axis=1)
    age = (LABELS_AS_OF - steps) / pd.Timedelta(days=LABEL_DAYS)
    labelled = rng.binomial(predictions, np.clip(np.asarray(age, dtype=float), 0, 1))
    start, end, accuracy = ROLLOUT
    correct = rng.binomial(labelled, np.where(in_window(steps, start, end), accuracy, ACCURACY))
    return pd.DataFrame(
        {
            "timestamp": stamps,
            "service": "model-api",
            "slo": "quality",
            "customer": "",
            "good": correct,
            "total": labelled,
            "unlabelled": predictions - labelled,
        }
    )


def generate():
    rng = np.random.default_rng(SEED)
    steps = pd.date_range(START, END, freq="5min", inclusive="left")
    stamps = steps.strftime("%Y-%m-%dT%H:%M:%SZ").to_numpy()
    frames = []
    for service, mean_total, flatness, weekend in [
        ("model-api", 3000, 1.0, 0.8),
        ("feature-store", 20000, 0.35, 0.9),
    ]:
        total = traffic(rng, steps, mean_total, flatness, weekend)
        for slo in ("availability", "latency"):
            good = total - rng.binomial(total, bad_rates(steps, service, slo))
            frames.append(long_frame(stamps, service, slo, good, total))

    jobs = np.zeros((len(steps), len(CUSTOMERS)), dtype=np.int64)
    job_rows = (steps.hour == 1) & (steps.minute == 0)
    jobs[job_rows] = 1
    good_jobs = jobs.copy()
    for day, customers in BATCH_FAILURES.items():
        row = steps.get_loc(pd.Timestamp(f"{day}T01:00", tz="UTC"))
        good_jobs[row, [CUSTOMERS.index(c) for c in customers]] = 0
    frames.append(long_frame(stamps, "batch-inference", "job-success", good_jobs, jobs))
    on_time = jobs.copy()
    for day, customers in BATCH_LATE.items():
        row = steps.get_loc(pd.Timestamp(f"{day}T01:00", tz="UTC"))
        on_time[row, [CUSTOMERS.index(c) for c in customers]] = 0
    frames.append(long_frame(stamps, "batch-inference", "completion-time", on_time, jobs))
    frames.append(quality(rng, steps, stamps))

    data = pd.concat(frames, ignore_index=True)
    times = pd.to_datetime(data["timestamp"], utc=True)
    for service, start, end in SCRAPE_GAPS:
        data = data[~((data["service"] == service) & in_window(times, start, end))]
    data["unlabelled"] = data["unlabelled"].astype("Int64")
    return data.sort_values(["timestamp", "service", "slo", "customer"], ignore_index=True)


def write(data, out):
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
        gz.write(data.to_csv(index=False, lineterminator="\n").encode())


def october_summary(path):
    data = pd.read_csv(path)
    october = data[data["timestamp"].between("2026-10-01T00:00:00Z", "2026-10-31T23:55:00Z")]
    sums = october.groupby(["service", "slo"])[["good", "total"]].sum()
    print(f"{'service/slo':32} {'good':>12} {'total':>12} {'SLI':>9} {'consumed':>9}")
    for (service, slo), row in sums.iterrows():
        sli = row["good"] / row["total"]
        consumed = (1 - sli) / (1 - OBJECTIVES[(service, slo)])
        print(f"{service + '/' + slo:32} {row['good']:12d} {row['total']:12d} {sli:9.5f} {consumed:9.1%}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "data" / "ml-platform.csv.gz")
    args = parser.parse_args()
    began = time.perf_counter()
    data = generate()
    write(data, args.out)
    print(
        f"wrote {len(data)} rows to {args.out} "
        f"({args.out.stat().st_size / 1e6:.2f} MB, {time.perf_counter() - began:.1f} s)"
    )
    october_summary(args.out)


if __name__ == "__main__":
    main()
