"""Error classification and messages; a password never leaks into a CloudApiError."""

from __future__ import annotations

import traceback

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException, ThrottlingException
from darabonba.exceptions import RetryError, UnretryableException
from darabonba.policy.retry import RetryPolicyContext
from darabonba.request import DaraRequest

from cloud_fakes import FakeClock, tc_error
from provisioner.core import errors
from provisioner.core.adapter import CloudApiError
from provisioner.core.retry.caller import Caller
from provisioner.core.retry.counters import CallCounters
from provisioner.core.retry.limiter import RateLimiter
from provisioner.core.retry.policy import RetryPolicy

PASSWORD = "S3cr&t!Pass=word"
ENCODED = "S3cr%26t%21Pass%3Dword"


@pytest.mark.parametrize("code,status,kind", [
    ("RequestLimitExceeded", None, errors.THROTTLED), ("Throttling.User", 400, errors.THROTTLED),
    ("Throttling", 400, errors.THROTTLED), ("ServiceUnavailable", 503, errors.THROTTLED),
    ("InternalError", 500, errors.TRANSIENT), ("InternalError.DbOperationFailed", None, errors.TRANSIENT),
    ("ClientNetworkError", None, errors.TRANSIENT), ("NetworkError", None, errors.TRANSIENT),
    ("UnknownError", 502, errors.TRANSIENT), ("LockTimeout", 400, errors.BUSY),
    ("OperationDenied.InstanceStatusDeniedError", None, errors.NOT_READY),
    ("ResourceUnavailable.InstanceLockFail", None, errors.NOT_READY),
    ("IncorrectDBInstanceState", 403, errors.NOT_READY), ("IncorrectDBInstanceLockMode", 404, errors.NOT_READY),
    ("OperationDenied.DBClusterStatus", 403, errors.NOT_READY), ("OperationDenied.LockMode", 403, errors.NOT_READY),
    ("ResourceNotFound.ClusterNotFoundError", None, errors.NOT_FOUND),
    ("InvalidDBInstanceId.NotFound", 404, errors.NOT_FOUND), ("InvalidDBClusterId.NotFound", 404, errors.NOT_FOUND),
    ("InvalidParameterValue.AccountNotExistError", None, errors.ACCOUNT_NOT_FOUND),
    ("InvalidAccountName.NotFound", 404, errors.ACCOUNT_NOT_FOUND),
    ("InvalidParameterValue.AccountAlreadyExistError", None, errors.EXISTS),
    ("InvalidParameterValue.AccountExist", None, errors.EXISTS), ("InvalidAccountName.Duplicate", 400, errors.EXISTS),
    ("InvalidAccountPassword.Format", 400, errors.FATAL), ("AccountLimitExceeded", 403, errors.FATAL),
    ("AuthFailure.SignatureFailure", None, errors.AUTH), ("InvalidDBName.NotFound", 404, errors.FATAL),
])
def test_classify(code, status, kind):
    assert errors.classify(code, status) == kind


def test_message_has_code_request_id_and_a_hint():
    err = errors.translate("CreateLibraDBClusterAccounts",
                           tc_error("ResourceNotFound.ClusterNotFoundError", "The cluster c-1 does not exist.", "rid-9"))
    assert str(err) == ("CreateLibraDBClusterAccounts failed: ResourceNotFound.ClusterNotFoundError: The cluster "
                        "c-1 does not exist. Check the instance/cluster id and the region configured for the "
                        "provider (request id rid-9)")
    assert (err.code, err.request_id, err.kind, err.retryable) == ("ResourceNotFound.ClusterNotFoundError", "rid-9",
                                                                   errors.NOT_FOUND, False)
    auth = errors.translate("X", tc_error("AuthFailure.SecretIdNotFound", "The SecretId is not found."))
    assert "access key" in str(auth)


def test_alibaba_exception_fields():
    exc = ClientException(status_code=403, code="IncorrectDBInstanceState",
                          message="code: 403, Current DB instance state does not support this operation. request id: R1",
                          data={"Message": "Current DB instance state does not support this operation.",
                                "RequestId": "R1"}, request_id="R1")
    err = errors.translate("CreateAccount", exc)
    assert (err.code, err.status, err.request_id, err.kind) == ("IncorrectDBInstanceState", 403, "R1", errors.NOT_READY)
    assert "request id: R1" not in err.cloud_message    # the cloud's own message, not the SDK's wrapper
    server = errors.translate("X", ServerException(status_code=500, code="InternalError", message="m", data={}))
    assert server.kind == errors.TRANSIENT and server.retryable
    throttled = errors.translate("X", ThrottlingException(status_code=400, code="Throttling", message="m",
                                                          data={}, retry_after=1))
    assert throttled.kind == errors.THROTTLED


def _leaky_exceptions():
    url = f"http://127.0.0.1:1/?AccountName=bob&AccountPassword={ENCODED}&Action=CreateAccount"
    req = DaraRequest()
    req.query = {"AccountPassword": PASSWORD}
    network = UnretryableException(RetryPolicyContext(
        retries_attempted=1, http_request=req,
        exception=RetryError(f"HTTPConnectionPool(host='127.0.0.1', port=1): Max retries exceeded with url: {url}")))
    client = ClientException(status_code=400, code="InvalidAccountPassword.Format",
                             message=f"code: 400, password {PASSWORD} is bad request id: R",
                             data={"Message": f"AccountPassword={PASSWORD} is not valid", "RequestId": "R"})
    tencent = tc_error("InvalidParameterValue.IllegalPassword", f'bad "AccountPassword": "{PASSWORD}"')
    return [network, client, tencent]


@pytest.mark.parametrize("exc", _leaky_exceptions(), ids=["network", "alibaba", "tencent"])
def test_password_never_in_the_error(exc):
    clock = FakeClock()
    c = Caller("rds", RetryPolicy(max_attempts=2, base_delay=0.0), clock=clock,
               limiter=RateLimiter({("*", "*"): 1e9}, clock=clock), counters=CallCounters())

    def fn():
        raise exc
    with pytest.raises(CloudApiError) as info:
        c.call("CreateAccount", fn, secrets=(PASSWORD,))
    err = info.value
    text = " ".join([str(err), repr(err), repr(err.args), err.cloud_message, errors.raw_message(err),
                     "".join(traceback.format_exception(err))])
    assert PASSWORD not in text and ENCODED not in text
    assert err.__cause__ is None and err.__context__ is None   # the SDK exception is not chained


def test_redact_strips_query_strings_and_password_fields():
    out = errors.redact(f"url /?a=1&AccountPassword={ENCODED} and AccountPassword: x1 {PASSWORD}", [PASSWORD])
    assert PASSWORD not in out and ENCODED not in out and "x1" not in out


def test_account_named_and_index():
    err = errors.make_error("X", "InvalidParameterValue.AccountAlreadyExistError",
                            "The account 'app'@'%' already exists on cluster c.", "r")
    assert errors.account_named(err, ["app", "app_ro", "ap"]) == "app"
    bad = errors.make_error("X", "InvalidParameterValue.IllegalPassword", "Accounts.2.AccountPassword is bad", "r")
    assert errors.account_index(bad) == 2 and errors.account_index(err) is None


def test_cloud_api_error_is_base_class_compatible():
    err = errors.make_error("A", "C", "m", None)
    assert isinstance(err, CloudApiError) and str(err).endswith("(request id none)")
