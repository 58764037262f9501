"""Name resolution through imports and aliases, and following names to literals."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import libcst as cst
import pytest

from apisec_lint.engine import RuleSelection, check_text
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Rule, RuleDocs

ANSWERS: List[Dict[str, Any]] = []


class RecordProbeCalls(Rule):
    """Records what the analyses say about the first argument of each probe() call."""

    registered = False
    code = "APS992"
    name = "test-probe"
    message = "probe"
    summary = "test"
    severity = Severity.LOW
    docs = RuleDocs(what="w", why="w", insecure="x", fixed="x")

    def visit_Call(self, node: cst.Call) -> None:
        if not (isinstance(node.func, cst.Name) and node.func.value == "probe"):
            return
        argument = node.args[0].value
        view = self.context.dict_view(argument)
        ANSWERS.append(
            {
                "name": self.context.qualified_name(argument),
                "literal": self.context.literal(argument),
                "keys": None if view is None else (sorted(map(str, view.keys())), view.complete),
                "from_env": self.context.follow(argument).from_environment_default,
            }
        )


def probe(source: str) -> Dict[str, Any]:
    ANSWERS.clear()
    result = check_text("t.py", source, RuleSelection((RecordProbeCalls,), {}))
    assert result.errors == []
    assert len(ANSWERS) == 1
    return ANSWERS[0]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import jwt as pyjwt\nprobe(pyjwt.encode)\n", "jwt.encode"),
        ("from jwt import encode as sign\nprobe(sign)\n", "jwt.encode"),
        ("from requests import get as fetch\nprobe(fetch)\n", "requests.get"),
        ("import requests.sessions\nprobe(requests.sessions.Session)\n", "requests.sessions.Session"),
        ("import requests\ns = requests.Session()\nprobe(s.get)\n", "requests.Session().get"),
        ("import httpx\nasync def f():\n    async with httpx.AsyncClient() as c:\n        probe(c.get)\n",
         "httpx.AsyncClient().get"),
        ("from jose import jwt\nprobe(jwt.decode)\n", "jose.jwt.decode"),
        ("from . import views\nprobe(views.index)\n", ".views.index"),
        ("probe(eval)\n", "eval"),
        ("def f(eval):\n    probe(eval)\n", None),
        ("import jwt\ndef f():\n    import json as jwt\n    probe(jwt.loads)\n", "json.loads"),
    ],
)
def test_qualified_names(source: str, expected: Optional[str]) -> None:
    assert probe(source)["name"] == expected


@pytest.mark.parametrize(
    ("source", "expected", "from_env"),
    [
        ('KEY = "s3cret"\ndef f():\n    probe(KEY)\n', "s3cret", False),
        ('def f():\n    key = "local"\n    probe(key)\n', "local", False),
        ('import os\nKEY = os.getenv("K", "fallback")\nprobe(KEY)\n', "fallback", True),
        ('import os\nprobe(os.environ.get("K", default="d"))\n', "d", True),
        ('import os\nprobe(os.environ["K"])\n', "UNKNOWN", False),
        ('class Config:\n    KEY = "c"\nprobe(Config.KEY)\n', "c", False),
        ('class Config:\n    KEY = "c"\n    def m(self):\n        probe(self.KEY)\n', "c", False),
        ('class Config:\n    KEY = "c"\ncfg = Config()\nprobe(cfg.KEY)\n', "c", False),
        ('KEY = "a"\nKEY = "b"\nprobe(KEY)\n', "UNKNOWN", False),
        ('A = "x"\nB = A\nprobe(B)\n', "x", False),
        ('A = B\nB = A\nprobe(A)\n', "UNKNOWN", False),
        ('def f(key="param-default"):\n    probe(key)\n', "UNKNOWN", False),
        ('X = "a" "b"\nprobe(X)\n', "ab", False),
    ],
)
def test_literals_are_followed(source: str, expected: str, from_env: bool) -> None:
    answer = probe(source)
    assert str(answer["literal"]) == expected
    assert answer["from_env"] is from_env


@pytest.mark.parametrize(
    ("source", "keys", "complete"),
    [
        ('p = {"sub": 1}\np["exp"] = 2\nprobe(p)\n', ["exp", "sub"], True),
        ('p = {"sub": 1}\np.update(exp=2)\nprobe(p)\n', ["exp", "sub"], True),
        ('p = {"sub": 1}\np.update(other)\nprobe(p)\n', ["sub"], False),
        ('p = {"sub": 1, **extra}\nprobe(p)\n', ["sub"], False),
        ('p = dict(sub=1, iat=2)\nprobe(p)\n', ["iat", "sub"], True),
        ('p = {"sub": 1}\np[key] = 2\nprobe(p)\n', ["sub"], False),
        ('def f():\n    p = {"a": 1}\n    p.setdefault("exp", 3)\n    probe(p)\n', ["a", "exp"], True),
    ],
)
def test_dict_views_include_later_mutations(source: str, keys: List[str], complete: bool) -> None:
    assert probe(source)["keys"] == (keys, complete)


def test_mutations_through_an_alias_and_from_a_nested_function_count() -> None:
    alias = 'claims = {"sub": 1}\nclaims["exp"] = 5\npayload = claims\nprobe(payload)\n'
    assert probe(alias)["keys"] == (["exp", "sub"], True)
    nested = 'D = {"sub": 1}\ndef add():\n    D["exp"] = 2\ndef use():\n    probe(D)\n'
    assert probe(nested)["keys"] == (["exp", "sub"], True)
    shadowed = 'D = {"sub": 1}\ndef other():\n    D = {}\n    D["exp"] = 2\nprobe(D)\n'
    assert probe(shadowed)["keys"] == (["sub"], True)
