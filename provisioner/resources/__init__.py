"""Old module paths, kept because stacks written before 0.3.0 pickle them (provisioner/compat.py).

The resources live in provisioner/products/<product>/ since 0.3.0.
"""
