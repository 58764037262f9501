"""APS404: a response that carries a whole object, password hashes and tokens included."""

from __future__ import annotations

from typing import Dict, Mapping, Optional, Set, Tuple

import libcst as cst

from apisec_lint.analysis.frameworks import FASTAPI, RESPONSE_METADATA_KEYWORDS
from apisec_lint.analysis.taint import taint_model
from apisec_lint.analysis.values import literal_value
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, Rule, RuleDocs, Valid
from apisec_lint.rules.exposure.data_helpers import (
    ModelClass,
    class_of_value,
    comprehension_variables,
    is_handler,
    is_stored_secret_name,
    mentions_secret_attribute,
    module_classes,
    response_call_api,
    short_source,
    walk_expression,
)

#: Methods that turn a model object into a dict or JSON with every column.
SERIALIZE_METHODS = frozenset(
    {"to_dict", "as_dict", "dict", "model_dump", "to_json", "serialize", "to_json_dict",
     "asdict", "json", "model_dump_json"}
)
#: Calls that copy every field of a Django model unless told which.
DJANGO_COPIES = {
    "django.forms.models.model_to_dict": "model_to_dict()",
    "django.forms.model_to_dict": "model_to_dict()",
    "django.core.serializers.serialize": "serializers.serialize()",
}
SERIALIZER_BASE_ENDINGS = ("ModelSerializer",)
CONFIGURATION_OBJECTS = frozenset(
    {"django.conf.settings", "os.environ", "sys.modules", "flask.current_app.config",
     "flask.Flask().config"}
)
_MAX_FOLLOW = 4

_FLASK = "from flask import Flask, jsonify\napp = Flask(__name__)\n"
_USER = (
    "class User(db.Model):\n"
    "    id = db.Column(db.Integer, primary_key=True)\n"
    "    email = db.Column(db.String)\n"
    "    password_hash = db.Column(db.String)\n"
)


def _whole_object(what: str, how: str) -> str:
    return f"every field of `{what}` goes into the response through `{how}`; list the fields"


def _secret_field(field: str, model: str, how: str) -> str:
    return f"`{field}` of `{model}` goes into the response through `{how}`; leave it out"


def _serializer_field(field: str, serializer: str) -> str:
    return f"`{field}` goes into responses of `{serializer}`; make it write_only"


