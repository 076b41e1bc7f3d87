"""reggi serve without a browser: the JSON API against the CLI, byte for byte, and the HTTP
guards (size limits, hosts, escaping, no stack traces)."""
from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request

from click.testing import CliRunner

from reggi.cli import main
from conftest import EXAMPLES

AS_OF = "2026-11-26"


def call(url, data: bytes | None = None, headers=None, method=None):
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=180) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def cli(*args):
    result = CliRunner().invoke(main, list(args))
    return result


def test_api_evaluate_is_byte_identical_to_the_cli(server_url):
    body = (EXAMPLES / "chat-tool-ca-mt.json").read_bytes()
    status, headers, out = call(f"{server_url}/api/evaluate?as_of={AS_OF}", body, {"content-type": "application/json"})
    assert status == 200 and headers["content-type"].startswith("application/json")
    expected = cli("evaluate", str(EXAMPLES / "chat-tool-ca-mt.json"), "--as-of", AS_OF, "--format", "json")
    assert out == expected.stdout_bytes


def test_api_bad_profile_gets_422_with_the_cli_field_paths(server_url, tmp_path):
    bad = {"business": {"name": "x", "annual_revenue_usd": "lots"}, "states": [{"code": "ZZ"}],
           "tools": [{"name": "a", "kind": "live_chat", "wat": 1}]}
    status, _, out = call(f"{server_url}/api/evaluate", json.dumps(bad).encode())
    assert status == 422
    reply = json.loads(out)
    assert [p["field"] for p in reply["problems"]] == ["business.annual_revenue_usd", "states[0].code", "tools[0].wat"]
    assert "'CA'" in reply["problems"][1]["message"] and "allowed: name, kind" in reply["problems"][2]["message"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    printed = cli("evaluate", str(path)).stderr
    assert printed.strip() == f"error: {path}: " + reply["error"].removeprefix("request body: ")
    status, _, out = call(f"{server_url}/api/evaluate", b'{"business": {"name": "a", "name": "b"}}')
    assert status == 422 and "appears twice" in json.loads(out)["error"]
    status, _, out = call(f"{server_url}/api/evaluate?as_of=someday", b"{}")
    assert status == 422 and json.loads(out)["problems"][0]["field"] == "as_of"


def test_api_batch_streams_one_record_per_line_in_order(server_url, tmp_path):
    profile = json.loads((EXAMPLES / "chat-tool-ca-mt.json").read_text())
    lines = [json.dumps(profile), '{"business": {}}', json.dumps(profile)]
    status, headers, out = call(f"{server_url}/api/batch?as_of={AS_OF}", "\n".join(lines).encode())
    assert status == 200 and headers["content-type"].startswith("application/x-ndjson")
    records = [json.loads(line) for line in out.decode().splitlines()]
    assert [r["record"] for r in records] == [1, 2, 3] and "error" in records[1]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines))
    expected = [json.loads(line) for line in
                cli("batch", str(path), "--as-of", AS_OF, "-j", "1").stdout.splitlines()]
    for got, want in zip(records, expected):
        assert got.get("findings") == want.get("findings")
        assert got.get("error", "").replace("request body", "") == want.get("error", "").replace(str(path), "")


def test_api_rules_schema_and_docs(server_url):
    status, _, out = call(f"{server_url}/api/rules")
    statutes = json.loads(out)["statutes"]
    assert status == 200 and any(s["id"] == "us-mt-mcdpa" and s["obligations"] for s in statutes)
    status, _, out = call(f"{server_url}/api/schema")
    assert status == 200 and out == cli("schema").stdout_bytes
    status, _, out = call(f"{server_url}/openapi.json")
    spec = json.loads(out)
    assert {"/api/evaluate", "/api/batch", "/api/rules", "/api/schema"} <= set(spec["paths"])
    assert "Profile" in spec["components"]["schemas"]
    status, _, out = call(f"{server_url}/docs")
    assert status == 200 and b"/api/evaluate" in out and b"cdn" not in out.lower()


def test_request_bodies_are_limited_and_need_a_length(server_url):
    from reggi.engine.web import MAX_BODY
    host, port = urllib.parse.urlsplit(server_url).netloc.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.putrequest("POST", "/api/evaluate")      # refused on its headers: no byte of the body is read
    conn.putheader("content-length", str(MAX_BODY + 1))
    conn.endheaders()
    response = conn.getresponse()
    assert response.status == 413 and b"limit" in response.read()
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.request("POST", "/api/evaluate", body=iter([b"{}"]), encode_chunked=True,
                 headers={"transfer-encoding": "chunked"})
    assert conn.getresponse().status == 411


def test_other_hosts_are_refused(server_url):
    status, _, _ = call(f"{server_url}/", headers={"host": "attacker.example"})
    assert status == 400


def form(server_url, path, fields: dict):
    return call(server_url + path, urllib.parse.urlencode(fields, doseq=True).encode(),
                {"content-type": "application/x-www-form-urlencoded"})


def test_typed_names_are_escaped_and_bad_state_is_no_stack_trace(server_url):
    evil = "<script>alert(1)</script>"
    answers = {"business": {"name": evil}, "states": [{"code": "CA"}], "tools": [{"name": evil, "kind": "live_chat"}],
               "question": evil + " chat in California", "as_of": AS_OF}
    status, headers, out = form(server_url, "/ask/answer", {"answers": json.dumps(answers), "history": "[]"})
    text = out.decode()
    assert status == 200 and evil not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "script-src 'self'" in headers["content-security-policy"]
    status, _, out = form(server_url, "/ask/answer", {"answers": "{not json", "history": "[]"})
    assert status == 422 and b"cannot be read" in out and b"Traceback" not in out
    status, _, out = form(server_url, "/ask/answer", {"answers": json.dumps({"business": {}, "states": []})})
    assert status == 422 and b"states" in out and b"Traceback" not in out


def test_an_unrecognisable_question_gets_the_cli_help(server_url):
    status, _, out = form(server_url, "/ask", {"question": "What's the weather?"})
    assert status == 422 and b"could not find a US state" in out


def test_a_stale_or_wrong_answer_is_asked_again_with_the_reason(server_url):
    answers = {"business": {"name": "B"}, "states": [{"code": "CA"}, {"code": "MT"}],
               "tools": [{"name": "Live chat", "kind": "live_chat"}], "as_of": AS_OF}
    fields = {"answers": json.dumps(answers), "history": "[]", "paths": '["business.annual_revenue_usd"]',
              "action": "answer", "value": "lots"}
    status, _, out = form(server_url, "/ask/answer", fields)
    assert status == 422 and b"Not understood: give a number" in out
    fields["value"] = "30,000,000"
    status, _, out = form(server_url, "/ask/answer", fields)
    assert status == 200 and b"Q2." in out and b"30000000" in out
