"""Replaced by each test with the stack code `provisioner discover` writes (see test_existing_accounts.py)."""
