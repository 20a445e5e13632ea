"""`make bench`: the provisioner measured through the real Pulumi engine against the local cloud.

Modules:
  run        the command line (`python -m bench.run`) and the orchestration
  workload   the generated stack (accounts.json), the matching local-cloud seed, the 10% change
  cloud      the local cloud as a subprocess (rate limits on, latency with jitter)
  engine     one Pulumi project + file backend driven through the `pulumi` CLI; plugin shims;
             the provider-process watcher (peak memory, CPU)
  launcher   the bench-only dynamic-provider launcher (worker count)
  startup    provider start-up and import timings
  floors     the rate-limit floor of a phase
  report     the tables

See docs/benchmarks.md for what is measured and how to read it.
"""
