"""APS502: passwords, API keys and tokens written into the source."""

from __future__ import annotations

import re
from typing import Any, FrozenSet, Optional, Set, Tuple, Union
from urllib.parse import urlsplit

import libcst as cst

from apisec_lint.analysis import taint
from apisec_lint.analysis.calls import argument
from apisec_lint.analysis.values import ENVIRONMENT_LOOKUPS, UNKNOWN, literal_value
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, Option, Rule, RuleDocs, Valid
from apisec_lint.rules.hygiene.helpers import (
    CREDENTIAL_PHRASES,
    NOT_A_SECRET_FIRST_WORDS,
    expression_name,
    has_phrase,
    is_credential_name,
    is_password_name,
    name_of_target,
    words,
)
from apisec_lint.tree import iter_subtree

NAME_MESSAGE = (
    "`{name}` is set to a literal credential; read it from the environment or a vault"
)
AUTH_MESSAGE = (
    "literal password passed to `{api}`; read it from the environment or a vault"
)
URL_MESSAGE = (
    "connection URL with a literal password; read it from the environment or a vault"
)
KEY_MESSAGE = "{kind} in source; revoke it and read it from the environment or a vault"
COMPARISON_MESSAGE = (
    "`{name}` from the request is checked against a literal credential; compare it "
    "with a secret from the environment or a vault, using hmac.compare_digest"
)

#: Names APS101 (jwt-hardcoded-secret) reports when set to a literal.
SIGNING_SECRET_NAMES = frozenset({"secret_key", "jwt_secret_key"})
#: Libraries whose key arguments APS101 checks.
SIGNING_LIBRARIES = ("jwt.", "jose.", "authlib.jose.", "joserfc.")

BASIC_AUTH_CLASSES = {
    "requests.auth.HTTPBasicAuth": "HTTPBasicAuth",
    "requests.auth.HTTPDigestAuth": "HTTPDigestAuth",
    "requests.auth.HTTPProxyAuth": "HTTPProxyAuth",
    "requests.HTTPBasicAuth": "HTTPBasicAuth",
    "httpx.BasicAuth": "BasicAuth",
    "httpx.DigestAuth": "DigestAuth",
    "aiohttp.BasicAuth": "BasicAuth",
    "aiohttp.helpers.BasicAuth": "BasicAuth",
}

#: Values that stand for a credential without being one (compared lower-cased).
PLACEHOLDER_WORDS = frozenset(
    {
        "none",
        "null",
        "nil",
        "placeholder",
        "redacted",
        "example",
        "todo",
        "tbd",
        "fixme",
    }
)
AUTH_SCHEMES = re.compile(r"^(?:bearer|basic|token|digest|apikey)\s+", re.IGNORECASE)
TEMPLATE = re.compile(r"<[^>]*>|\{[^}]*\}|%\([^)]*\)s|%s|\$[A-Za-z_{]")
#: Slash-separated words: a route (``/account/password/reset``) or a rate limit
#: (``5/m/user``), which settings keyed by credential words often hold.
PATH_LIKE = re.compile(r"^/?[\w.{}:,\-]*(?:/[\w.{}:,\-]*)+/?$")
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})
#: Words of a class or function name that mark test scaffolding.
TEST_SCAFFOLD_WORDS = frozenset({"test", "tests", "testcase", "fixture", "fixtures"})

#: Recognisable key formats: (description, pattern).
KEY_FORMATS: Tuple[Tuple[str, "re.Pattern[str]"], ...] = (
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b")),
    ("GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_\w{22,})")),
    ("GitLab token", re.compile(r"\bglpat-[A-Za-z0-9_\-]{20,}")),
    ("Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    (
        "Slack webhook URL",
        re.compile(
            r"hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,}"
        ),
    ),
    ("Telegram bot token", re.compile(r"\b\d{8,10}:AA[A-Za-z0-9_-]{33}\b")),
    ("Stripe live key", re.compile(r"\b(?:sk|rk)_live_[0-9a-zA-Z]{16,}")),
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b")),
    (
        "private key",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----\s*[A-Za-z0-9+/=\s]{40,}"
        ),
    ),
)
URL_WITH_PASSWORD = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s]*:([^@/\s]+)@")

Binding = Union[cst.Assign, cst.AnnAssign, cst.DictElement, cst.Arg, cst.Param]


