"""Old module paths, kept because stacks written by 0.1.0 pickle them (provisioner/compat.py).

The resources live in provisioner/products/<product>/ since 0.2.0.
"""