class ExcessiveDataExposure(Rule):
    code = "APS404"
    name = "excessive-data-exposure"
    message = "a whole object goes into the response; list the fields clients need"
    summary = (
        "A handler returns a whole model object (its `__dict__`, `vars()`, "
        "`model_to_dict()`, or a `to_dict()` of a model with secret fields), or a "
        "serializer exposes password, token or secret fields."
    )
    severity = Severity.MEDIUM
    cwe = (213, 200)
    owasp = "API3:2023"
    triggers = (
        "__dict__", "vars", "model_to_dict", "serialize", "to_dict", "as_dict", "dict",
        "model_dump", "to_json", "asdict", "Serializer", "json", "fastapi",
    )
    docs = RuleDocs(
        what=(
            "In request handlers, the expression handed to the response (the `return` "
            "value, or the body of `jsonify`, `JsonResponse`, `Response`...): "
            "`obj.__dict__`, `vars(obj)`, Django `model_to_dict(obj)` and "
            "`serializers.serialize()` without `fields`/`exclude`, and `to_dict()`, "
            "`as_dict()`, `dict()`, `model_dump()` of an object whose class, defined in "
            "the same module, has password, password-hash, token, secret or API-key "
            "fields (unless the class's own method leaves them out). A FastAPI route "
            "with no `response_model` (or return annotation) that returns such an "
            "object. A Django REST framework `ModelSerializer` whose `Meta.fields` "
            "lists such a field, or is `__all__`/`exclude` over such a model, without "
            "making it write-only. Values built in a variable first are followed."
        ),
        why=(
            "Serialising a whole object sends every column, today's and tomorrow's, "
            "to the client, and relies on the client to ignore what it should not "
            "see. Password hashes, reset tokens and API secrets leak this way the day "
            "a column is added."
        ),
        insecure=(
            "from flask import Flask, jsonify\n"
            "\n"
            "from shop.models import db\n"
            "\n"
            "app = Flask(__name__)\n"
            "\n"
            "\n"
            "class User(db.Model):\n"
            "    id = db.Column(db.Integer, primary_key=True)\n"
            "    email = db.Column(db.String)\n"
            "    password_hash = db.Column(db.String)\n"
            "\n"
            "\n"
            '@app.get("/users/<int:uid>")\n'
            "def get_user(uid):\n"
            "    return jsonify(User.query.get_or_404(uid).to_dict())\n"
        ),
        fixed=(
            "from flask import Flask, jsonify\n"
            "\n"
            "from shop.models import db\n"
            "\n"
            "app = Flask(__name__)\n"
            "\n"
            "\n"
            "class User(db.Model):\n"
            "    id = db.Column(db.Integer, primary_key=True)\n"
            "    email = db.Column(db.String)\n"
            "    password_hash = db.Column(db.String)\n"
            "\n"
            "\n"
            '@app.get("/users/<int:uid>")\n'
            "def get_user(uid):\n"
            "    user = User.query.get_or_404(uid)\n"
            "    return jsonify(id=user.id, email=user.email)\n"
        ),
        limitations=(
            "Model fields are known only for classes defined in the same module, so "
            "that each file is checked alone: `to_dict()` of an imported model is not "
            "reported, while `__dict__`, `vars()` and `model_to_dict()` are, unless the "
            "object's class is a local class without secret fields. Marshmallow "
            "schemas are not inspected."
        ),
    )
    invalid = (
        Invalid(
            _FLASK + _USER + "@app.get('/users/<int:uid>')\n"
            "def get_user(uid):\n"
            "    user = User.query.get_or_404(uid)\n"
            "    return jsonify(user.to_dict())\n",
            10,
            20,
            _secret_field("password_hash", "User", "to_dict()"),
        ),
        Invalid(
            _FLASK + "@app.get('/accounts/<int:aid>')\n"
            "def account(aid):\n"
            "    acct = Account.query.get(aid)\n"
            "    return jsonify(acct.__dict__)\n",
            6,
            20,
            _whole_object("acct", "__dict__"),
        ),
        Invalid(
            "from django.forms.models import model_to_dict\n"
            "from django.http import JsonResponse\n"
            "from .models import Customer\n"
            "def customer(request, pk):\n"
            "    data = model_to_dict(Customer.objects.get(pk=pk))\n"
            "    return JsonResponse(data)\n",
            6,
            25,
            _whole_object("Customer.objects.get(pk=pk)", "model_to_dict()"),
        ),
        Invalid(
            "from fastapi import FastAPI\n"
            "from sqlalchemy.orm import Mapped, mapped_column\n"
            "app = FastAPI()\n"
            "class User(Base):\n"
            "    id: Mapped[int] = mapped_column(primary_key=True)\n"
            "    hashed_password: Mapped[str]\n"
            "@app.get('/users/{uid}')\n"
            "def read_user(uid: int, db=Depends(get_db)):\n"
            "    return db.get(User, uid)\n",
            9,
            12,
            _secret_field("hashed_password", "User", "return"),
        ),
        Invalid(
            "from rest_framework import serializers\n"
            "class UserSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = User\n"
            "        fields = ['id', 'username', 'password']\n",
            5,
            37,
            _serializer_field("password", "UserSerializer"),
        ),
        Invalid(
            "from django.db import models\n"
            "from rest_framework import serializers\n"
            "class ApiClient(models.Model):\n"
            "    name = models.CharField(max_length=80)\n"
            "    client_secret = models.CharField(max_length=64)\n"
            "class ApiClientSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = ApiClient\n"
            "        fields = '__all__'\n",
            9,
            9,
            _serializer_field("client_secret", "ApiClientSerializer"),
        ),
        Invalid(
            "from flask import Flask\n"
            "app = Flask(__name__)\n"
            "@app.route('/me')\n"
            "def me():\n"
            "    return vars(current_user)\n",
            5,
            12,
            _whole_object("current_user", "vars()"),
        ),
        Invalid(
            "from starlette.responses import JSONResponse\n"
            "from fastapi import APIRouter\n"
            "router = APIRouter()\n"
            "class Token(Base):\n"
            "    id = Column(Integer)\n"
            "    token = Column(String)\n"
            "@router.get('/tokens', response_model=None)\n"
            "def tokens(db=Depends(get_db)):\n"
            "    rows = [t.as_dict() for t in db.query(Token).all()]\n"
            "    return JSONResponse(rows)\n",
            10,
            25,
            _secret_field("token", "Token", "as_dict()"),
        ),
    )
    valid = (
        Valid(
            _FLASK + "class Post(db.Model):\n"
            "    id = db.Column(db.Integer, primary_key=True)\n"
            "    title = db.Column(db.String)\n"
            "@app.get('/posts/<int:pid>')\n"
            "def post(pid):\n"
            "    return jsonify(Post.query.get(pid).to_dict())\n"
        ),
        Valid(
            _FLASK + _USER + "    def to_dict(self):\n"
            "        return {'id': self.id, 'email': self.email}\n"
            "@app.get('/users/<int:uid>')\n"
            "def get_user(uid):\n"
            "    return jsonify(User.query.get(uid).to_dict())\n"
        ),
        Valid(
            "from rest_framework import serializers\n"
            "class UserSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = User\n"
            "        fields = ['id', 'username', 'email', 'date_joined']\n"
        ),
        Valid(
            "from rest_framework import serializers\n"
            "class RegisterSerializer(serializers.ModelSerializer):\n"
            "    password = serializers.CharField(write_only=True)\n"
            "    class Meta:\n"
            "        model = User\n"
            "        fields = ('username', 'password', 'token_expiry', 'api_key')\n"
            "        extra_kwargs = {'api_key': {'write_only': True}}\n"
        ),
        Valid(
            "from fastapi import FastAPI\n"
            "from pydantic import BaseModel\n"
            "app = FastAPI()\n"
            "class User(Base):\n"
            "    id = Column(Integer)\n"
            "    hashed_password = Column(String)\n"
            "class UserOut(BaseModel):\n"
            "    id: int\n"
            "@app.get('/users/{uid}', response_model=UserOut)\n"
            "def read_user(uid: int, db=Depends(get_db)):\n"
            "    return db.get(User, uid)\n"
        ),
        Valid(
            "from django.forms.models import model_to_dict\n"
            "from django.http import JsonResponse\n"
            "def customer(request, pk):\n"
            "    obj = Customer.objects.get(pk=pk)\n"
            "    return JsonResponse(model_to_dict(obj, fields=['id', 'name']))\n"
        ),
        Valid(
            "def export(user):\n"
            "    return user.__dict__\n"
        ),
        Valid(
            _FLASK + "@app.get('/config-keys')\n"
            "def keys():\n"
            "    token = request.args.get('cursor')\n"
            "    return jsonify({'next': token, 'items': []})\n"
        ),
    )

    # -- responses -------------------------------------------------------------

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is None:
            return
        function = self.context.enclosing_function
        if not is_handler(self.context, function):
            return
        value = node.value
        if isinstance(value, cst.Call) and response_call_api(self.context, value):
            return  # its body arguments are checked when the call is visited
        if self._check(value) or function is None:
            return
        self._check_fastapi_return(function, value)

    def visit_Call(self, node: cst.Call) -> None:
        if response_call_api(self.context, node) is None:
            return
        if not is_handler(self.context, self.context.enclosing_function):
            return
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in RESPONSE_METADATA_KEYWORDS:
                continue
            self._check(arg.value)

    def _check(self, expression: cst.BaseExpression) -> bool:
        found = self._exposure(expression, 0)
        if found is None:
            return False
        self.report(found[0], found[1])
        return True

    def _exposure(
        self, expression: cst.BaseExpression, depth: int
    ) -> Optional[Tuple[cst.CSTNode, str]]:
        loops: Dict[str, cst.BaseExpression] = {}
        for node in walk_expression(expression):
            loops.update(comprehension_variables(node))
            message = self._judge(node, loops)
            if message is not None:
                return node, message
            if isinstance(node, cst.Name) and depth < _MAX_FOLLOW:
                resolved = self.context.follow(node)
                if resolved.expression is not node and not isinstance(
                    resolved.expression, cst.Name
                ):
                    inner = self._exposure(resolved.expression, depth + 1)
                    if inner is not None:
                        return node, inner[1]
        return None

    def _judge(
        self, node: cst.CSTNode, loops: Mapping[str, cst.BaseExpression]
    ) -> Optional[str]:
        context = self.context
        if isinstance(node, cst.Attribute) and node.attr.value == "__dict__":
            if self._harmless_object(node.value):
                return None
            return _whole_object(short_source(context, node.value), "__dict__")
        if not isinstance(node, cst.Call):
            return None
        qualified = context.qualified_name(node.func) or ""
        if qualified == "vars" and len(node.args) == 1:
            if self._harmless_object(node.args[0].value):
                return None
            return _whole_object(short_source(context, node.args[0].value), "vars()")
        if qualified in DJANGO_COPIES and node.args:
            if any(a.keyword and a.keyword.value in ("fields", "exclude") for a in node.args):
                return None
            target = node.args[-1] if len(node.args) > 1 else node.args[0]
            if target.keyword is not None or self._harmless_object(target.value):
                return None
            return _whole_object(short_source(context, target.value), DJANGO_COPIES[qualified])
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in SERIALIZE_METHODS:
            if any(a.keyword and a.keyword.value in ("exclude", "include") for a in node.args):
                return None
            model = class_of_value(context, func.value, loops)
            if model is None or not model.secret_fields:
                return None
            own = model.method(func.attr.value)
            if own is not None and not mentions_secret_attribute(own, model.secret_fields):
                return None
            return _secret_field(model.secret_fields[0], model.name, f"{func.attr.value}()")
        return None

    def _harmless_object(self, expression: cst.BaseExpression) -> bool:
        """An object of a local class that has no secret fields, or ``self``."""
        if isinstance(expression, cst.Name) and expression.value in ("self", "cls"):
            return True
        if (self.context.qualified_name(expression) or "") in CONFIGURATION_OBJECTS:
            return True  # the whole configuration in a response is APS510's finding
        model = class_of_value(self.context, expression)
        return model is not None and not model.secret_fields

    def _check_fastapi_return(
        self, function: cst.FunctionDef, value: cst.BaseExpression
    ) -> None:
        model_role = taint_model(self.context).frameworks.role(function)
        if model_role.framework != FASTAPI or function.returns is not None:
            return
        for decorator in function.decorators:
            call = decorator.decorator
            if not isinstance(call, cst.Call):
                continue
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == "response_model":
                    chosen = arg.value
                    if not (isinstance(chosen, cst.Name) and chosen.value == "None"):
                        if not self._exposes_secrets(chosen):
                            return
        if isinstance(value, (cst.Dict, cst.List, cst.Tuple, cst.BaseString)):
            return
        model = self._returned_model(value)
        if model is not None and model.secret_fields:
            self.report(value, _secret_field(model.secret_fields[0], model.name, "return"))

    def _exposes_secrets(self, annotation: cst.BaseExpression) -> bool:
        for node in walk_expression(annotation):
            if isinstance(node, cst.Name):
                model = module_classes(self.context).get(node.value)
                if model is not None and model.secret_fields:
                    return True
        return False

    def _returned_model(self, value: cst.BaseExpression) -> Optional[ModelClass]:
        classes = module_classes(self.context)
        current: cst.BaseExpression = value
        for _ in range(_MAX_FOLLOW):
            if isinstance(current, cst.Name):
                resolved = self.context.follow(current).expression
                if resolved is current:
                    return None
                current = resolved
                continue
            break
        if isinstance(current, cst.Call) and isinstance(current.func, cst.Name):
            if current.func.value in classes:
                return classes[current.func.value]
        if isinstance(current, (cst.Dict, cst.List, cst.Tuple, cst.BaseString)):
            return None
        if isinstance(current, cst.Call) and isinstance(current.func, cst.Attribute):
            if current.func.attr.value in SERIALIZE_METHODS:
                return None
            if current.func.attr.value in ("from_orm", "model_validate", "parse_obj"):
                return None
        return class_of_value(self.context, current)

    # -- Django REST framework serializers ---------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if not any(self._is_model_serializer(base.value) for base in node.bases):
            return
        meta = _inner_class(node, "Meta")
        if meta is None:
            return
        settings = _class_assignments(meta)
        write_only = _write_only_fields(node, settings)
        fields = settings.get("fields")
        if fields is not None:
            value = literal_value(fields.value)
            if isinstance(fields.value, (cst.List, cst.Tuple)):
                for element in fields.value.elements:
                    name = literal_value(element.value)
                    if (
                        isinstance(name, str)
                        and is_stored_secret_name(name)
                        and name not in write_only
                    ):
                        self.report(element.value, _serializer_field(name, node.name.value))
                return
            if value != "__all__":
                return
        excluded = _strings(settings["exclude"].value) if "exclude" in settings else set()
        if fields is None and "exclude" not in settings:
            return
        model_name = settings.get("model")
        model = None
        if model_name is not None and isinstance(model_name.value, cst.Name):
            model = module_classes(self.context).get(model_name.value.value)
        if model is None:
            return
        for secret in model.secret_fields:
            if secret not in excluded and secret not in write_only:
                where = fields if fields is not None else settings["exclude"]
                self.report(where, _serializer_field(secret, node.name.value))
                return

    def _is_model_serializer(self, base: cst.BaseExpression) -> bool:
        qualified = self.context.qualified_name(base) or ""
        return qualified.endswith(SERIALIZER_BASE_ENDINGS) and (
            qualified.startswith("rest_framework") or "." not in qualified
        )


