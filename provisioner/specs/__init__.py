"""Pydantic specs of the three account types: every documented rule checked before any cloud call."""

from provisioner.specs.common import SpecError, validate_spec
from provisioner.specs.libradb import LibraDBAccountSpec
from provisioner.specs.polardb import PolarDBAccountSpec
from provisioner.specs.rds import RdsAccountSpec

__all__ = ["LibraDBAccountSpec", "PolarDBAccountSpec", "RdsAccountSpec", "SpecError", "validate_spec"]
