"""A password is redacted in every encoding it can travel in: raw, percent-encoded once and twice
(the RPC string-to-sign that Alibaba echoes in SignatureDoesNotMatch), JSON-escaped."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest

from provisioner.core import errors, redaction
from provisioner.localcloud.wire import acs as sig

# Every special character RDS allows: each one encodes differently (or not at all).
ALIBABA_PASSWORD = "Ab1!@#$%^&*()_+-="
# LibraDB allows more, among them the ones JSON escapes ('\\') and '/' (escaped by some encoders).
LIBRADB_PASSWORD = "Ab1\\/'<>,.?{}[]:;|~"


def gateway_mismatch(string_to_sign: str) -> str:
    """The real gateway's SignatureDoesNotMatch message, which echoes its string to sign."""
    return f"Specified signature is not matched with our calculation. server string to sign is:{string_to_sign}"


@pytest.fixture
def sdk_rpc_params():
    """The parameters the official SDK really sends for CreateAccount with RPC v1 (signature v2),
    as the local cloud's real verifier received (and accepted) them."""
    from alibabacloud_rds20140815 import models
    from alibabacloud_rds20140815.client import Client
    from alibabacloud_tea_openapi.models import Config

    from provisioner.localcloud.registry import default_registry
    from provisioner.localcloud.server import LocalCloud

    seen: list[dict] = []
    registry = default_registry()
    verify = registry.verify_rpc_v1

    def capture(method, params, credentials):
        seen.append(dict(params))
        return verify(method, params, credentials)

    registry.verify_rpc_v1 = capture
    with LocalCloud(registry=registry) as cloud:
        client = Client(Config(access_key_id=cloud.access_key, access_key_secret=cloud.secret_key,
                               endpoint=cloud.endpoint, protocol="http", region_id="cn-hangzhou",
                               signature_algorithm="v2"))
        client.create_account(models.CreateAccountRequest(dbinstance_id="rm-localmysql80", account_name="app",
                                                          account_password=ALIBABA_PASSWORD))
    (params,) = seen
    assert params["AccountPassword"] == ALIBABA_PASSWORD and "SignatureNonce" in params
    return params


def test_the_rpc_string_to_sign_carries_the_password_twice_encoded_and_is_redacted(sdk_rpc_params):
    # The string the SDK signed (the server verified the SDK's signature against it).
    string_to_sign = sig.rpc_string_to_sign("POST", sdk_rpc_params)
    twice = quote(quote(ALIBABA_PASSWORD, safe="~"), safe="~")
    assert twice in string_to_sign and ALIBABA_PASSWORD not in string_to_sign   # what the old redaction missed
    err = errors.make_error("CreateAccount", "SignatureDoesNotMatch", gateway_mismatch(string_to_sign),
                            "REQ-1", status=400, secrets=[ALIBABA_PASSWORD])
    text = f"{err} {err.cloud_message} {errors.raw_message(err)}"
    for form in redaction.forms(ALIBABA_PASSWORD):
        assert form not in text, form
    assert "SignatureDoesNotMatch" in str(err) and "REQ-1" in str(err)
    assert "AccountName%3Dapp" in text   # the rest of the string to sign stays readable


def test_a_password_field_in_a_string_to_sign_loses_its_value_even_when_the_secret_is_unknown(sdk_rpc_params):
    text = redaction.redact(gateway_mismatch(sig.rpc_string_to_sign("POST", sdk_rpc_params)))
    assert "AccountPassword%3D***" in text
    assert quote(quote(ALIBABA_PASSWORD, safe="~"), safe="~") not in text


@pytest.mark.parametrize("password", [ALIBABA_PASSWORD, LIBRADB_PASSWORD])
@pytest.mark.parametrize("wrap", [
    lambda p: p,                                                        # raw
    lambda p: quote(p, safe=""),                                        # a query value
    lambda p: re.sub("%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(p, safe="~")),   # lower-case hex
    lambda p: quote(quote(p, safe="~"), safe="~"),                      # a string to sign
    lambda p: json.dumps({"AccountPassword": p}),                       # a JSON body
    lambda p: json.dumps({"Message": json.dumps({"AccountPassword": p})}),   # JSON inside JSON
    lambda p: json.dumps({"pw": p}).replace("/", "\\/"),                # an encoder that escapes '/'
], ids=["raw", "percent", "percent-lower", "percent-twice", "json", "json-twice", "json-slash"])
def test_every_encoding_is_redacted(password, wrap):
    echoed = f"cloud said: {wrap(password)} (end)"
    out = errors.redact(echoed, [password])
    assert "***" in out and "(end)" in out
    for form in redaction.forms(password):
        assert form not in out, form
