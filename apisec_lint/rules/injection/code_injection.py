"""APS303: request data evaluated or imported as Python code."""

from __future__ import annotations

from apisec_lint.analysis import taint
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, RuleDocs, Valid
from apisec_lint.rules.injection.helpers import TaintSinkRule


class CodeInjection(TaintSinkRule):
    code = "APS303"
    name = "code-injection"
    message = (
        "request data reaches `eval`/`exec`/`import_module`: "
        "map the input to allowed values instead"
    )
    summary = "Request data is evaluated, compiled or imported as Python code."
    severity = Severity.HIGH
    cwe = (94, 95)
    owasp = "API8:2023"
    sink_kind = taint.CODE
    advice = "map the input to allowed values instead"
    triggers = taint.FRAMEWORK_TRIGGERS
    docs = RuleDocs(
        what=(
            "Request data reaching `eval`, `exec`, `compile`, `__import__` or "
            "`importlib.import_module`, through variables, string building and "
            "module helpers. Casts and allow-list checks stop the flow."
        ),
        why=(
            "Evaluated data runs with the full rights of the server process: one "
            "request can read secrets, open a shell or change other users' data. "
            "Parsing literals with `ast.literal_eval` or `json.loads`, or choosing "
            "from a fixed mapping, keeps the input as data."
        ),
        insecure=(
            "from flask import Flask, request\n"
            "\n"
            "app = Flask(__name__)\n"
            "\n"
            "\n"
            '@app.get("/calc")\n'
            "def calc():\n"
            '    expr = request.args["expr"]\n'
            '    return {"result": eval(expr)}\n'
        ),
        fixed=(
            "import ast\n"
            "\n"
            "from flask import Flask, request\n"
            "\n"
            "app = Flask(__name__)\n"
            "\n"
            "\n"
            '@app.get("/calc")\n'
            "def calc():\n"
            '    expr = request.args["expr"]\n'
            '    return {"result": ast.literal_eval(expr)}\n'
        ),
        limitations=(
            "Only the listed built-ins and `importlib.import_module` are sinks; "
            "`getattr` on modules with request data, pickle-like loaders (APS304) "
            "and template rendering (APS308) are separate."
        ),
    )
    valid = (
        Valid(
            "import ast\n"
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "@app.route('/calc')\n"
            "def calc():\n"
            "    return {'result': ast.literal_eval(request.args['expr'])}\n"
        ),
        Valid(
            "import importlib\n"
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "PLUGINS = {'csv': 'exporters.csv', 'pdf': 'exporters.pdf'}\n"
            "@app.route('/export')\n"
            "def export():\n"
            "    module = importlib.import_module(PLUGINS[request.args['fmt']])\n"
            "    return module.run()\n"
        ),
        Valid(
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "@app.route('/square')\n"
            "def square():\n"
            "    n = int(request.args['n'])\n"
            "    return str(eval(f'{n} * {n}'))\n"
        ),
        Valid(
            "def load_settings(text):\n"
            "    return eval(text)\n"
            "SETTINGS = load_settings(open('settings.txt').read())\n"
        ),
    )
    invalid = (
        Invalid(
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "@app.route('/calc')\n"
            "def calc():\n"
            "    expr = request.args.get('expr', '0')\n"
            "    return {'result': eval(expr)}\n",
            6, 28,
            "request.args.get('expr', '0') reaches eval() through `expr` (line 5): "
            "map the input to allowed values instead",
        ),
        Invalid(
            "from importlib import import_module as load\n"
            "from django.http import JsonResponse\n"
            "def plugin(request, name):\n"
            "    module = load('plugins.' + name)\n"
            "    return JsonResponse(module.describe())\n",
            4, 19,
            "URL parameter `name` reaches load(): map the input to allowed values instead",
            path="plugins/views.py",
        ),
        Invalid(
            "from fastapi import FastAPI\n"
            "app = FastAPI()\n"
            "@app.post('/rules')\n"
            "async def rules(body: dict):\n"
            "    source = body['code']\n"
            "    exec(compile(source, '<rule>', 'exec'))\n",
            6, 18,
            "parameter `body` reaches compile() through `source` (line 5): "
            "map the input to allowed values instead",
        ),
        Invalid(
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "def run(snippet):\n"
            "    return eval(snippet)\n"
            "@app.post('/eval')\n"
            "def evaluate():\n"
            "    payload = request.get_json()\n"
            "    return str(run(payload['expr']))\n",
            8, 20,
            "request.get_json() reaches eval() in run() through `payload` (line 7): "
            "map the input to allowed values instead",
        ),
        Invalid(
            "from aiohttp import web\n"
            "routes = web.RouteTableDef()\n"
            "@routes.post('/filter')\n"
            "async def filter_rows(request):\n"
            "    data = await request.json()\n"
            "    pred = eval('lambda row: ' + data['where'])\n"
            "    return web.json_response([r for r in ROWS if pred(r)])\n",
            6, 17,
            "request.json() reaches eval() through `data` (line 5): "
            "map the input to allowed values instead",
        ),
    )
