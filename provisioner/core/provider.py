"""The dynamic provider shared by the three account types.

A subclass declares its spec model, field policy and a few hooks; everything else — check,
diff, create, read, update, delete, adoption, generated passwords — lives here once.

The provider instance is pickled into every resource's `__provider` input, so it holds no
state at all: settings and credentials are resolved per call (provisioner.core.settings) and
adapters come from a per-process factory.
"""

from __future__ import annotations

from typing import Any, ClassVar, Mapping

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from provisioner.core import codes, logs, operation, preflight, settings, workers
from provisioner.core.adapter import AccountAdapter, CloudApiError, InstanceInfo, LiveAccount
from provisioner.core.args import COMPUTED_OUTPUTS
from provisioner.core.diffing import FieldPolicy, plan_diff
from provisioner.core.operation import CLAIMS
from provisioner.core.passwords import generate_password
from provisioner.core.spec import AccountSpec, SpecError, validate_spec

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"   # pulumi.runtime.rpc.UNKNOWN, a value only known at `up`



class ProvisionError(Exception):
    """An error for the user: says what failed and what to do; never holds a password."""


def _user_errors(method):
    """Show a ProvisionError as it is: one message, without grpc's "Exception calling
    application:" wrapping (operation.abort)."""
    import functools

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except ProvisionError as exc:
            operation.fail(exc)
    return call


def _failure(field: str, reason: str) -> CheckFailure:
    # The engine prints a failing property's value next to the reason, secret or not (it formats
    # the program's raw input): a password failure is reported on the resource instead. It looks
    # up only top-level properties ("privileges.db" shows as "value {<nil>}"): nested fields too.
    if not field:
        return CheckFailure("", reason)
    if field.split(".")[0] == "password" or "." in field:
        return CheckFailure("", f"{field}: {reason}")
    return CheckFailure(field, reason)


