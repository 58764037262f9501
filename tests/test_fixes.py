"""Autofixes: exact fixed text per fix, idempotence, verification, --fix/--diff, encodings."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import ClassVar, List, Tuple

import libcst as cst
import pytest

from apisec_lint import autofix
from apisec_lint.autofix import FixedText, Refused, fix_bytes, fix_text, unified_diff
from apisec_lint.engine import RuleSelection, check_for_fixes, check_text
from apisec_lint.findings import Severity
from apisec_lint.fixes import Fix
from apisec_lint.rules import all_rules
from apisec_lint.rules.base import Rule, RuleDocs
from cli_helpers import run_cli

REPOSITORY = Path(__file__).resolve().parent.parent
SELECTION = RuleSelection(tuple(rule for rule in all_rules() if rule.default_enabled), {})
FIXABLE = ("APS201", "APS202", "APS304", "APS402", "APS505")

FLASK_HANDLER = "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/config')\ndef config():\n"

# (rule, before, after): the fixed text is pinned byte for byte.
FIXED_PAIRS: List[Tuple[str, str, str]] = [
    (
        "APS201",
        "import requests\n\ndef fetch(url):\n    return requests.get(url, timeout=10, verify=False)  # call\n",
        "import requests\n\ndef fetch(url):\n    return requests.get(url, timeout=10)  # call\n",
    ),
    (
        "APS201",
        "import requests\n\nr = requests.post(\n    \"https://x.io\",\n    # no CA on staging\n"
        "    verify=False,  # TODO remove\n    timeout=3,\n)\n",
        "import requests\n\nr = requests.post(\n    \"https://x.io\",\n    # no CA on staging\n"
        "    timeout=3,\n)\n",
    ),
    (
        "APS201",
        "import requests\n\nr = requests.post(\n    \"https://x.io\",  # orders\n    timeout=3,\n"
        "    verify=False\n)\n",
        "import requests\n\nr = requests.post(\n    \"https://x.io\",  # orders\n    timeout=3\n)\n",
    ),
    (
        "APS201",
        "import requests\n\nr = requests.post(\n    \"https://x.io\",\n    timeout=3,\n    verify=False,\n)\n",
        "import requests\n\nr = requests.post(\n    \"https://x.io\",\n    timeout=3,\n)\n",
    ),
    (
        "APS201",
        "import httpx\n\nasync def load():\n"
        "    async with httpx.AsyncClient(verify=False, base_url=\"https://x.io\") as c:\n"
        "        return await c.get(\"/items\")\n",
        "import httpx\n\nasync def load():\n"
        "    async with httpx.AsyncClient(base_url=\"https://x.io\") as c:\n"
        "        return await c.get(\"/items\")\n",
    ),
    (
        "APS201",
        "import aiohttp\n\nasync def load(url):\n    async with aiohttp.ClientSession() as session:\n"
        "        async with session.get(url, ssl=False) as resp:\n            return await resp.json()\n",
        "import aiohttp\n\nasync def load(url):\n    async with aiohttp.ClientSession() as session:\n"
        "        async with session.get(url) as resp:\n            return await resp.json()\n",
    ),
    (
        "APS201",
        "from requests import Session\n\ns = Session()\n\ns.verify = False\ns.headers['X'] = '1'\n",
        "from requests import Session\n\ns = Session()\n\ns.headers['X'] = '1'\n",
    ),
    (
        "APS202",
        "import ssl\nimport urllib.request\n\ndef fetch(url):\n    ctx = ssl._create_unverified_context()\n"
        "    return urllib.request.urlopen(url, context=ctx).read()\n",
        "import ssl\nimport urllib.request\n\ndef fetch(url):\n    ctx = ssl.create_default_context()\n"
        "    return urllib.request.urlopen(url, context=ctx).read()\n",
    ),
    (
        "APS202",
        "import ssl as tls\n\nctx = tls._create_unverified_context(cafile=\"/etc/ca.pem\")  # partner\n",
        "import ssl as tls\n\nctx = tls.create_default_context(cafile=\"/etc/ca.pem\")  # partner\n",
    ),
    (
        "APS202",
        "\"\"\"Feeds.\"\"\"\nfrom ssl import _create_unverified_context as insecure_context\nimport http.client\n\n"
        "conn = http.client.HTTPSConnection(\"p.example.com\", context=insecure_context())\n",
        "\"\"\"Feeds.\"\"\"\nfrom ssl import _create_unverified_context as insecure_context\nimport http.client\n"
        "import ssl\n\nconn = http.client.HTTPSConnection(\"p.example.com\", context=ssl.create_default_context())\n",
    ),
    (
        "APS304",
        "import yaml\n" + FLASK_HANDLER + "    return yaml.load(request.data, Loader=yaml.Loader)\n",
        "import yaml\n" + FLASK_HANDLER + "    return yaml.safe_load(request.data)\n",
    ),
    (
        "APS304",
        "import yaml as y\n" + FLASK_HANDLER + "    return y.load(request.data)  # legacy\n",
        "import yaml as y\n" + FLASK_HANDLER + "    return y.safe_load(request.data)  # legacy\n",
    ),
    (
        "APS304",
        "import yaml\n" + FLASK_HANDLER + "    return list(yaml.load_all(request.data, yaml.FullLoader))\n",
        "import yaml\n" + FLASK_HANDLER + "    return list(yaml.safe_load_all(request.data))\n",
    ),
    (
        "APS402",
        "from fastapi import FastAPI as API\n\napp = API(debug=True)\n",
        "from fastapi import FastAPI as API\n\napp = API()\n",
    ),
    (
        "APS402",
        "from starlette.applications import Starlette\n\napp = Starlette(\n    routes=routes,\n"
        "    debug=True,  # local only\n)\n",
        "from starlette.applications import Starlette\n\napp = Starlette(\n    routes=routes,\n)\n",
    ),
    (
        "APS402",
        "from flask import Flask\n\napp = Flask(__name__)\n\nif __name__ == \"__main__\":\n"
        "    app.run(host=\"127.0.0.1\", debug=True, port=8000)\n",
        "from flask import Flask\n\napp = Flask(__name__)\n\nif __name__ == \"__main__\":\n"
        "    app.run(host=\"127.0.0.1\", port=8000)\n",
    ),
    (
        "APS402",
        "from werkzeug.serving import run_simple\n\n"
        "run_simple(\"127.0.0.1\", 8000, app, use_reloader=True, use_debugger=True)\n",
        "from werkzeug.serving import run_simple\n\nrun_simple(\"127.0.0.1\", 8000, app, use_reloader=True)\n",
    ),
    (
        "APS505",
        "\"\"\"Sessions.\"\"\"\nfrom __future__ import annotations\n\nimport random\n\n"
        "session_id = \"%032x\" % random.getrandbits(128)\n",
        "\"\"\"Sessions.\"\"\"\nfrom __future__ import annotations\n\nimport random\nimport secrets\n\n"
        "session_id = \"%032x\" % secrets.randbits(128)\n",
    ),
    (
        "APS505",
        "from random import choice as pick\n\nreset_code = \"\".join(pick(\"0123456789\") for _ in range(6))\n",
        "from random import choice as pick\nimport secrets\n\n"
        "reset_code = \"\".join(secrets.choice(\"0123456789\") for _ in range(6))\n",
    ),
    (
        "APS505",
        "import random\nimport secrets\n\ninvite_code = random.randrange(10**8)\n",
        "import random\nimport secrets\n\ninvite_code = secrets.randbelow(10**8)\n",
    ),
]

# (rule, source): reported, but no fix is certain, so the text must not change.
NOT_FIXED: List[Tuple[str, str]] = [
    ("APS201", "import requests\n\nVERIFY = False\nrequests.get(\"https://x.io\", verify=VERIFY)\n"),
    ("APS201", "import os\nimport requests\n\nrequests.get(\"https://x.io\", verify=os.getenv(\"V\", False))\n"),
    ("APS201", "import ssl\nimport urllib3\n\nhttp = urllib3.PoolManager(cert_reqs=ssl.CERT_NONE)\n"),
    ("APS202", "import ssl\n\nctx = ssl._create_unverified_context(ssl.PROTOCOL_TLS_CLIENT)\n"),
    ("APS304", "import yaml\n" + FLASK_HANDLER + "    return yaml.load(request.data, Loader=CustomLoader)\n"),
    ("APS402", "from flask import Flask\n\napp = Flask(__name__)\napp.debug = True\n"),
    ("APS402", "import os\nfrom fastapi import FastAPI\n\napp = FastAPI(debug=os.getenv(\"D\", \"1\") == \"1\")\n"),
    ("APS505", "import random\n\notp = str(random.randint(100000, 999999))\n"),
    ("APS505", "import random\n\ntoken = random.choice(letters) + random.choice(digits)\n"),
    ("APS505", "import random\n\nsecrets = load()\ntoken = random.choice(letters)\n"),
]


def fixed(source: str, path: str = "app.py") -> FixedText:
    outcome = fix_text(path, source, SELECTION)
    assert isinstance(outcome, FixedText), outcome
    return outcome


def codes(source: str) -> List[str]:
    return [finding.code for finding in check_text("app.py", source, SELECTION).findings]


@pytest.mark.parametrize("rule,before,after", FIXED_PAIRS, ids=[f"{r}-{i}" for i, (r, _, _) in enumerate(FIXED_PAIRS)])
def test_fix_gives_exact_text_removes_finding_and_is_idempotent(rule: str, before: str, after: str) -> None:
    assert rule in codes(before)
    outcome = fixed(before)
    assert outcome.fixed == after
    assert outcome.fixed_findings >= 1
    assert rule not in codes(after)
    again = fixed(after)
    assert again.fixed == after and again.fixed_findings == 0


@pytest.mark.parametrize("rule,source", NOT_FIXED, ids=[f"{r}-{i}" for i, (r, _) in enumerate(NOT_FIXED)])
def test_uncertain_fixes_are_not_offered(rule: str, source: str) -> None:
    assert rule in codes(source)
    assert fixed(source).fixed == source


def test_every_fixing_rule_says_so_and_no_other_does() -> None:
    assert sorted(rule.code for rule in all_rules() if rule.fixable) == list(FIXABLE)
    for rule in all_rules():
        page = (REPOSITORY / "rules" / f"{rule.code}-{rule.name}.md").read_text(encoding="utf-8")
        assert ("- Autofix: yes" in page) == rule.fixable


def test_overlapping_fixes_are_made_in_later_rounds() -> None:
    source = "import requests\n\ns = requests.Session()\ns.verify = False\ns.get(\"https://x.io\", verify=False)\n"
    checked = check_for_fixes("app.py", source, SELECTION)
    assert len(checked.fixes) == 2  # the statement removal's block holds the other call
    outcome = fixed(source)
    assert outcome.fixed == "import requests\n\ns = requests.Session()\ns.get(\"https://x.io\")\n"
    assert outcome.fixed_findings == 2


# ------------------------------------------------------------ a fix that must be refused


class _BreaksCode(Rule):
    code = "APS990"
    name = "test-breaks-code"
    message = "`breakme()` called"
    summary = "Test rule whose fix does not parse."
    severity = Severity.LOW
    docs = RuleDocs(what="", why="", insecure="", fixed="")
    registered: ClassVar[bool] = False

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == "breakme":
            self.report(node, fix=Fix(node, node.with_changes(func=cst.Name("lambda"))))


class _KeepsFinding(_BreaksCode):
    code = "APS991"
    name = "test-keeps-finding"
    registered: ClassVar[bool] = False

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == "breakme":
            # The "fix" only adds a comment-free space: the finding stays.
            self.report(node, fix=Fix(node, node.with_changes(whitespace_after_func=cst.SimpleWhitespace(" "))))


@pytest.mark.parametrize("rule,reason", [(_BreaksCode, "would not parse"), (_KeepsFinding, "would still or newly be reported")])
def test_a_fix_that_breaks_the_file_or_keeps_the_finding_is_refused(rule: type, reason: str) -> None:
    selection = RuleSelection((rule,), {})
    data = b"x = 1\nbreakme()\n"
    outcome = fix_bytes("app.py", data, selection)
    assert isinstance(outcome, Refused) and reason in outcome.reason


# ------------------------------------------------------------ the command line


INSECURE = "import requests\n\nrequests.get(\"https://x.io\", verify=False, timeout=5)\nrequests.get(\"https://y.io\")\n"
SECURE = "import requests\n\nrequests.get(\"https://x.io\", timeout=5)\nrequests.get(\"https://y.io\")\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "client.py").write_text(INSECURE)
    (tmp_path / "clean.py").write_text("x = 1\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_diff_prints_patch_writes_nothing_and_exits_1(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["check", "--diff", "--no-cache", "."], capsys)
    assert code == 1
    assert out == (
        "--- a/client.py\n+++ b/client.py\n@@ -1,4 +1,4 @@\n import requests\n \n"
        "-requests.get(\"https://x.io\", verify=False, timeout=5)\n"
        "+requests.get(\"https://x.io\", timeout=5)\n requests.get(\"https://y.io\")\n"
    )
    assert err == "apisec-lint: would fix 1 finding in 1 file\n"
    assert (project / "client.py").read_text() == INSECURE
    code, out, _ = run_cli(["check", "--diff", "--no-cache", "clean.py"], capsys)
    assert (code, out) == (0, "")


def test_fix_writes_reports_what_remains_and_twice_changes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["check", "--fix", "--no-cache", "--format", "json", "."], capsys)
    assert (project / "client.py").read_text() == SECURE
    assert err == "apisec-lint: fixed 1 finding in 1 file\n"
    remaining = json.loads(out)["findings"]
    assert [(f["code"], f["line"]) for f in remaining] == [("APS503", 4)]
    assert code == 1
    code, out, err = run_cli(["check", "--fix", "--no-cache", "--format", "json", "."], capsys)
    assert err == "apisec-lint: fixed 0 findings in 0 files\n"
    assert (project / "client.py").read_text() == SECURE
    assert [(f["code"], f["line"]) for f in json.loads(out)["findings"]] == [("APS503", 4)]


def test_a_refused_file_is_left_alone_with_one_line_on_stderr(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(autofix, "_parse_problem", lambda before, after: "the fixed code would not parse")
    code, _, err = run_cli(["check", "--fix", "--no-cache", "."], capsys)
    assert err == (
        "apisec-lint: not fixing ./client.py: the fixed code would not parse\n"
        "apisec-lint: fixed 0 findings in 0 files\n"
    )
    assert (project / "client.py").read_text() == INSECURE and code == 1


def test_fix_with_worker_processes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for number in range(6):
        (project / f"client{number}.py").write_text(INSECURE)
    code, _, err = run_cli(["check", "--fix", "--no-cache", "--jobs", "2", "."], capsys)
    assert err == "apisec-lint: fixed 7 findings in 7 files\n"
    assert all((project / f"client{n}.py").read_text() == SECURE for n in range(6))
    assert code == 1  # the APS503 findings remain


def test_fix_cannot_be_combined_with_a_baseline(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for option in ("--baseline", "--write-baseline"):
        code, out, err = run_cli(["check", "--fix", option, "b.json", "."], capsys)
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and "--fix cannot be combined with --baseline" in err
    assert (project / "client.py").read_text() == INSECURE


def test_stdin_fix_prints_fixed_source_and_diff_prints_patch(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = INSECURE.encode()
    code, out, err = run_cli(["check", "--fix", "--stdin-filename", "svc/client.py", "-"], capsys, data)
    assert out == SECURE and code == 1
    assert err == "apisec-lint: fixed 1 finding in 1 file\n"
    code, out, _ = run_cli(["check", "--diff", "--stdin-filename", "svc/client.py", "-"], capsys, data)
    assert code == 1 and out == unified_diff("svc/client.py", INSECURE, SECURE)
    assert out.startswith("--- a/svc/client.py\n+++ b/svc/client.py\n")


@pytest.mark.parametrize(
    "before,after",
    [
        (
            b"# -*- coding: latin-1 -*-\n# caf\xe9\nimport requests\nrequests.get('https://x.io', verify=False)\n",
            b"# -*- coding: latin-1 -*-\n# caf\xe9\nimport requests\nrequests.get('https://x.io')\n",
        ),
        (
            b"\xef\xbb\xbf# caf\xc3\xa9\nimport requests\nrequests.get('https://x.io', verify=False)\n",
            b"\xef\xbb\xbf# caf\xc3\xa9\nimport requests\nrequests.get('https://x.io')\n",
        ),
        (
            b"import random\r\n\r\ntoken = random.choice(ALPHABET)\r\n",
            b"import random\r\nimport secrets\r\n\r\ntoken = secrets.choice(ALPHABET)\r\n",
        ),
    ],
    ids=["latin-1-cookie", "utf-8-bom", "crlf"],
)
def test_fix_keeps_encoding_and_line_endings(
    project: Path, capsys: pytest.CaptureFixture[str], before: bytes, after: bytes
) -> None:
    target = project / "legacy.py"
    target.write_bytes(before)
    run_cli(["check", "--fix", "--no-cache", "legacy.py"], capsys)
    assert target.read_bytes() == after
    run_cli(["check", "--fix", "--no-cache", "legacy.py"], capsys)
    assert target.read_bytes() == after
    assert not [p.name for p in project.iterdir() if p.name.startswith(".legacy.py.")]


def test_rules_command_shows_which_rules_fix(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["rules"], capsys)
    listed = {line.split()[0]: line.split()[-1] == "fixable" for line in out.splitlines()}
    assert code == 0 and sorted(code for code, fixes in listed.items() if fixes) == list(FIXABLE)


def test_fix_on_the_fixtures_removes_every_fixable_finding_and_adds_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".git").mkdir()
    shutil.copytree(REPOSITORY / "fixtures", tmp_path / "fixtures")
    monkeypatch.chdir(tmp_path)
    fixable: Counter[Tuple[str, str, str]] = Counter()
    for path in sorted((tmp_path / "fixtures").rglob("*.py")):
        display = str(path.relative_to(tmp_path))
        checked = check_for_fixes(display, path.read_text(encoding="utf-8"), SELECTION)
        fixable.update((f.path, f.code, f.message) for f, _ in checked.fixes)
    assert fixable, "the fixtures should hold fixable findings"
    _, out, _ = run_cli(["check", "--no-cache", "--format", "json", "fixtures"], capsys)
    before = Counter((f["path"], f["code"], f["message"]) for f in json.loads(out)["findings"])
    _, _, err = run_cli(["check", "--fix", "--no-cache", "--format", "json", "fixtures"], capsys)
    assert "not fixing" not in err
    _, out, _ = run_cli(["check", "--no-cache", "--format", "json", "fixtures"], capsys)
    after = Counter((f["path"], f["code"], f["message"]) for f in json.loads(out)["findings"])
    assert after == before - fixable
