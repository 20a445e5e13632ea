"""The one call policy shared by the three clouds, one job per module (modelled on botocore's
`botocore/retries`: the error codes are data, the limiter and the backoff are apart).

- clock.py      real time, or a test's fake (monotonic, sleep)
- policy.py     RetryPolicy: every knob (attempts, deadlines, backoff, waits, SDK timeouts, cache
                and batch sizes), read from PROVISIONER_CLOUD_* / PROVISIONER_LIBRADB_BATCH_*;
                backoff_delay: exponential backoff with full jitter
- deadlines.py  the caller's deadline (this thread's context) that caps every call in a block
- limiter.py    client-side rate limits per (product, action): token buckets at the documented
                limits, the limits as data (DEFAULT_LIMITS, PROVISIONER_CLOUD_RATE_LIMITS); the
                process-wide limiter is built on first use, never at import
- counters.py   wire calls and errors per product:Action, and the time spent waiting
- waiting.py    waiting while an instance is not Running or is locked, and the error that says
                how long was waited; wait_log, the log of every pause
- caller.py     Caller: one cloud call under all of the above

What each error code means (throttled, transient, busy, not ready, gone, ...) is data too: each
product's table in provisioner/products/<product>/codes.py, read through provisioner.core.codes
and provisioner.core.errors. The SDKs' own retryers are off (provisioner/core/clients.py): they
are broken or opaque.
"""
