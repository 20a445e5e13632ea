"""Bring existing accounts under management: `provisioner discover`.

inventory.py reads the live accounts (read-only calls through the adapters, so paced by the same
rate limiter and retry policy as `pulumi up`) and turns each into the spec a stack would declare;
program.py writes Python stack code declaring them; import_file.py writes the `pulumi import
--file` document with each resource's inputs and outputs (the engine then imports them without
calling the provider's `read`, and without any cloud call). No password is ever read or written:
the imported accounts are "password not managed" until the stack declares one.
"""