def _inner_class(node: cst.ClassDef, name: str) -> Optional[cst.ClassDef]:
    for statement in node.body.body:
        if isinstance(statement, cst.ClassDef) and statement.name.value == name:
            return statement
    return None


def _class_assignments(node: cst.ClassDef) -> Dict[str, cst.Assign]:
    found: Dict[str, cst.Assign] = {}
    for statement in node.body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    for target in small.targets:
                        if isinstance(target.target, cst.Name):
                            found[target.target.value] = small
    return found


def _strings(node: cst.BaseExpression) -> Set[str]:
    value = literal_value(node)
    if isinstance(value, (list, tuple, set)):
        return {item for item in value if isinstance(item, str)}
    return set()


def _write_only_fields(serializer: cst.ClassDef, meta: Dict[str, cst.Assign]) -> Set[str]:
    """Fields declared ``write_only=True`` on the serializer or in ``extra_kwargs``."""
    found: Set[str] = set()
    for name, assign in _class_assignments(serializer).items():
        if isinstance(assign.value, cst.Call) and _keyword_true(assign.value, "write_only"):
            found.add(name)
    extra = meta.get("extra_kwargs")
    if extra is not None and isinstance(extra.value, cst.Dict):
        for element in extra.value.elements:
            if not isinstance(element, cst.DictElement):
                continue
            key = literal_value(element.key)
            if isinstance(key, str) and isinstance(element.value, cst.Dict):
                for option in element.value.elements:
                    if (
                        isinstance(option, cst.DictElement)
                        and literal_value(option.key) == "write_only"
                        and literal_value(option.value) is True
                    ):
                        found.add(key)
    return found


def _keyword_true(call: cst.Call, keyword: str) -> bool:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return literal_value(arg.value) is True
    return False

