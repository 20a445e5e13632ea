"""Reading `pulumi preview --json` for a reviewer: what changes, per product, secrets masked."""