def is_placeholder(value: str) -> bool:
    """Whether ``value`` stands for a credential: empty, ``<password>``, ``${TOKEN}``..."""
    text = AUTH_SCHEMES.sub("", value.strip())
    lowered = text.lower()
    if len(text) < 4 or lowered in PLACEHOLDER_WORDS:
        return True
    if lowered.startswith(("your", "fake", "dummy")):
        return True
    if len(set(text)) == 1 or TEMPLATE.search(text) or PATH_LIKE.match(text):
        return True
    return looks_like_a_name(text)


def looks_like_a_name(text: str) -> bool:
    """``"password"``, ``"api_key"``, ``"X-API-Key"``: a field or header name, not a value."""
    if not re.fullmatch(r"[A-Za-z_\-]+", text):
        return False
    text_words = words(text)
    return is_password_name(text) or any(
        has_phrase(text_words, phrase) for phrase in CREDENTIAL_PHRASES
    )


def _accepted_secret(value: str) -> bool:
    """A literal a request value is checked against: any word-like text will do as a
    password there, even ``"fake-token"``; only blanks and names of things are not."""
    text = value.strip()
    if len(text) < 4 or any(character.isspace() for character in text):
        return False
    # ``"X-API-Key"`` names a field; ``"fake-super-secret-token"`` is a value.
    return text.lower() not in PLACEHOLDER_WORDS and not (
        looks_like_a_name(text) and len(words(text)) <= 3
    )


def _compared_name(expression: cst.BaseExpression) -> Optional[str]:
    """``x_token``, ``creds.password``, ``headers["X-Token"]``, ``headers.get("X-Token")``."""
    if isinstance(expression, cst.Call) and expression.args:
        key = literal_value(expression.args[0].value)
        if isinstance(key, str):
            return key
    return expression_name(expression)


def is_literal(node: Optional[cst.BaseExpression]) -> bool:
    return node is not None and literal_value(node) is not UNKNOWN


def is_credential_value(value: Any) -> bool:
    """A literal that may be a real secret: a string that is not text, a URL or a stand-in."""
    if isinstance(value, bytes):
        try:
            value = value.decode("ascii")
        except UnicodeDecodeError:
            return False
    if not isinstance(value, str):
        return False
    text = AUTH_SCHEMES.sub("", value.strip())
    if any(character.isspace() for character in text) or "://" in text:
        return False
    return not is_placeholder(text)


