"""The registry is the one list of products: every descriptor points at parts that exist and agree,
and every part that needs a product list reads it from here."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from provisioner.products import NAMES, REGISTRY, by_type_token, product


@pytest.mark.parametrize("name", NAMES)
def test_a_descriptor_names_parts_that_exist_and_agree(name):
    p = REGISTRY[name]
    provider = p.provider_class()
    assert provider.product == name
    assert provider.instance_field == p.instance_field
    assert provider.spec_model is p.spec_model()
    assert p.instance_field in provider.spec_model.model_fields
    assert provider.policy.identity <= set(provider.spec_model.model_fields)
    resource = p.load(p.resource)
    assert f"pulumi-python:{resource._resource_type_name}" == p.type_token
    module = importlib.import_module(p.resource.partition(":")[0])
    assert all(hasattr(module, export) for export in p.exports)
    assert p.resource_class_name in p.exports
    assert p.code_table().product == name
    assert p.adapter_class().__name__.endswith("Adapter")
    assert callable(p.load(p.client))
    importlib.import_module(p.emulator_service)
    assert by_type_token(p.type_token) is p


def test_an_unknown_product_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="libradb, rds, polardb"):
        product("mongodb")


def test_reading_the_registry_loads_no_sdk():
    """recover, the CLI and the local cloud read it before anything heavy is imported."""
    code = ("import sys; import provisioner.products, provisioner.compat, provisioner.core.settings; "
            "heavy = [m for m in sys.modules if m.split('.')[0] in ('pulumi', 'tencentcloud', 'alibabacloud_tea_openapi', "
            "'alibabacloud_rds20140815', 'alibabacloud_polardb20170801', 'pydantic')]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_local_cloud_serves_the_registered_products():
    from provisioner.localcloud import store
    assert tuple(store.PRODUCTS) == NAMES
