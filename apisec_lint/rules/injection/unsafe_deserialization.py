"""APS304: request data given to a loader that can build arbitrary objects."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from apisec_lint.analysis import taint
from apisec_lint.analysis.calls import argument
from apisec_lint.findings import Severity
from apisec_lint.fixes import Fix, module_reference, remove_argument, rename_function
from apisec_lint.rules.base import Invalid, RuleDocs, Valid
from apisec_lint.rules.injection.helpers import TaintSinkRule

#: PyYAML loaders that build arbitrary objects, and the safe function for each.
_SAFE_YAML_FUNCTIONS = {
    "yaml.load": "safe_load",
    "yaml.load_all": "safe_load_all",
    "yaml.unsafe_load": "safe_load",
    "yaml.unsafe_load_all": "safe_load_all",
}
_UNSAFE_YAML_LOADERS = frozenset(
    {"yaml.Loader", "yaml.FullLoader", "yaml.UnsafeLoader", "yaml.loader.Loader",
     "yaml.loader.FullLoader", "yaml.loader.UnsafeLoader"}
)


class UnsafeDeserialization(TaintSinkRule):
    code = "APS304"
    name = "unsafe-deserialization"
    message = (
        "request data reaches `pickle.loads()`/`yaml.load()`: "
        "use json or a safe loader"
    )
    summary = "Request data is deserialized by a loader that can run code."
    severity = Severity.HIGH
    cwe = (502,)
    owasp = "API8:2023"
    sink_kind = taint.DESERIALIZATION
    advice = "use json or a safe loader"
    fixable = True
    triggers = taint.FRAMEWORK_TRIGGERS
    docs = RuleDocs(
        what=(
            "Request data (bodies, uploaded files, cookies, parameters) reaching "
            "`pickle`/`dill`/`cloudpickle`/`marshal`/`joblib` loading, `shelve.open`, "
            "`pandas.read_pickle`, `jsonpickle.decode`, or `yaml.load` without a safe "
            "loader. Loaders reading the application's own files or constants are "
            "not reported: only data that comes from the request is.\n\n"
            "`--fix` rewrites `yaml.load(data)` and `yaml.load(data, "
            "Loader=yaml.Loader)` (also `FullLoader`, `UnsafeLoader`, a positional "
            "loader, `load_all` and `unsafe_load`) to `yaml.safe_load(data)` or "
            "`yaml.safe_load_all(data)`. The other loaders have no safe drop-in "
            "replacement and are left for a person to change."
        ),
        why=(
            "These formats describe which objects to build and which functions to "
            "call while loading, so a crafted payload runs code on the server."
        ),
        insecure=(
            "import base64\n"
            "import pickle\n"
            "\n"
            "from flask import Flask, request\n"
            "\n"
            "app = Flask(__name__)\n"
            "\n"
            "\n"
            '@app.get("/cart")\n'
            "def cart():\n"
            '    state = pickle.loads(base64.b64decode(request.cookies["state"]))\n'
            '    return {"items": state["items"]}\n'
        ),
        fixed=(
            "import base64\n"
            "import json\n"
            "\n"
            "from flask import Flask, request\n"
            "\n"
            "app = Flask(__name__)\n"
            "\n"
            "\n"
            '@app.get("/cart")\n'
            "def cart():\n"
            '    state = json.loads(base64.b64decode(request.cookies["state"]))\n'
            '    return {"items": state["items"]}\n'
        ),
        limitations=(
            "Data that is signed and verified before loading (an HMAC check) is "
            "still reported; such code is better served by a data-only format."
        ),
    )
    #: The fix for the call being visited, given to whatever it reports.
    _safe_load: Optional[Fix] = None

    def visit_Call(self, node: cst.Call) -> None:
        self._safe_load = self._safe_yaml_fix(node)
        try:
            super().visit_Call(node)
        finally:
            self._safe_load = None

    def report(
        self, node: cst.CSTNode, message: Optional[str] = None, fix: Optional[Fix] = None
    ) -> None:
        super().report(node, message, fix or self._safe_load)

    def _safe_yaml_fix(self, node: cst.Call) -> Optional[Fix]:
        """``yaml.safe_load(stream)`` for a PyYAML load that passes only the stream
        and, for ``load``, one of the unsafe loaders."""
        called = self.context.qualified_name(node.func) or ""
        function = _SAFE_YAML_FUNCTIONS.get(called)
        if function is None or any(arg.star for arg in node.args):
            return None
        stream = argument(node, 0, "stream")
        loader = argument(node, 1, "Loader") if called.startswith("yaml.load") else None
        others = [arg for arg in node.args if arg is not stream and arg is not loader]
        if stream is None or others:
            return None
        if loader is not None:
            if self.context.qualified_name(loader.value) not in _UNSAFE_YAML_LOADERS:
                return None
        reference = module_reference(self.context, "yaml")
        if reference is None:
            return None
        call = remove_argument(node, loader) if loader is not None else node
        replacement = rename_function(call, reference.name, function)
        return Fix(node, replacement, ("yaml",) if reference.needs_import else ())

    valid = (
        Valid(
            "import pickle\n"
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "with open('model.pkl', 'rb') as handle:\n"
            "    MODEL = pickle.load(handle)\n"
            "@app.post('/predict')\n"
            "def predict():\n"
            "    return {'y': MODEL.predict(request.json['x'])}\n"
        ),
        Valid(
            "import yaml\n"
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "@app.post('/config')\n"
            "def config():\n"
            "    return yaml.load(request.data, Loader=yaml.SafeLoader)\n"
        ),
        Valid(
            "import json, base64\n"
            "from django.http import JsonResponse\n"
            "def restore(request):\n"
            "    state = json.loads(base64.b64decode(request.COOKIES['state']))\n"
            "    return JsonResponse(state)\n"
        ),
        Valid(
            "import pickle\n"
            "from fastapi import FastAPI\n"
            "app = FastAPI()\n"
            "@app.get('/cached/{key}')\n"
            "def cached(key: int):\n"
            "    with open(f'/var/cache/app/{key}.pkl', 'rb') as handle:\n"
            "        return pickle.load(handle)\n"
        ),
    )
    invalid = (
        Invalid(
            "import base64, pickle\n"
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "@app.route('/cart')\n"
            "def cart():\n"
            "    raw = base64.b64decode(request.cookies['cart'])\n"
            "    items = pickle.loads(raw)\n"
            "    return {'n': len(items)}\n",
            7, 26,
            "request.cookies['cart'] reaches pickle.loads() through `raw` (line 6): "
            "use json or a safe loader",
        ),
        Invalid(
            "import yaml\n"
            "from django.http import JsonResponse\n"
            "def import_config(request):\n"
            "    return JsonResponse(yaml.load(request.body, Loader=yaml.Loader))\n",
            4, 35,
            "request.body reaches yaml.load(): use json or a safe loader",
        ),
        Invalid(
            "import dill as serializer\n"
            "from fastapi import FastAPI, UploadFile\n"
            "app = FastAPI()\n"
            "@app.post('/jobs')\n"
            "async def submit(job: UploadFile):\n"
            "    blob = await job.read()\n"
            "    task = serializer.loads(blob)\n"
            "    return {'queued': task.name}\n",
            7, 29,
            "parameter `job` reaches serializer.loads() through `blob` (line 6): "
            "use json or a safe loader",
        ),
        Invalid(
            "import jsonpickle\n"
            "from aiohttp import web\n"
            "routes = web.RouteTableDef()\n"
            "@routes.post('/state')\n"
            "async def state(request):\n"
            "    text = await request.text()\n"
            "    obj = jsonpickle.decode(text)\n"
            "    return web.json_response({'type': type(obj).__name__})\n",
            7, 29,
            "request.text() reaches jsonpickle.decode() through `text` (line 6): "
            "use json or a safe loader",
        ),
        Invalid(
            "import pickle\n"
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "def load_upload(stream):\n"
            "    return pickle.load(stream)\n"
            "@app.post('/upload')\n"
            "def upload():\n"
            "    data = load_upload(request.files['model'])\n"
            "    return {'ok': bool(data)}\n",
            8, 24,
            "request.files['model'] reaches pickle.load() in load_upload(): "
            "use json or a safe loader",
        ),
    )