class HardcodedCredential(Rule):
    code = "APS502"
    name = "hardcoded-credential"
    message = NAME_MESSAGE.format(name="password")
    summary = "A password, API key or token is written into the source code."
    severity = Severity.HIGH
    cwe = (798, 259)
    owasp = "API2:2023"
    #: Every finding is a string literal; with `extra-names` any name may hold one,
    #: so a quote is the only trigger that is never wrong.
    triggers = ('"', "'")
    options = (
        Option(
            "extra-names",
            list,
            [],
            "More names (words of a variable, key or argument name) that hold credentials, "
            'e.g. ["pin", "license_key"].',
        ),
    )
    docs = RuleDocs(
        what=(
            "String literals bound to credential-like names: variables, attributes, "
            "class attributes, dict keys, keyword arguments and parameter defaults whose "
            "name contains password (passwd, pwd, passphrase, a final `pass`), secret, "
            "token, api key, access key, private key, client secret or authorization. "
            "Also literal `Authorization` and `X-API-Key` header values, the password of "
            "`HTTPBasicAuth`/`HTTPDigestAuth`/`httpx.BasicAuth`/`aiohttp.BasicAuth` and of "
            '`auth=(user, "...")`, connection URLs with a password '
            "(`postgresql://app:s3cret@db/app`), and well-known key formats anywhere: AWS "
            "access key ids, GitHub and GitLab tokens, Slack tokens and webhooks, Telegram "
            "bot tokens, Stripe live keys, Google API keys and PEM private key blocks. A "
            "literal default of `os.getenv`/`os.environ.get` counts as the literal. Each "
            "literal is reported once, where it is bound to its name; a later use of that "
            "name is not reported again.\n\n"
            "In web code, a request value with a credential-like name compared with a "
            "literal (`if x_token != \"s3cr3t-token\"`, `headers.get(\"X-Token\") == ...`) "
            "is reported too: the literal is the password the endpoint accepts. This "
            "covers route handlers and FastAPI dependencies (functions passed to "
            "`Depends`/`Security` in the same module, functions whose parameters are "
            "declared with `Header()`, `Query()`, `Cookie()` and the like, and the "
            "public functions with annotated parameters in a `dependencies.py` or "
            "`deps.py` module); there any literal of 4 "
            "or more characters without spaces counts, even `\"fake-...\"`, unless it "
            "is a short field name.\n\n"
            "Not reported, as stand-ins rather than credentials: the empty string and "
            "values shorter than 4 characters; `none`, `null`, `nil`, `placeholder`, "
            "`redacted`, `example`, `todo`, `tbd`, `fixme`; anything starting with `your` "
            "(`your-api-key`); one character repeated (`xxxx`, `****`); templates (`<password>`, "
            "`{token}`, `${TOKEN}`, `%(password)s`, `%s`); a value that is itself a "
            'credential-like name (`"password"`, `"api_key"`, `"X-API-Key"`: a field '
            "or header name); text with spaces (labels, messages); URLs other than "
            "connection URLs; connection URLs to localhost; AWS's documented "
            '`...EXAMPLE` keys. `"changeme"` and similar weak defaults are reported. '
            "Names that describe a credential rather than hold it are skipped "
            "(`PASSWORD_FIELD`, `TOKEN_URL`, `api_key_header`, `token_type`). Test code "
            "(the configuration's `test-patterns`) is not checked unless `check-tests` is on."
        ),
        why=(
            "Source code is copied to laptops, CI logs, forks and package archives; a "
            "credential in it is readable by everyone who can read the code, outlives "
            "rotation in old commits, and is the same in every deployment."
        ),
        insecure=(
            'import requests\n\nAPI_TOKEN = "9f8e7d6c5b4a39281706"\n\n'
            'requests.get(url, headers={"X-API-Key": API_TOKEN}, timeout=10)\n'
        ),
        fixed=(
            'import os\nimport requests\n\nAPI_TOKEN = os.environ["API_TOKEN"]\n\n'
            'requests.get(url, headers={"X-API-Key": API_TOKEN}, timeout=10)\n'
        ),
        limitations=(
            "`SECRET_KEY` and `JWT_SECRET_KEY` settings, and names passed as keys to "
            "PyJWT, python-jose, authlib or joserfc in the same file, are left to APS101 "
            "(jwt-hardcoded-secret) so one literal is not reported twice. Credentials "
            'under names without a credential word (`DB_CONN = "..."`), or built by '
            "concatenation or formatting, are not found unless they match a known key "
            "format. Names that merely contain a credential word may still hold "
            "non-secrets; suppress those with `# noqa: APS502`. Classes and functions "
            "named for tests or fixtures (`UserTestCase`, `create_test_data`) are skipped "
            "wherever they are, so a credential inside a production function whose name "
            "has the word test is missed; a token name set to one of its own words "
            '(`ACTIVATION_TOKEN = "activation"`) is taken for a label.'
        ),
    )
    valid = (
        Valid('import os\n\nDB_PASSWORD = os.environ["DB_PASSWORD"]\n'),
        Valid('PASSWORD_FIELD = "password"\nUSERNAME_FIELD = "email"\n'),
        Valid(
            "from wtforms import PasswordField\n\nclass LoginForm(Form):\n"
            '    password = PasswordField("Password", render_kw={"placeholder": "Password"})\n'
        ),
        Valid(
            'DATABASE_PASSWORD = ""\nSMTP_PASSWORD = "<password>"\nAPI_KEY = "your-api-key-here"\n'
        ),
        Valid('import os\n\nTOKEN = os.getenv("GITHUB_TOKEN", "")\n'),
        Valid(
            "from fastapi.security import OAuth2PasswordBearer\n\n"
            'oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")\n'
            'TOKEN_URL = "https://auth.example.com/oauth/token"\ntoken_type = "bearer"\n'
        ),
        Valid(
            'data = {"grant_type": "password", "username": user, "password": password}\n'
        ),
        Valid(
            'PASSWORD_RESET_SUBJECT = "Reset your password"\nERROR = "Invalid token"\n'
        ),
        Valid('SECRET_KEY = "django-insecure-abc123"\n', path="settings.py"),
        Valid(
            'import jwt\n\nSIGNING_SECRET = "hs256-secret-value"\n'
            'token = jwt.encode({"sub": "1"}, SIGNING_SECRET, algorithm="HS256")\n'
        ),
        Valid('DATABASE_URL = "postgresql://app:app@localhost:5432/app"\n'),
        Valid('AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"\n'),
        Valid('headers = {"Authorization": f"Bearer {token}"}\n'),
        Valid('pin = "4821"\n'),
        Valid(
            "def parse(cmdline, token):\n"
            '    if token == "make":\n'
            '        token = "make.bat"\n'
            "    token = token.strip()\n"
            "    return token\n"
        ),
        Valid('fake_secret_token = "coneofsilence"\n'),
        Valid(
            'RATE_LIMITS = {"change_password": "5/m/user", "reset_password": "20/m/ip"}\n'
            'URLS = {"account_reset_password": "/account/password/reset"}\n'
            'claims = {"token_use": "access"}\n'
        ),
        Valid('users = {"alice": {"hashed_password": "fakehashedsecret"}}\n'),
        Valid(
            'ACTIVATION_TOKEN = "activation"\n'
            "def __init__(self, token, token_placement=\"header\"):\n"
            "    self.token = token\n"
        ),
        Valid(
            "class UserTestCase(TestCase):\n"
            '    USER_PASSWORD = "Pass.123"\n\n'
            "def create_test_data(count=5):\n"
            '    return [User(username=f"u{n}", password="test1234") for n in range(count)]\n'
        ),
        Valid(
            "def source(request, settings):\n"
            "    if request.is_ajax:\n"
            "        token_source = settings.CSRF_HEADER_NAME\n"
            "    else:\n"
            '        token_source = "POST"\n'
            "    return token_source\n"
        ),
        Valid(
            "from fastapi import FastAPI, Header\n"
            "app = FastAPI()\n"
            "def next_token(token):\n"
            "    if token == \"COLLATE\":\n"
            "        return 1\n"
            "@app.get(\"/items\")\n"
            "async def items(x_token: str = Header()):\n"
            "    if x_token == \"X-API-Key\":\n"
            "        return []\n"
            "    return [x_token == SETTINGS_TOKEN]\n"
        ),
        Valid(
            "def lex(token):\n"
            "    return token == \"COLLATE\"\n",
            path="app/dependencies.py",
        ),
    )
    invalid = (
        Invalid(
            "from fastapi import HTTPException\n\n\n"
            "async def get_query_token(token: str):\n"
            "    if token != \"jessica\":\n"
            "        raise HTTPException(status_code=400)\n",
            5, 17,
            "`token` from the request is checked against a literal credential; compare "
            "it with a secret from the environment or a vault, using hmac.compare_digest",
            path="app/dependencies.py",
        ),
        Invalid(
            "from typing import Annotated\n"
            "from fastapi import Header, HTTPException\n"
            "async def verify_token(x_token: Annotated[str, Header()]):\n"
            "    if x_token != \"fake-super-secret-token\":\n"
            "        raise HTTPException(status_code=400)\n",
            4, 19,
            "`x_token` from the request is checked against a literal credential; compare "
            "it with a secret from the environment or a vault, using hmac.compare_digest",
        ),
        Invalid(
            'DB_PASSWORD = "s3cr3t-Pa55"\n',
            1,
            1,
            NAME_MESSAGE.format(name="DB_PASSWORD"),
        ),
        Invalid(
            'import os\n\nSTRIPE_API_KEY = os.getenv("STRIPE_API_KEY", "changeme")\n',
            3,
            1,
            NAME_MESSAGE.format(name="STRIPE_API_KEY"),
        ),
        Invalid(
            'import requests\n\nrequests.get(\n    "https://api.example.com/v1/items",\n'
            '    headers={"Authorization": "Bearer 6f1d2c9a8b7e4f30"},\n    timeout=10,\n)\n',
            5,
            14,
            NAME_MESSAGE.format(name="Authorization"),
        ),
        Invalid(
            "from requests.auth import HTTPBasicAuth as Basic\n\n"
            'auth = Basic("admin", "Adm1n!2024")\n',
            3,
            23,
            AUTH_MESSAGE.format(api="HTTPBasicAuth"),
        ),
        Invalid(
            'import requests\n\nrequests.post(url, auth=("svc", "p4ssw0rd!"), timeout=5)\n',
            3,
            20,
            AUTH_MESSAGE.format(api="auth="),
        ),
        Invalid(
            "from sqlalchemy import create_engine\n\n"
            'engine = create_engine("postgresql://app:Zq8yLm2x@db.internal:5432/orders")\n',
            3,
            24,
            URL_MESSAGE,
        ),
        Invalid(
            'class Settings(BaseSettings):\n    smtp_password: str = "mail-Pass-99"\n',
            2,
            5,
            NAME_MESSAGE.format(name="smtp_password"),
        ),
        Invalid(
            'def connect(host, user="app", passwd="db-pass-2024"):\n    pass\n',
            1,
            31,
            NAME_MESSAGE.format(name="passwd"),
        ),
        Invalid(
            'client = Client(api_key="sk_test_51Hx2yFakeKeyForTests")\n',
            1,
            17,
            NAME_MESSAGE.format(name="api_key"),
        ),
        Invalid(
            'GH = "ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"\n',
            1,
            1,
            KEY_MESSAGE.format(kind="GitHub token"),
        ),
        Invalid(
            'app.config["MAIL_PASSWORD"] = "smtp-Pa55word"\n',
            1,
            1,
            NAME_MESSAGE.format(name="MAIL_PASSWORD"),
        ),
        Invalid(
            'pin = "4821"\n',
            1,
            1,
            NAME_MESSAGE.format(name="pin"),
            options={"extra-names": ["pin"]},
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reported: Set[int] = set()
        self._extra = tuple(
            tuple(words(name)) for name in self.settings.get("extra-names", [])
        )
        self._signing_names: Optional[FrozenSet[str]] = None

    def _credential_name(self, name: Optional[str]) -> bool:
        if name is None or name.lower() in SIGNING_SECRET_NAMES:
            return False
        name_words = words(name)
        if name_words and name_words[0] in NOT_A_SECRET_FIRST_WORDS:
            return False
        return (
            is_credential_name(name, self._extra)
            and name not in self._signing_secrets()
        )

    def _signing_secrets(self) -> FrozenSet[str]:
        """Names passed to JWT libraries in this file: APS101 reports their literals."""
        if self._signing_names is None:
            names: Set[str] = set()
            text = self.context.text
            if "jwt" in text or "jose" in text:
                values = self.context.values
                scope = self.context.index.module_scope
                for node in iter_subtree(self.context.module):
                    if isinstance(node, cst.Call):
                        called = values.qualified_name(node.func, scope) or ""
                        if called.startswith(SIGNING_LIBRARIES):
                            names.update(
                                arg.value.value
                                for arg in node.args
                                if isinstance(arg.value, cst.Name)
                            )
            self._signing_names = frozenset(names)
        return self._signing_names

    def _report_once(self, node: cst.CSTNode, message: str) -> None:
        if id(node) not in self._reported:
            self._reported.add(id(node))
            self.report(node, message)

    def _bound_literal(self, value: cst.BaseExpression) -> bool:
        """Whether ``value`` is (or leads to) a credential literal bound here first."""
        if isinstance(value, (cst.Name, cst.Attribute)) and self._credential_name(
            expression_name(value)
        ):
            return False  # reported where that name was bound
        return is_credential_value(self.context.literal(value))

    # Bindings of names to literals

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._check_binding(name_of_target(target.target), node.value, node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._check_binding(name_of_target(node.target), node.value, node)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        key = literal_value(node.key)
        if isinstance(key, str):
            self._check_binding(key, node.value, node)

    def visit_Param(self, node: cst.Param) -> None:
        if node.default is not None:
            self._check_binding(node.name.value, node.default, node)

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is None:
            return
        if node.keyword.value == "auth":
            self._check_auth_tuple(node)
        elif not self._in_signing_call():
            self._check_binding(node.keyword.value, node.value, node)

    # Request data compared with a literal: the credential is the literal

    def visit_Comparison(self, node: cst.Comparison) -> None:
        if len(node.comparisons) != 1 or not isinstance(
            node.comparisons[0].operator, (cst.Equal, cst.NotEqual)
        ):
            return
        left, right = node.left, node.comparisons[0].comparator
        for compared, other in ((left, right), (right, left)):
            value = literal_value(other)
            if not isinstance(value, str) or not _accepted_secret(value):
                continue
            name = _compared_name(compared)
            if not self._credential_name(name) or self._in_test_scaffolding():
                continue
            if taint.flows_reaching(self, compared, taint.SECRET_COMPARISON) is not None:
                self._report_once(other, COMPARISON_MESSAGE.format(name=name))

    def _in_signing_call(self) -> bool:
        parent = self.context.ancestors[-1] if self.context.ancestors else None
        if isinstance(parent, cst.Call):
            called = self.context.qualified_name(parent.func) or ""
            return called.startswith(SIGNING_LIBRARIES)
        return False

    def _check_binding(
        self, name: Optional[str], value: cst.BaseExpression, node: Binding
    ) -> None:
        if not self._credential_name(name):
            return
        if isinstance(node, (cst.Assign, cst.AnnAssign)) and self._working_variable(node):
            return
        if self._in_test_scaffolding() or self._names_its_kind(name, value):
            return
        if self._bound_literal(value):
            self._report_once(node, NAME_MESSAGE.format(name=name))

    def _in_test_scaffolding(self) -> bool:
        """Inside a class or function named for tests or fixtures (``UserTestCase``,
        ``create_test_data``): known throwaway credentials, wherever the file lies."""
        for ancestor in self.context.ancestors:
            if isinstance(ancestor, (cst.ClassDef, cst.FunctionDef)):
                if TEST_SCAFFOLD_WORDS & set(words(ancestor.name.value)):
                    return True
        return False

    def _names_its_kind(self, name: Optional[str], value: cst.BaseExpression) -> bool:
        """``ACTIVATION_TOKEN = "activation"``: a token's purpose label, not a token."""
        if name is None or is_password_name(name):
            return False
        text = literal_value(value)
        return isinstance(text, str) and text.lower() in words(name)[:-1]

    def _working_variable(self, node: Union[cst.Assign, cst.AnnAssign]) -> bool:
        """A local name also given computed values: a loop or parsing variable
        (``token = "make.bat"`` beside ``token = token[2:]``), not a stored secret."""
        if isinstance(node, cst.Assign):
            targets = [assign_target.target for assign_target in node.targets]
        else:
            targets = [node.target]
        for target in targets:
            if not isinstance(target, cst.Name):
                continue
            bindings = self.context.index.lookup(target.value, self.context.scope)
            if len(bindings) > 1 and any(
                binding.kind != "assign" or not is_literal(binding.value)
                for binding in bindings
            ):
                return True
        return False

    def _check_auth_tuple(self, node: cst.Arg) -> None:
        pair = self.context.follow(node.value).expression
        if isinstance(pair, (cst.Tuple, cst.List)) and len(pair.elements) == 2:
            password = pair.elements[1].value
            if self._bound_literal(password):
                self._report_once(node, AUTH_MESSAGE.format(api="auth="))

    def visit_Call(self, node: cst.Call) -> None:
        api = BASIC_AUTH_CLASSES.get(self.context.qualified_name(node.func) or "")
        if api is None:
            return
        password = argument(node, 1, "password")
        if password is not None and self._bound_literal(password.value):
            self._report_once(password, AUTH_MESSAGE.format(api=api))

    # Literals recognisable by their form

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self._check_string(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self._check_string(node)

    def _check_string(
        self, node: Union[cst.SimpleString, cst.ConcatenatedString]
    ) -> None:
        ancestors = self.context.ancestors
        if ancestors and isinstance(ancestors[-1], cst.ConcatenatedString):
            return
        value = literal_value(node)
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if not isinstance(value, str) or len(value) < 16:
            return
        message = self._form_message(value)
        if message is not None:
            self._report_once(self._binding_of(node), message)

    def _form_message(self, value: str) -> Optional[str]:
        for kind, pattern in KEY_FORMATS:
            match = pattern.search(value)
            if match and "EXAMPLE" not in match.group(0):
                return KEY_MESSAGE.format(kind=kind)
        url = URL_WITH_PASSWORD.match(value.strip())
        if (
            url
            and not is_placeholder(url.group(1))
            and not self._loopback(value.strip())
        ):
            return URL_MESSAGE
        return None

    @staticmethod
    def _loopback(url: str) -> bool:
        try:
            host = urlsplit(url).hostname
        except ValueError:
            return False
        return host in LOOPBACK_HOSTS

    def _binding_of(self, node: cst.CSTNode) -> cst.CSTNode:
        """The assignment, keyword or dict entry that binds the literal ``node``."""
        current: cst.CSTNode = node
        chain = list(reversed(self.context.ancestors))
        for parent in chain:
            if isinstance(
                parent, (cst.Assign, cst.AnnAssign, cst.DictElement, cst.Param)
            ):
                return parent
            if isinstance(parent, cst.Arg):
                current = parent
                continue
            if isinstance(parent, cst.Call) and (
                self.context.qualified_name(parent.func) in ENVIRONMENT_LOOKUPS
            ):
                continue
            break
        return current
