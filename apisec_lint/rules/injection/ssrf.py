"""APS306: server-side requests to a URL the client chooses."""

from __future__ import annotations

from apisec_lint.analysis import taint
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, RuleDocs, Valid
from apisec_lint.rules.injection.helpers import TaintSinkRule


class ServerSideRequestForgery(TaintSinkRule):
    code = "APS306"
    name = "ssrf"
    message = (
        "request data is the URL of an outgoing request: "
        "check the host against an allow-list"
    )
    summary = "The server sends an HTTP request to a URL taken from the client's request."
    severity = Severity.HIGH
    cwe = (918,)
    owasp = "API7:2023"
    sink_kind = taint.SSRF
    advice = "check the host against an allow-list"
    triggers = taint.FRAMEWORK_TRIGGERS
    docs = RuleDocs(
        what=(
            "Request data reaching the URL of `requests`, `httpx` (functions, "
            "`Client`, `AsyncClient`), `urllib.request.urlopen`/`Request`, `urllib3` "
            "and `aiohttp.ClientSession` calls. A URL whose scheme and host are "
            "constant (`f\"https://api.example.com/users/{uid}\"`) is not reported; "
            "an allow-list check of the URL or of its parsed host stops the flow."
        ),
        why=(
            "A server that fetches any URL a client names can be pointed at internal "
            "services and cloud metadata endpoints that the client cannot reach, "
            "returning credentials or changing internal state."
        ),
        insecure=(
            "import requests\n"
            "from flask import Flask, request\n"
            "\n"
            "app = Flask(__name__)\n"
            "\n"
            "\n"
            '@app.post("/webhooks")\n'
            "def register_webhook():\n"
            '    url = request.json["callback"]\n'
            '    requests.post(url, json={"event": "registered"}, timeout=5)\n'
            '    return "", 204\n'
        ),
        fixed=(
            "from urllib.parse import urlparse\n"
            "\n"
            "import requests\n"
            "from flask import Flask, abort, request\n"
            "\n"
            "app = Flask(__name__)\n"
            'ALLOWED_HOSTS = {"hooks.partner.example"}\n'
            "\n"
            "\n"
            '@app.post("/webhooks")\n'
            "def register_webhook():\n"
            '    url = request.json["callback"]\n'
            "    if urlparse(url).hostname not in ALLOWED_HOSTS:\n"
            "        abort(400)\n"
            '    requests.post(url, json={"event": "registered"}, timeout=5)\n'
            '    return "", 204\n'
        ),
        limitations=(
            "Clients stored on objects (`self.client.get(url)`) or created in another "
            "module are not recognised. Data in the path or query of a URL with a "
            "constant host is not reported, though it may still reach unintended "
            "endpoints of that host."
        ),
    )
    valid = (
        Valid(
            "import requests\n"
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "@app.route('/user')\n"
            "def user():\n"
            "    uid = request.args['id']\n"
            "    return requests.get(f'https://api.example.com/users/{uid}', timeout=5).json()\n"
        ),
        Valid(
            "from urllib.parse import urlparse\n"
            "import requests\n"
            "from flask import Flask, abort, request\n"
            "app = Flask(__name__)\n"
            "ALLOWED_HOSTS = {'hooks.example.com'}\n"
            "@app.post('/hook')\n"
            "def hook():\n"
            "    url = request.json['url']\n"
            "    if urlparse(url).hostname not in ALLOWED_HOSTS:\n"
            "        abort(400)\n"
            "    requests.post(url, json={}, timeout=5)\n"
            "    return 'ok'\n"
        ),
        Valid(
            "import httpx\n"
            "from fastapi import FastAPI\n"
            "app = FastAPI()\n"
            "BASE = 'https://billing.internal/'\n"
            "@app.get('/invoices')\n"
            "async def invoices(customer: str):\n"
            "    async with httpx.AsyncClient() as client:\n"
            "        return (await client.get(BASE + 'invoices?c=' + customer)).json()\n"
        ),
        Valid(
            "import requests\n"
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "@app.route('/status')\n"
            "def status():\n"
            "    request.args.get('verbose')\n"
            "    return requests.get('https://status.example.com/api', timeout=3).text\n"
        ),
    )
    invalid = (
        Invalid(
            "import requests\n"
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "@app.post('/preview')\n"
            "def preview():\n"
            "    url = request.json['url']\n"
            "    page = requests.get(url, timeout=5)\n"
            "    return page.text\n",
            7, 25,
            "request.json['url'] reaches requests.get() through `url` (line 6): "
            "check the host against an allow-list",
        ),
        Invalid(
            "import httpx\n"
            "from fastapi import FastAPI\n"
            "app = FastAPI()\n"
            "@app.get('/proxy')\n"
            "async def proxy(target: str):\n"
            "    async with httpx.AsyncClient() as client:\n"
            "        response = await client.get(target)\n"
            "    return response.json()\n",
            7, 37,
            "parameter `target` reaches client.get(): check the host against an allow-list",
        ),
        Invalid(
            "from urllib.request import urlopen as fetch\n"
            "from django.http import HttpResponse\n"
            "def avatar(request):\n"
            "    source = request.GET.get('src')\n"
            "    return HttpResponse(fetch(source).read())\n",
            5, 31,
            "request.GET.get('src') reaches fetch() through `source` (line 4): "
            "check the host against an allow-list",
        ),
        Invalid(
            "import aiohttp\n"
            "from aiohttp import web\n"
            "async def relay(request):\n"
            "    body = await request.json()\n"
            "    async with aiohttp.ClientSession() as session:\n"
            "        async with session.post(body['webhook'], json=body) as response:\n"
            "            return web.json_response({'status': response.status})\n"
            "app = web.Application()\n"
            "app.router.add_post('/relay', relay)\n",
            6, 33,
            "request.json() reaches session.post() through `body` (line 4): "
            "check the host against an allow-list",
        ),
        Invalid(
            "import requests\n"
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "def fetch_json(url):\n"
            "    return requests.get(url, timeout=5).json()\n"
            "@app.route('/import')\n"
            "def import_feed():\n"
            "    host = request.args['host']\n"
            "    return fetch_json('https://' + host + '/feed.json')\n",
            9, 23,
            "request.args['host'] reaches requests.get() in fetch_json() through `host` "
            "(line 8): check the host against an allow-list",
        ),
    )
