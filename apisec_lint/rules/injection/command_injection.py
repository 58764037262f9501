"""APS302: request data in a shell command line or as the program to run."""

from __future__ import annotations

from apisec_lint.analysis import taint
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, RuleDocs, Valid
from apisec_lint.rules.injection.helpers import TaintSinkRule


class CommandInjection(TaintSinkRule):
    code = "APS302"
    name = "command-injection"
    message = (
        "request data reaches a shell command in `subprocess`/`os.system`: "
        "pass an argument list without a shell"
    )
    summary = "Request data becomes part of a shell command line or names the program to run."
    severity = Severity.HIGH
    cwe = (78,)
    owasp = "API8:2023"
    sink_kind = taint.COMMAND
    advice = "pass an argument list without a shell"
    triggers = taint.FRAMEWORK_TRIGGERS
    docs = RuleDocs(
        what=(
            "Request data reaching `os.system`, `os.popen`, `subprocess.getoutput`, "
            "`asyncio.create_subprocess_shell`, any `subprocess` call with a true "
            "`shell` (any truthy value), the script of a shell run with `-c` "
            "(`[\"sh\", \"-c\", cmd]`, `bash -lc`), or the program of a subprocess "
            "call. `shlex.quote`, casts and allow-list checks stop the flow."
        ),
        why=(
            "A shell reads `;`, `&&`, `$(...)` and backticks in the data as more "
            "commands, so the client runs anything the server account may run. An "
            "argument list without a shell hands each item to the program as one "
            "argument."
        ),
        insecure=(
            "import subprocess\n"
            "\n"
            "from flask import Flask, request\n"
            "\n"
            "app = Flask(__name__)\n"
            "\n"
            "\n"
            '@app.get("/ping")\n'
            "def ping():\n"
            '    host = request.args["host"]\n'
            '    subprocess.run(f"ping -c 1 {host}", shell=True, timeout=10)\n'
            '    return "sent"\n'
        ),
        fixed=(
            "import subprocess\n"
            "\n"
            "from flask import Flask, request\n"
            "\n"
            "app = Flask(__name__)\n"
            "\n"
            "\n"
            '@app.get("/ping")\n'
            "def ping():\n"
            '    host = request.args["host"]\n'
            '    subprocess.run(["ping", "-c", "1", "--", host], timeout=10)\n'
            '    return "sent"\n'
        ),
        limitations=(
            "Arguments passed to a fixed program without a shell are not reported, "
            "even though some programs interpret options (`--output=...`) in them. "
            "Command lines built by functions of other modules are not followed."
        ),
    )
    valid = (
        Valid(
            "import subprocess\n"
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "@app.route('/ping')\n"
            "def ping():\n"
            "    host = request.args['host']\n"
            "    subprocess.run(['ping', '-c', '1', host], check=True)\n"
            "    return 'ok'\n"
        ),
        Valid(
            "import shlex, subprocess\n"
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "@app.route('/ping')\n"
            "def ping():\n"
            "    host = shlex.quote(request.args['host'])\n"
            "    subprocess.run('ping -c 1 ' + host, shell=True)\n"
            "    return 'ok'\n"
        ),
        Valid(
            "import os\n"
            "from fastapi import FastAPI\n"
            "app = FastAPI()\n"
            "@app.post('/restart/{count}')\n"
            "def restart(count: int):\n"
            "    os.system(f'systemctl restart worker@{count}')\n"
        ),
        Valid(
            "import subprocess\n"
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "@app.route('/version')\n"
            "def version():\n"
            "    subprocess.run('git describe --tags', shell=True)\n"
            "    return request.args.get('q', '')\n"
        ),
        Valid(
            "import subprocess\n"
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "TOOLS = ('uptime', 'df')\n"
            "@app.route('/tool')\n"
            "def tool():\n"
            "    name = request.args['name']\n"
            "    if name in TOOLS:\n"
            "        subprocess.run(name, shell=True)\n"
            "    return 'ok'\n"
        ),
    )
    invalid = (
        Invalid(
            "import subprocess as sp\n"
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "@app.route('/ping')\n"
            "def ping():\n"
            "    host = request.args['host']\n"
            "    cmd = f'ping -c 1 {host}'\n"
            "    return sp.check_output(cmd, shell=1)\n",
            8, 28,
            "request.args['host'] reaches sp.check_output() through `cmd` (line 7): "
            "pass an argument list without a shell",
        ),
        Invalid(
            "from os import system as run\n"
            "from django.http import HttpResponse\n"
            "def backup(request):\n"
            "    run('tar czf /tmp/b.tgz ' + request.POST['dir'])\n"
            "    return HttpResponse('ok')\n",
            4, 9,
            "request.POST['dir'] reaches run(): pass an argument list without a shell",
        ),
        Invalid(
            "import subprocess\n"
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "@app.post('/convert')\n"
            "def convert():\n"
            "    name = request.form['name']\n"
            "    subprocess.run(['bash', '-lc', 'convert ' + name + ' out.png'])\n"
            "    return 'ok'\n",
            7, 36,
            "request.form['name'] reaches subprocess.run() through `name` (line 6): "
            "pass an argument list without a shell",
        ),
        Invalid(
            "import subprocess\n"
            "from fastapi import FastAPI\n"
            "app = FastAPI()\n"
            "@app.get('/run')\n"
            "def run_tool(tool: str):\n"
            "    return subprocess.check_output([tool, '--version'])\n",
            6, 37,
            "parameter `tool` reaches subprocess.check_output(): "
            "pass an argument list without a shell",
        ),
        Invalid(
            "import os\n"
            "from aiohttp import web\n"
            "def archive(path):\n"
            "    return os.popen('zip -r out.zip ' + path).read()\n"
            "async def handle(request):\n"
            "    folder = request.query.get('folder')\n"
            "    return web.Response(text=archive(folder))\n"
            "app = web.Application()\n"
            "app.router.add_get('/zip', handle)\n",
            7, 38,
            "request.query.get('folder') reaches os.popen() in archive() through `folder` "
            "(line 6): pass an argument list without a shell",
        ),
        Invalid(
            "import asyncio\n"
            "from starlette.requests import Request\n"
            "async def lookup(request: Request):\n"
            "    domain = request.query_params['domain']\n"
            "    await asyncio.create_subprocess_shell('whois ' + domain)\n",
            5, 43,
            "request.query_params['dom... reaches asyncio.create_subprocess_shell() "
            "through `domain` (line 4): pass an argument list without a shell",
        ),
    )
