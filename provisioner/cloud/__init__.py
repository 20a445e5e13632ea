"""Cloud adapters: one per cloud API, over the official SDKs, behind one interface (base.py)."""
