"""One folder per product: its rules, spec, resource, adapter and error codes."""