class AccountProvider(ResourceProvider):
    product: ClassVar[str]
    spec_model: ClassVar[type[AccountSpec]]
    policy: ClassVar[FieldPolicy]
    instance_field: ClassVar[str]          # "cluster_id" or "instance_id"
    serialize_as_secret_always = False     # nothing secret is captured: keep __provider small

    # --- hooks for subclasses -------------------------------------------------------------

    def host(self, spec: AccountSpec) -> str:
        return ""

    def resource_id(self, spec: AccountSpec) -> str:
        return f"{self.instance_id(spec)}:{spec.name}"

    def to_inputs(self, spec: AccountSpec) -> dict[str, Any]:
        """The normalised inputs: what check returns and what the diff compares."""
        return spec.model_dump(mode="json")

    def from_live(self, live: LiveAccount) -> dict[str, Any]:
        """The comparable fields as the cloud reports them."""
        return {"description": live.description, "privileges": live.privileges,
                "account_type": live.account_type}

    def check_live(self, spec: AccountSpec, instance: InstanceInfo) -> None:
        """Rules that depend on the live cluster/instance (engine), checked before the first write."""

    def client_token(self, spec: AccountSpec, props: dict[str, Any]) -> str | None:
        return None

    def live_rule_failures(self, spec: AccountSpec, instance: InstanceInfo,
                           accounts: dict[tuple[str, str], LiveAccount], *,
                           own: LiveAccount | None) -> list[tuple[str, str]]:
        """Rules that depend on the instance's other accounts (one privileged account per
        instance, ...). `own` is this resource's account when it is about to be re-created."""
        return []

    def privilege_databases(self, spec: AccountSpec) -> set[str]:
        """The databases the declared privileges name (checked to exist before the first write)."""
        return set(getattr(spec, "privileges", None) or {})

    def collision_failures(self, spec: AccountSpec, live: LiveAccount) -> list[tuple[str, str]]:
        """A new account would be created where `live` already is."""
        if not spec.adopt:
            return [("name", preflight.exists_message(self, spec, live))]
        problem = self.adopt_problem(spec, live)
        return [problem] if problem else []

    def adopt_problem(self, spec: AccountSpec, live: LiveAccount) -> tuple[str, str] | None:
        """(field, why) `live` cannot be adopted as declared: adoption never changes what the APIs
        cannot change in place — an account's type (a Super account also refuses per-database
        grants) — or the next `refresh` would find it different and replace the account."""
        declared = getattr(spec, "account_type", None)
        if declared is None or live.account_type == declared:
            return None
        return ("account_type", f"{self.where(spec)} exists as a {live.account_type} account but is declared "
                f"{declared}; adopting cannot change an account's type, so nothing was changed. "
                f"Declare account_type=\"{live.account_type}\" to adopt it as it is, or choose another name.")

    def identity_key(self, spec: AccountSpec) -> tuple:
        return (self.product, self.instance_id(spec), spec.name, self.host(spec))

    # --- what discovery, review and policy ask of a product ---------------------------------

    def account_label(self, props: Mapping[str, Any]) -> str:
        """The account as people name it: name (LibraDB: name@host)."""
        return str(props.get("name"))

    def name_problem(self, name: str, instance: InstanceInfo) -> str | None:
        """Why no stack can declare an account of this name on `instance` (system, reserved), or None."""
        return None

    def privileged_reason(self, live: LiveAccount) -> str | None:
        """Why a live account counts as privileged (an administrator, not an application), or None."""
        if live.account_type and live.account_type != "Normal":
            return f"{live.account_type} account"
        return None

    def discovered_inputs(self, instance: InstanceInfo, live: LiveAccount, region: str) -> dict[str, Any]:
        """The arguments a stack would give for `live` as it is (privileges in the cloud's form)."""
        data: dict[str, Any] = {self.instance_field: instance.id, "name": live.name}
        if "account_type" in self.spec_model.model_fields:
            data["account_type"] = live.account_type or "Normal"
        if live.description:
            data["description"] = live.description
        data["privileges"] = live.privileges or {}
        data["region"] = region
        return data

    def code_arguments(self, spec: AccountSpec) -> dict[str, Any]:
        """The arguments of generated stack code: only what differs from the resource's defaults."""
        data = spec.model_dump(mode="json", exclude_none=True)
        for key in ("adopt", "password_version", "max_user_connections", "engine", "engine_version"):
            data.pop(key, None)
        if not data.get("privileges"):
            data.pop("privileges", None)
        return data

    def databases_in(self, privileges: Any) -> list[str]:
        """The database names a `privileges` input names ({database: privilege} by default)."""
        return [str(db) for db in privileges] if isinstance(privileges, Mapping) else []

    # --- helpers (public: instance_id, identity, parse_id, find_account, where; recover uses them) ---

    def instance_id(self, spec: AccountSpec) -> str:
        return getattr(spec, self.instance_field)

    def _spec(self, props: dict[str, Any]) -> AccountSpec:
        fields = self.spec_model.model_fields
        return validate_spec(self.spec_model, {k: v for k, v in props.items() if k in fields})

    def identity(self, props: dict[str, Any], id_: str | None = None) -> AccountSpec:
        """The recorded account without re-validating it: read and delete must work even when
        live values (say, a description changed out of band) break today's input rules.
        With no recorded identity (a resource imported by id into the state), the id says it."""
        fields = self.spec_model.model_fields
        values = {k: v for k, v in props.items() if k in fields}
        if id_ and not (values.get("name") and values.get(self.instance_field)):
            values.update(self.parse_id(id_))
        return self.spec_model.model_construct(**values)

    def parse_id(self, id_: str) -> dict[str, Any]:
        """The inverse of resource_id: "instance:name" (LibraDB: "cluster:name@host")."""
        instance, _, name = id_.partition(":")
        return {self.instance_field: instance, "name": name}

    def _adapter(self, spec: AccountSpec) -> AccountAdapter:
        from provisioner.core.clients import adapter_for  # the SDKs load on first cloud call, not at preview
        return adapter_for(self.product, settings.settings_for(self.product, spec.region))

    def find_account(self, spec: AccountSpec) -> LiveAccount | None:
        """The account as the cloud has it now (a fresh read, past every cache), or None when
        the cluster/instance has no such account. Raises CloudApiError (kind not_found: the
        cluster/instance itself is gone). Used outside the engine's calls, e.g. by recover."""
        return self._adapter(spec).get_account(self.instance_id(spec), spec.name, self.host(spec), fresh=True)

    def where(self, spec: AccountSpec) -> str:
        """The account in words, for messages: "<product> account '<name>[@host]' on <instance>"."""
        host = self.host(spec)
        who = f"{spec.name}@{host}" if host else spec.name
        return f"{self.product} account '{who}' on {self.instance_id(spec)}"

    def _fail(self, doing: str, spec: AccountSpec, exc: Exception) -> ProvisionError:
        return ProvisionError(f"{doing} {self.where(spec)}: {exc}")

    def _outputs(self, spec: AccountSpec, password: str | None, generated: bool,
                 instance: InstanceInfo | None, previous: dict[str, Any] | None = None) -> dict[str, Any]:
        """password None: the account's password is not managed (imported or adopted without one)."""
        outs = self.to_inputs(spec)
        outs["password"] = password
        outs["password_generated"] = generated and password is not None
        outs["password_managed"] = password is not None
        outs["engine"] = instance.engine if instance else (previous or {}).get("engine")
        outs["endpoint"] = instance.endpoint if instance else (previous or {}).get("endpoint")
        return outs

    # --- Pulumi provider interface ----------------------------------------------------------

    def configure(self, req: ConfigureRequest) -> None:
        # The provider process's first call on a provider (pulumi.dynamic's get_provider calls
        # it before check, create, read, ...): its logging first, so every later line is kept.
        logs.configure_from_env()
        settings.remember(req.config)
        workers.lift_worker_limit()   # 16 calls at once by default (workers.py), provider process only

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        result = self.check_static(olds, news)
        if result.failures or any(v == UNKNOWN for v in result.inputs.values()):
            return result   # unknowns: checked again at `up`, when they are known
        spec = self._spec(result.inputs)
        failures = [_failure(f, r) for f, r in self._operation_failures(spec, olds, result.inputs)]
        return CheckResult(result.inputs, failures)

    def check_static(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """The inputs' own rules and their normalised form; no cloud call."""
        fields = self.spec_model.model_fields
        unknown = {k for k, v in news.items() if v == UNKNOWN}
        data = {k: v for k, v in news.items() if k in fields and k not in unknown}
        unexpected = sorted(k for k in news if k not in fields and not k.startswith("__") and k not in COMPUTED_OUTPUTS)
        try:
            spec = validate_spec(self.spec_model, data)
        except SpecError as exc:
            failures = [(f, r) for f, r in exc.failures if f.split(".")[0] not in unknown]
            if failures or unexpected:
                return CheckResult(news, [_failure(f, r) for f, r in failures] +
                                   [CheckFailure(k, "is not a known argument") for k in unexpected])
            return CheckResult(news, [])   # only unknowns are missing: check again at `up`
        inputs = self.to_inputs(spec)
        inputs.update({k: UNKNOWN for k in unknown})
        return CheckResult(inputs, [CheckFailure(k, "is not a known argument") for k in unexpected])

    def _operation_failures(self, spec: AccountSpec, olds: dict[str, Any],
                            inputs: dict[str, Any]) -> list[tuple[str, str]]:
        """Across resources (the same account declared twice), then against the live instance
        when `up` would create or change the account (no cloud call otherwise)."""
        urn = operation.calling_urn()
        other = CLAIMS.claim(self.identity_key(spec), urn)
        if other is not None:
            return [("name", preflight.duplicate_message(self, spec, other))]
        if not olds and CLAIMS.replacing(urn):
            # The engine checks a resource it is about to replace a second time, without its old
            # inputs (step_generator.go): it is not a new account, and it passed its first check.
            return []
        intent = preflight.plan_intent(self, olds, inputs)
        if olds and (intent.creating or intent.recreating):
            CLAIMS.mark_replacing(urn)
        return preflight.live_failures(self, spec, intent) if intent.any else []

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        plan = plan_diff(self.policy, olds, news, password_changed=self._password_changed(olds, news))
        return DiffResult(changes=plan.has_changes, replaces=plan.replaces, stables=plan.stables,
                          delete_before_replace=plan.delete_before_replace)

    @staticmethod
    def password_managed(olds: dict[str, Any]) -> bool:
        """False for an account imported or adopted without a password: its password is whatever
        it was, unknown to the stack. Outputs written before that flag existed are managed."""
        return olds.get("password_managed") is not False

    @classmethod
    def _password_changed(cls, olds: dict[str, Any], news: dict[str, Any]) -> bool:
        if news.get("password"):
            return news["password"] != olds.get("password")
        if not cls.password_managed(olds):
            # Left alone until the user asks: a password_version means "generate one now".
            return news.get("password_version") is not None
        # No password given: a generated one stays until password_version changes.
        return not olds.get("password_generated") or news.get("password_version") != olds.get("password_version")

    @staticmethod
    def _wants_password(spec: AccountSpec) -> bool:
        """Adopting an existing account resets its password only when one is declared (a
        password, or a password_version for a generated one)."""
        return spec.password is not None or spec.password_version is not None

    @_user_errors
    def create(self, props: dict[str, Any]) -> CreateResult:
        spec = self._spec(props)
        adapter = self._adapter(spec)
        instance_id, host = self.instance_id(spec), self.host(spec)
        try:
            instance = adapter.describe_instance(instance_id)
        except CloudApiError as exc:
            raise self._fail("cannot create", spec, exc) from None
        try:
            self.check_live(spec, instance)
        except SpecError as exc:
            raise ProvisionError(f"invalid {self.where(spec)} for {instance.engine} {instance.version}: {exc}") from None
        request = self.to_inputs(spec)
        request["host"] = host
        try:
            # Look before writing: an existing account is adopted or refused without a refused
            # CreateAccount (the cached list, confirmed by a fresh read when it names the account).
            existing = (adapter.get_account(instance_id, spec.name, host, privileges=False)
                        and adapter.get_account(instance_id, spec.name, host, fresh=True, privileges=False))
        except CloudApiError as exc:
            raise self._fail("cannot create", spec, exc) from None
        if existing and not spec.adopt:
            raise ProvisionError(preflight.exists_message(self, spec, existing))
        if existing:
            return self._adopted(adapter, spec, instance)
        password = spec.password or generate_password()
        try:
            adapter.create_account(instance_id, request, password, client_token=self.client_token(spec, props))
        except CloudApiError as exc:
            if exc.kind != codes.EXISTS:   # the kind its product's code table gives (core/codes.py)
                raise self._fail("cannot create", spec, exc) from None
            if not spec.adopt:   # made by someone else between our read and our create
                live = adapter.get_account(instance_id, spec.name, host, fresh=True, privileges=False)
                message = preflight.exists_message(self, spec, live) if live else f"{self.where(spec)} already exists"
                raise ProvisionError(f"{message} ({exc.code}, request id {exc.request_id})") from None
            if not exc.after_transient:
                return self._adopted(adapter, spec, instance)
            # An earlier attempt of our create was lost in transit and probably made the account
            # with `password`: set it, rather than leave an account whose password nobody knows.
            self._adopt(adapter, spec, password)
        return CreateResult(self.resource_id(spec), self._outputs(spec, password, spec.password is None, instance))

    def _adopted(self, adapter: AccountAdapter, spec: AccountSpec, instance: InstanceInfo) -> CreateResult:
        password = (spec.password or generate_password()) if self._wants_password(spec) else None
        self._adopt(adapter, spec, password)
        return CreateResult(self.resource_id(spec), self._outputs(spec, password, spec.password is None, instance))

    def _adopt(self, adapter: AccountAdapter, spec: AccountSpec, password: str | None) -> None:
        instance_id, host = self.instance_id(spec), self.host(spec)
        try:
            live = adapter.get_account(instance_id, spec.name, host, fresh=True)
            if live is None:
                raise ProvisionError(f"{self.where(spec)} was reported as existing but cannot be read")
            problem = self.adopt_problem(spec, live)   # before the first write: nothing changed yet
            if problem:
                raise ProvisionError(problem[1])
            self._apply(adapter, spec, live, password)
        except CloudApiError as exc:
            raise self._fail("cannot adopt", spec, exc) from None

    def _apply(self, adapter: AccountAdapter, spec: AccountSpec, live: LiveAccount, password: str | None) -> None:
        """Bring a live account to the spec, field by field (password only when given)."""
        desired, current = self.to_inputs(spec), self.from_live(live)
        if password is not None:
            adapter.set_password(self.instance_id(spec), spec.name, self.host(spec), password)
        changed = set(plan_diff(self.policy, current, desired).changed)
        for field in self.apply_order:
            if field in changed:
                self.apply_field(adapter, spec, field, current[field], desired[field])

    # In-place fields `_apply` sets, in this order (a product with another in-place field adds it
    # here and in apply_field; LibraDB's host goes first, in before_update: it is identity).
    apply_order: ClassVar[tuple[str, ...]] = ("description", "privileges")

    def apply_field(self, adapter: AccountAdapter, spec: AccountSpec, field: str, current: Any, desired: Any) -> None:
        """Set one in-place field that differs from the live account."""
        instance_id, host = self.instance_id(spec), self.host(spec)
        if field == "description":
            adapter.set_description(instance_id, spec.name, host, desired)
        elif field == "privileges":
            adapter.set_privileges(instance_id, spec.name, host, current, desired)
        else:
            raise NotImplementedError(f"{self.product}: no way to set {field} in place")

    @_user_errors
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        spec = self.identity(props, id_)
        try:
            live = self._adapter(spec).get_account(self.instance_id(spec), spec.name, self.host(spec))
        except CloudApiError as exc:
            if exc.kind in codes.GONE:   # the account, or its whole cluster/instance, no longer exists
                return ReadResult(None, {})
            raise self._fail("cannot read", spec, exc) from None
        if live is None:
            return ReadResult(None, {})   # deleted out of band: refresh drops it, `up` recreates it
        outs = {k: v for k, v in props.items() if not k.startswith("__")}
        if not (outs.get("name") and outs.get(self.instance_field)):   # imported by id alone
            outs.update(self.parse_id(id_))
        outs.update(self.from_live(live))
        return ReadResult(id_, outs)

    @_user_errors
    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        spec = self._spec(news)
        adapter = self._adapter(spec)
        instance_id = self.instance_id(spec)
        rotate = self._password_changed(olds, news)
        password = (spec.password or generate_password()) if rotate else olds.get("password")
        if not rotate and not self.password_managed(olds):
            password = None
        try:
            self.before_update(adapter, spec, olds)
            live = adapter.get_account(instance_id, spec.name, self.host(spec), fresh=True)
            if live is None:
                raise ProvisionError(f"{self.where(spec)} no longer exists in the cloud; run `pulumi refresh` "
                                     f"and then `pulumi up` to create it again")
            self._apply(adapter, spec, live, password if rotate else None)
        except CloudApiError as exc:
            raise self._fail("cannot update", spec, exc) from None
        return UpdateResult(self._outputs(spec, password, spec.password is None, None, olds))

    def before_update(self, adapter: AccountAdapter, spec: AccountSpec, olds: dict[str, Any]) -> None:
        """Changes that must precede the others (LibraDB moves the host first: it is identity)."""

    @_user_errors
    def delete(self, _id: str, props: dict[str, Any]) -> None:
        spec = self.identity(props)
        urn = operation.calling_urn()
        owner = CLAIMS.other_owner(self.identity_key(spec), urn)
        if owner is not None:
            # A rename without aliases, or an adoption: another resource of this operation now
            # manages the account. Deleting it would take the account from under that resource.
            operation.note(f"kept {self.where(spec)}: resource '{operation.resource_name(owner)}' of this "
                           f"update manages it now; '{operation.resource_name(urn)}' leaves the state without "
                           f"deleting it")
            return
        try:
            self._adapter(spec).delete_account(self.instance_id(spec), spec.name, self.host(spec))
        except CloudApiError as exc:
            if exc.kind not in codes.GONE:
                raise self._fail("cannot delete", spec, exc) from None
