"""Guardrails at `pulumi preview`: a CrossGuard policy pack shipped with the package.

    pulumi preview --policy-pack "$PWD/.venv/bin/provisioner-policy-pack" \
                   --policy-pack-config policy/prod.json

The rules are plain functions (rules.py); pack.py wires them into pulumi-policy.
"""
