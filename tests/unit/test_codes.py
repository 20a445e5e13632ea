"""Error codes as data (provisioner/products/*/codes.py): every code the local cloud can answer has a
kind in its product's table, and the tables agree with the behaviour they drive."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from provisioner.core import codes, errors
from provisioner.localcloud import behaviour
from provisioner.localcloud.services import polardb as lc_polardb
from provisioner.localcloud.services import rds as lc_rds

LOCALCLOUD = Path(__file__).resolve().parents[2] / "provisioner/localcloud"
_LITERAL = re.compile(r'(?:CloudError|_err|\berror)\(\s*(f?)"([^"]+)"')
# Codes built from a parameter name: every name the local cloud uses them with.
_TEMPLATES = {
    "Missing{name}": ["MissingSignature", "MissingAccessKeyId", "MissingTimestamp", "MissingSignatureNonce",
                      "MissingSignatureMethod", "MissingDBInstanceId", "MissingDBClusterId", "MissingAccountName",
                      "MissingAccountPassword", "MissingNewAccountPassword", "MissingAccountDescription",
                      "MissingDBName", "MissingAccountPrivilege", "MissingRegionId"],
    "Invalid{name}.Malformed": ["InvalidPageNumber.Malformed", "InvalidPageSize.Malformed"],
    "Invalid{name}.ValueNotSupported": ["InvalidSignatureMethod.ValueNotSupported",
                                        "InvalidSignatureVersion.ValueNotSupported"],
}


def _codes_in(text: str) -> set[str]:
    found = set()
    for fstring, code in _LITERAL.findall(text):
        if fstring and "{" in code:
            assert code in _TEMPLATES, f"new computed error code {code!r}: list its values in _TEMPLATES"
            found.update(_TEMPLATES[code])
        else:
            found.add(code)
    return found


def local_cloud_codes() -> dict[str, set[str]]:
    """Every code the local cloud can answer, per product (the wire layer's codes go to every
    product of that cloud)."""
    def scan(*paths: str) -> set[str]:
        return set().union(*(_codes_in((LOCALCLOUD / path).read_text()) for path in paths))

    alibaba = scan("wire/alibaba.py", "wire/acs.py", "wire/alibaba_params.py", "services/alibaba.py") \
        | {"Throttling", "InternalError"}
    out = {
        "libradb": scan("wire/tencent.py", "wire/tc3.py", "wire/libradb.py", "services/libradb.py")
        | {"RequestLimitExceeded", "InternalError"},
        "rds": alibaba | scan("wire/rds.py") | {code for _, code, _ in lc_rds.ERRORS.values()},
        "polardb": alibaba | scan("wire/polardb.py") | {code for _, code, _ in lc_polardb.ERRORS.values()},
    }
    for product, refusals in behaviour.BUSY_REFUSALS.items():
        out[product] |= set(refusals)
    return out


@pytest.mark.parametrize("product", ["libradb", "rds", "polardb"])
def test_every_code_the_local_cloud_answers_has_a_kind(product):
    found = local_cloud_codes()[product]
    assert len(found) > 20   # the scan works
    missing = sorted(c for c in found if codes.table(product).kind_of(c) is None)
    assert not missing, f"{product}: codes without a kind in provisioner/products/{product}/codes.py: {missing}"


@pytest.mark.parametrize("product", ["libradb", "rds", "polardb"])
def test_every_busy_refusal_is_waited_out(product):
    for code in behaviour.BUSY_REFUSALS[product]:
        assert codes.kind_of(product, code) in (codes.WAITED | {codes.THROTTLED}), code


@pytest.mark.parametrize("code", [  # the codes issue 11 lists, read from the Terraform providers
    "OperationDenied.DBInstanceStatus", "OperationDenied.DBStatus", "IncorrectDBInstanceState",
    "ConcurrentTaskExceeded", "LockTimeout", "InstanceConnectTimeoutFault", "OperationDenied.OutofUsage",
    "AccountActionForbidden", "InvalidDB.NotFound", "Rejected.Throttling"])
@pytest.mark.parametrize("product", ["rds", "polardb"])
def test_alibaba_try_again_codes_are_retried(product, code):
    kind = errors.classify(code, 400, product)
    assert kind in (codes.BUSY, codes.NOT_READY, codes.THROTTLED), (product, code, kind)


@pytest.mark.parametrize("code", ["ResourceInUse", "ResourceBusy", "ResourceUnavailable.Anything",
                                  "ResourceInUse.Something", "FailedOperation.OperationFailedError"])
def test_tencent_try_again_codes_are_retried(code):
    assert errors.classify(code, None, "libradb") in (codes.BUSY, codes.NOT_READY)


@pytest.mark.parametrize("product, code, gone", [("rds", "InvalidAccountName.NotFound", True),
                                                ("libradb", "ResourceNotFound.ClusterNotFoundError", True),
                                                ("polardb", "InvalidAccountName.Duplicate", False)])
def test_the_provider_reads_an_error_by_the_kind_its_products_table_gives(product, code, gone):
    """Deleting an account that is already gone succeeds; any other failure is the user's to see.
    The provider keeps no code list: the kind comes from the product's table (errors.make_error)."""
    from provisioner.core.provider import ProvisionError
    from provisioner.products import product as registered

    class Adapter:
        def delete_account(self, *args, **kwargs):
            raise errors.make_error("DeleteAccount", code, "no", "req-1", product=product)

    provider = registered(product).provider_class()()
    provider._adapter = lambda spec: Adapter()
    props = {"cluster_id": "c-1", "instance_id": "c-1", "name": "app", "host": "%"}
    props = {k: v for k, v in props.items() if k in provider.spec_model.model_fields}
    if gone:
        provider.delete("c-1:app", props)
    else:
        with pytest.raises((ProvisionError, Exception), match="InvalidAccountName.Duplicate"):
            provider.delete("c-1:app", props)


def test_an_unknown_kind_in_a_table_is_refused():
    with pytest.raises(ValueError):
        codes.CodeTable("x", {"Code": "maybe"})
