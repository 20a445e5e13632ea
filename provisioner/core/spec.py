"""What the three specs share: the base model, the rule-to-validator bridge and error mapping."""

from __future__ import annotations

from typing import Annotated, Any, Callable, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from provisioner.core import rules

M = TypeVar("M", bound="AccountSpec")


def rule(check: Callable[..., str | None], *args: Any) -> Callable[[Any], Any]:
    """Turn a rules.py check into a pydantic validator body: raise ValueError with the rule."""
    def validate(value: Any) -> Any:
        if value is None:
            return value
        problem = check(value, *args)
        if problem:
            raise ValueError(problem)
        return value
    return validate


class AccountSpec(BaseModel):
    """Fields every account type has. Unknown fields are an error, not silently dropped."""
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)

    name: str
    password: str | None = None
    password_version: Annotated[str | None, BeforeValidator(lambda v: None if v is None else str(v))] = None
    description: str | None = None
    region: Annotated[str | None, AfterValidator(rule(rules.check_region))] = None
    adopt: bool = False

    def __repr__(self) -> str:  # never show a password in a repr or traceback
        fields = {k: ("[secret]" if k == "password" and v else v) for k, v in self.__dict__.items()}
        return f"{type(self).__name__}({fields})"

    __str__ = __repr__


# A database name as a key of `privileges` (rules.check_database_name). Alibaba's APIs (RDS,
# PolarDB) separate database names with commas, so there a comma is refused; LibraDB's Db is a
# JSON field of its own, where a comma is just a character.
DatabaseKey = Annotated[str, AfterValidator(rule(lambda v: rules.check_database_name(v, comma_list=True)))]
LibraDBDatabaseKey = Annotated[str, AfterValidator(rule(lambda v: rules.check_database_name(v, comma_list=False)))]

InstanceId = Annotated[str, AfterValidator(rule(rules.check_instance_id))]


class SpecError(ValueError):
    """Bad input: `failures` lists (field, reason) pairs for Pulumi's CheckFailure."""

    def __init__(self, failures: list[tuple[str, str]]):
        self.failures = failures
        super().__init__("; ".join(f"{field}: {reason}" for field, reason in failures))


def validate_spec(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise SpecError([f for err in exc.errors() for f in _failures(err)]) from None


def model_rule_error(failures: list[tuple[str, str]]) -> ValueError:
    """A model-level rule can break several fields at once: one 'field: reason' per line."""
    return ValueError("\n".join(f"{field}: {reason}" for field, reason in failures))


def _failures(err: ErrorDetails) -> list[tuple[str, str]]:
    # A bad dict key is reported by pydantic at (..., key, "[key]"): name the key's path.
    loc = err["loc"][:-1] if err["loc"][-1:] == ("[key]",) else err["loc"]
    field, reason = ".".join(str(part) for part in loc), _reason(err)
    if field:
        return [(field, reason)]
    return [(name, why) for name, _, why in (line.partition(": ") for line in reason.splitlines())]


def _reason(err: ErrorDetails) -> str:
    # pydantic prefixes our ValueErrors with "Value error, "; drop it, and never echo input values.
    message = str(err.get("msg", "invalid"))
    return message.removeprefix("Value error, ")
