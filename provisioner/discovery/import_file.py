"""The `pulumi import --file` document: per account its type, name, id, inputs and outputs.

With outputs supplied, the engine (3.259: pkg/resource/deploy/step.go, ImportStep.Apply)
imports the resource from them as they are and skips the provider's Read; it then calls the
provider's Check with the inputs (ours makes no cloud call when nothing would change). So both
must be exactly what the provider itself records: inputs = what `check` returns, outputs =
what `create` returns for an account whose password is not managed, and in both the serialized
provider (`__provider`) exactly as the Resource serializes it in the program.
"""

from __future__ import annotations

from typing import Any

from provisioner.discovery.inventory import Found, provider_for
from provisioner.discovery.naming import TYPE_TOKENS, resource_name

PROVIDER_KEY = "__provider"


def serialized_provider(product: str) -> str:
    """What pulumi.dynamic.Resource stores in __provider: dill + base64 of the provider object
    (classes pickled by reference, so the same bytes as in the program's registration)."""
    from pulumi.dynamic.dynamic import serialize_provider
    return serialize_provider(provider_for(product))


def entry(found: Found, provider_blob: str) -> dict[str, Any]:
    provider = provider_for(found.product)
    spec = found.spec
    assert spec is not None
    inputs = {**provider.to_inputs(spec), PROVIDER_KEY: provider_blob}
    outputs = {**provider._outputs(spec, None, False, found.instance), PROVIDER_KEY: provider_blob}
    return {"type": TYPE_TOKENS[found.product], "name": resource_name(found),
            "id": provider.resource_id(spec), "inputs": inputs, "outputs": outputs}


def document(found_all: list[Found]) -> dict[str, Any]:
    blobs: dict[str, str] = {}
    resources = []
    for found in found_all:
        if found.declared:
            if found.product not in blobs:
                blobs[found.product] = serialized_provider(found.product)
            resources.append(entry(found, blobs[found.product]))
    return {"resources": resources}
