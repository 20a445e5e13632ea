"""Serve the provisioner policy pack (provisioner/policy/pack.py)."""

from provisioner.policy.__main__ import main

raise SystemExit(main())
