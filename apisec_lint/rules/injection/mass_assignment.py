"""APS309: a request mapping copied wholesale into a model."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Set, TYPE_CHECKING

import libcst as cst

from apisec_lint.analysis import taint
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, RuleDocs, Valid
from apisec_lint.rules.injection.helpers import TaintSinkRule

if TYPE_CHECKING:
    from apisec_lint.engine import FileContext

#: Serializer and form bases whose ``Meta.fields = "__all__"`` accepts every model field.
MODEL_BINDING_BASES = frozenset(
    {"rest_framework.serializers.ModelSerializer",
     "rest_framework.serializers.HyperlinkedModelSerializer",
     "django.forms.ModelForm", "django.forms.models.ModelForm"}
)


class MassAssignment(TaintSinkRule):
    code = "APS309"
    name = "mass-assignment"
    message = (
        "a request mapping is splatted into a model (`Model(**data)`): "
        "copy the allowed fields explicitly"
    )
    summary = "Every key of a request mapping is written to a model, including fields meant to be read-only."
    severity = Severity.HIGH
    cwe = (915,)
    owasp = "API3:2023"
    sink_kind = taint.MASS_ASSIGNMENT
    advice = "copy the allowed fields explicitly"
    triggers = taint.FRAMEWORK_TRIGGERS
    docs = RuleDocs(
        what=(
            "A mapping from the request (JSON body, form, DRF `request.data`) "
            "splatted into a model constructor or manager call (`User(**data)`, "
            "`User.objects.create(**request.data)`, `.update(**data)`), passed to "
            "`obj.__dict__.update()` or a query's `update()`, or whose keys drive a "
            "`setattr` loop; DRF `ModelSerializer` classes with `fields = "
            "\"__all__\"`; and Django `ModelForm` classes with `fields = \"__all__\"` "
            "that a view in the same module fills from the request "
            "(`ProfileForm(request.POST)`, `form_class = ProfileForm`). Pydantic "
            "request models and dict comprehensions filtered by an allow-list of keys "
            "are not reported."
        ),
        why=(
            "Clients can set any column the model has: `is_admin`, `owner_id`, "
            "`balance`, `email_verified`. Listing the writable fields makes the API's "
            "contract explicit and keeps new columns private by default."
        ),
        insecure=(
            "from flask import Flask, request\n"
            "\n"
            "from shop.models import User, db\n"
            "\n"
            "app = Flask(__name__)\n"
            "\n"
            "\n"
            '@app.post("/users")\n'
            "def create_user():\n"
            "    user = User(**request.get_json())\n"
            "    db.session.add(user)\n"
            "    db.session.commit()\n"
            '    return {"id": user.id}, 201\n'
        ),
        fixed=(
            "from flask import Flask, request\n"
            "\n"
            "from shop.models import User, db\n"
            "\n"
            "app = Flask(__name__)\n"
            "\n"
            "\n"
            '@app.post("/users")\n'
            "def create_user():\n"
            "    data = request.get_json()\n"
            '    user = User(name=data["name"], email=data["email"])\n'
            "    db.session.add(user)\n"
            "    db.session.commit()\n"
            '    return {"id": user.id}, 201\n'
        ),
        limitations=(
            "A constructor counts as a model when its class is defined in the module "
            "with an ORM base (`db.Model`, `models.Model`, a declarative `Base`, "
            "`SQLModel` with `table=True`), imported from a `models` module, or is a "
            "manager/query method; other classes are not reported. A `ModelForm` "
            "with `fields = \"__all__\"` is reported only where its module binds it "
            "to request data: forms written for the admin (staff-only, and Django "
            "documents `__all__` for them) or kept in a forms module apart from the "
            "views that use them are not, since that binding is out of sight."
        ),
    )
    valid = (
        Valid(
            "from flask import Flask, request\n"
            "from app.models import User\n"
            "app = Flask(__name__)\n"
            "@app.post('/users')\n"
            "def create_user():\n"
            "    data = request.get_json()\n"
            "    user = User(name=data['name'], email=data['email'])\n"
            "    return {'id': user.id}\n"
        ),
        Valid(
            "from fastapi import FastAPI\n"
            "from pydantic import BaseModel\n"
            "from app.models import Item\n"
            "app = FastAPI()\n"
            "class ItemIn(BaseModel):\n"
            "    name: str\n"
            "    price: float\n"
            "@app.post('/items')\n"
            "def create(item: ItemIn):\n"
            "    return Item(**item.dict())\n"
        ),
        Valid(
            "from flask import Flask, request\n"
            "from app.models import Profile\n"
            "app = Flask(__name__)\n"
            "EDITABLE = {'bio', 'website'}\n"
            "@app.patch('/profile')\n"
            "def edit():\n"
            "    changes = {k: v for k, v in request.json.items() if k in EDITABLE}\n"
            "    return Profile(**changes)\n"
        ),
        Valid(
            "from rest_framework import serializers\n"
            "from shop.models import Order\n"
            "class OrderSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Order\n"
            "        fields = ['id', 'items', 'note']\n"
        ),
        Valid(
            "from flask import Flask, jsonify, request\n"
            "app = Flask(__name__)\n"
            "@app.post('/echo')\n"
            "def echo():\n"
            "    return jsonify(**request.get_json())\n"
        ),
        Valid(
            "from django import forms\n"
            "from django.contrib import admin\n"
            "from pages.models import Page\n"
            "class PageAdminForm(forms.ModelForm):\n"
            "    class Meta:\n"
            "        model = Page\n"
            "        fields = '__all__'\n"
            "class PageAdmin(admin.ModelAdmin):\n"
            "    form = PageAdminForm\n",
            path="pages/admin.py",
        ),
    )
    invalid = (
        Invalid(
            "from flask import Flask, request\n"
            "from flask_sqlalchemy import SQLAlchemy\n"
            "app = Flask(__name__)\n"
            "db = SQLAlchemy(app)\n"
            "class User(db.Model):\n"
            "    id = db.Column(db.Integer, primary_key=True)\n"
            "@app.post('/users')\n"
            "def create_user():\n"
            "    payload = request.get_json()\n"
            "    user = User(**payload)\n"
            "    db.session.add(user)\n"
            "    return {'id': user.id}\n",
            10, 17,
            "request.get_json() reaches User() through `payload` (line 9): "
            "copy the allowed fields explicitly",
        ),
        Invalid(
            "from rest_framework.decorators import api_view\n"
            "from rest_framework.response import Response\n"
            "from accounts.models import Account\n"
            "@api_view(['POST'])\n"
            "def open_account(request):\n"
            "    account = Account.objects.create(**request.data)\n"
            "    return Response({'id': account.pk})\n",
            6, 38,
            "request.data reaches Account.objects.create(): copy the allowed fields explicitly",
        ),
        Invalid(
            "from django.http import JsonResponse\n"
            "from blog.models import Post\n"
            "def edit_post(request, pk):\n"
            "    post = Post.objects.get(pk=pk)\n"
            "    post.__dict__.update(request.POST.dict())\n"
            "    post.save()\n"
            "    return JsonResponse({'ok': True})\n",
            5, 26,
            "request.POST.dict() reaches post.__dict__.update(): "
            "copy the allowed fields explicitly",
        ),
        Invalid(
            "from flask import Flask, request\n"
            "from app.models import User\n"
            "app = Flask(__name__)\n"
            "@app.put('/users/<int:uid>')\n"
            "def update_user(uid):\n"
            "    user = User.query.get(uid)\n"
            "    for key, value in request.json.items():\n"
            "        setattr(user, key, value)\n"
            "    return {'ok': True}\n",
            8, 23,
            "request.json.items() reaches setattr() through `key` (line 7): "
            "copy the allowed fields explicitly",
        ),
        Invalid(
            "from rest_framework import serializers as s\n"
            "from shop.models import Order\n"
            "class OrderSerializer(s.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Order\n"
            "        fields = '__all__'\n",
            6, 9,
            "ModelSerializer with `fields = \"__all__\"` accepts every model field: "
            "list the writable fields",
        ),
        Invalid(
            "from fastapi import FastAPI, Request\n"
            "from app.models import Invoice\n"
            "app = FastAPI()\n"
            "@app.patch('/invoices/{invoice_id}')\n"
            "async def patch_invoice(invoice_id: int, request: Request):\n"
            "    changes = await request.json()\n"
            "    session.query(Invoice).filter_by(id=invoice_id).update(changes)\n",
            7, 60,
            "request.json() reaches update() through `changes` "
            "(line 6): copy the allowed fields explicitly",
        ),
        Invalid(
            "from django import forms\n"
            "from django.shortcuts import redirect, render\n"
            "from accounts.models import Profile\n"
            "class ProfileForm(forms.ModelForm):\n"
            "    class Meta:\n"
            "        model = Profile\n"
            "        fields = '__all__'\n"
            "def edit_profile(request):\n"
            "    form = ProfileForm(request.POST or None, instance=request.user.profile)\n"
            "    if form.is_valid():\n"
            "        form.save()\n"
            "        return redirect('profile')\n"
            "    return render(request, 'profile.html', {'form': form})\n",
            7, 9,
            "ModelForm with `fields = \"__all__\"` is filled from the request here: "
            "list the fields users may set",
        ),
    )

    def __init__(self, context: "FileContext", settings: Mapping[str, Any]) -> None:
        super().__init__(context, settings)
        #: ModelForms with ``fields = "__all__"``: class name -> the assignment.
        self._open_forms: Dict[str, cst.Assign] = {}
        #: Names of classes the module binds to request data.
        self._bound_to_request: Set[str] = set()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if not any(
            self.context.qualified_name(base.value) in MODEL_BINDING_BASES for base in node.bases
        ):
            return
        is_form = any(
            (self.context.qualified_name(base.value) or "").endswith("ModelForm")
            for base in node.bases
        )
        fields = _all_fields_assignment(node)
        if fields is None:
            return
        if is_form:
            self._open_forms[node.name.value] = fields
            return
        self.report(
            fields,
            "ModelSerializer with `fields = \"__all__\"` accepts every model field: "
            "list the writable fields",
        )

    def visit_Call(self, node: cst.Call) -> None:
        super().visit_Call(node)
        if isinstance(node.func, cst.Name) and any(
            _reads_request(arg.value) for arg in node.args
        ):
            self._bound_to_request.add(node.func.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        if isinstance(node.value, cst.Name) and any(
            isinstance(target.target, cst.Name) and target.target.value == "form_class"
            for target in node.targets
        ):
            self._bound_to_request.add(node.value.value)

    def leave_Module(self, original_node: cst.Module) -> None:
        for name, fields in self._open_forms.items():
            if name in self._bound_to_request:
                self.report(
                    fields,
                    "ModelForm with `fields = \"__all__\"` is filled from the request "
                    "here: list the fields users may set",
                )


def _reads_request(expression: cst.BaseExpression) -> bool:
    """``request.POST``, ``self.request.FILES``, ``data=request.POST or None``..."""
    stack = [expression]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Attribute):
            if isinstance(node.value, cst.Name) and node.value.value in ("request", "req"):
                return True
            if isinstance(node.value, cst.Attribute) and node.value.attr.value == "request":
                return True
            stack.append(node.value)
        elif isinstance(node, cst.BooleanOperation):
            stack.extend((node.left, node.right))
        elif isinstance(node, cst.Subscript):
            stack.append(node.value)
    return False


def _all_fields_assignment(node: cst.ClassDef) -> Optional[cst.Assign]:
    for statement in node.body.body:
        if not (isinstance(statement, cst.ClassDef) and statement.name.value == "Meta"):
            continue
        for line in statement.body.body:
            if not isinstance(line, cst.SimpleStatementLine):
                continue
            for small in line.body:
                if (
                    isinstance(small, cst.Assign)
                    and any(
                        isinstance(t.target, cst.Name) and t.target.value == "fields"
                        for t in small.targets
                    )
                    and isinstance(small.value, cst.SimpleString)
                    and small.value.evaluated_value == "__all__"
                ):
                    return small
    return None
