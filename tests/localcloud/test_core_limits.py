"""The request body cap (answered in each cloud's envelope before the body is read or parsed) and
parsing off the event loop."""

from __future__ import annotations

import json
import socket
import threading

import pytest

from provisioner.localcloud.app import MAX_BODY_BYTES


def raw_exchange(cloud, head: bytes, body: bytes = b"") -> tuple[int, dict, bytes]:
    """Send a request by hand (headers, then at most `body`) and read one response."""
    with socket.create_connection(("127.0.0.1", cloud.port), timeout=30) as sock:
        sock.sendall(head + body)
        data = b""
        while b"\r\n\r\n" not in data:
            data += sock.recv(65536)
        head_raw, _, rest = data.partition(b"\r\n\r\n")
        lines = head_raw.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        return int(lines[0].split()[1]), headers, rest


def tencent_head(length: int | None, *, chunked: bool = False) -> bytes:
    size = "Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {length}\r\n"
    return (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"X-TC-Action: DescribeLibraDBClusters\r\nX-TC-Version: 2019-01-07\r\n" + size.encode() + b"\r\n")


def alibaba_head(length: int) -> bytes:
    return (b"POST /?Action=DescribeAccounts&Version=2014-08-15 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n" + f"Content-Length: {length}\r\n\r\n".encode())


def test_a_declared_oversized_tencent_body_is_refused_before_it_is_sent(fakecloud):
    # 100 MB announced, not one byte of it sent: the answer comes at once, in Tencent's envelope.
    status, headers, body = raw_exchange(fakecloud, tencent_head(100 * 1024 * 1024))
    assert status == 200 and headers["content-type"] == "application/json"
    error = json.loads(body)["Response"]["Error"]
    assert error["Code"] == "RequestSizeLimitExceeded" and str(MAX_BODY_BYTES) in error["Message"]
    assert json.loads(body)["Response"]["RequestId"]


def test_a_declared_oversized_alibaba_form_body_is_refused_with_413(fakecloud):
    status, _, body = raw_exchange(fakecloud, alibaba_head(10 * 1024 * 1024))
    answer = json.loads(body)
    assert status == 413 and answer["Code"] == "RequestBodyTooLarge" and answer["RequestId"]


def test_a_chunked_body_is_cut_off_at_the_cap(localcloud_factory, fake_registry):
    # No Content-Length to go by: counted while streaming. (A small cap, so that the whole
    # upload fits in the socket buffers and the client is never cut off while sending.)
    cloud = localcloud_factory(registry=fake_registry, faults={"rate_limits": {}}, max_body=4096)
    chunk = b"x" * 1024
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(6)) + b"0\r\n\r\n"
    status, _, body = raw_exchange(cloud, tencent_head(None, chunked=True), chunks)
    assert status == 200 and json.loads(body)["Response"]["Error"]["Code"] == "RequestSizeLimitExceeded"


def test_a_body_at_the_cap_is_served(localcloud_factory, fake_registry, raw_client):
    cloud = localcloud_factory(registry=fake_registry, faults={"rate_limits": {}}, max_body=4096)
    raw = raw_client(cloud)
    padding = "p" * (4096 - len(json.dumps({"Pad": ""})))
    assert "Error" not in raw.tencent("Echo", {"Pad": padding}).json()["Response"]
    assert raw.tencent("Echo", {"Pad": padding + "p"}).json()["Response"]["Error"]["Code"] == "RequestSizeLimitExceeded"


@pytest.mark.parametrize("wire", ["tencent", "rpc"])
def test_parsing_and_verification_run_off_the_event_loop(localcloud_factory, fake_registry, raw_client, wire):
    threads: list[str] = []
    name = "verify_tc3" if wire == "tencent" else "verify_rpc_v1"
    verify = getattr(fake_registry, name)

    def recording(*args):
        threads.append(threading.current_thread().name)
        return verify(*args)

    setattr(fake_registry, name, recording)
    cloud = localcloud_factory(registry=fake_registry, faults={"rate_limits": {}})
    raw = raw_client(cloud)
    if wire == "tencent":
        raw.tencent("Echo", {"A": 1})
    else:
        raw.rpc("Echo", form=True, A="1")
    # The event loop runs in the server thread "localcloud:<port>"; the work ran elsewhere.
    assert threads and threads[0] != f"localcloud:{cloud.port}", threads
