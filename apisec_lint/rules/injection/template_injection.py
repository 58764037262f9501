"""APS308: request data used as template source rather than template data."""

from __future__ import annotations

from apisec_lint.analysis import taint
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, RuleDocs, Valid
from apisec_lint.rules.injection.helpers import TaintSinkRule


class TemplateInjection(TaintSinkRule):
    code = "APS308"
    name = "template-injection"
    message = (
        "request data is template source in `render_template_string()`: "
        "pass it as a template variable"
    )
    summary = "Request data becomes part of a template's source and is rendered."
    severity = Severity.HIGH
    cwe = (1336, 94)
    owasp = "API8:2023"
    sink_kind = taint.TEMPLATE
    advice = "pass it as a template variable"
    triggers = taint.FRAMEWORK_TRIGGERS
    docs = RuleDocs(
        what=(
            "Request data reaching the template source of Flask "
            "`render_template_string`, `jinja2.Template`, an `Environment`'s "
            "`from_string` (also `app.jinja_env`), Django `Template` or Mako "
            "`Template`. Data passed as template variables is not reported."
        ),
        why=(
            "Template expressions run on the server: `{{ ... }}` in the data can read "
            "configuration and secrets, and with Jinja2 reach Python objects that run "
            "commands."
        ),
        insecure=(
            "from flask import Flask, render_template_string, request\n"
            "\n"
            "app = Flask(__name__)\n"
            "\n"
            "\n"
            '@app.get("/hello")\n'
            "def hello():\n"
            '    name = request.args["name"]\n'
            '    return render_template_string("<h1>Hello " + name + "</h1>")\n'
        ),
        fixed=(
            "from flask import Flask, render_template_string, request\n"
            "\n"
            "app = Flask(__name__)\n"
            "\n"
            "\n"
            '@app.get("/hello")\n'
            "def hello():\n"
            '    name = request.args["name"]\n'
            '    return render_template_string("<h1>Hello {{ name }}</h1>", name=name)\n'
        ),
        limitations=(
            "Templates loaded from files chosen by the request are a path problem "
            "(APS305), not reported here. A sandboxed Jinja2 environment is still "
            "reported: it narrows, but does not remove, what a template can do."
        ),
    )
    valid = (
        Valid(
            "from flask import Flask, render_template_string, request\n"
            "app = Flask(__name__)\n"
            "@app.route('/hello')\n"
            "def hello():\n"
            "    name = request.args.get('name', 'world')\n"
            "    return render_template_string('<h1>Hello {{ name }}</h1>', name=name)\n"
        ),
        Valid(
            "from jinja2 import Template\n"
            "from fastapi import FastAPI\n"
            "app = FastAPI()\n"
            "GREETING = Template('Hello {{ who }}')\n"
            "@app.get('/greet')\n"
            "def greet(who: str):\n"
            "    return {'text': GREETING.render(who=who)}\n"
        ),
        Valid(
            "from flask import Flask, render_template_string, request\n"
            "app = Flask(__name__)\n"
            "PAGES = {'about': '<p>About</p>', 'team': '<p>Team</p>'}\n"
            "@app.route('/page')\n"
            "def page():\n"
            "    return render_template_string(PAGES.get(request.args['p'], ''))\n"
        ),
    )
    invalid = (
        Invalid(
            "from flask import Flask, render_template_string, request\n"
            "app = Flask(__name__)\n"
            "@app.route('/hello')\n"
            "def hello():\n"
            "    name = request.args.get('name', 'world')\n"
            "    page = '<h1>Hello %s</h1>' % name\n"
            "    return render_template_string(page)\n",
            7, 35,
            "request.args.get('name', ... reaches render_template_string() through "
            "`page` (line 6): pass it as a template variable",
        ),
        Invalid(
            "import jinja2\n"
            "from fastapi import FastAPI\n"
            "app = FastAPI()\n"
            "@app.post('/preview')\n"
            "def preview(body: str):\n"
            "    return {'html': jinja2.Template(body).render()}\n",
            6, 37,
            "parameter `body` reaches jinja2.Template(): pass it as a template variable",
        ),
        Invalid(
            "from jinja2 import Environment\n"
            "from aiohttp import web\n"
            "env = Environment()\n"
            "async def render(request):\n"
            "    form = await request.post()\n"
            "    text = env.from_string(f\"Dear {form['name']},\").render()\n"
            "    return web.Response(text=text)\n"
            "app = web.Application()\n"
            "app.router.add_post('/letter', render)\n",
            6, 28,
            "request.post() reaches env.from_string() through `form` (line 5): "
            "pass it as a template variable",
        ),
        Invalid(
            "from django.template import Context, Template\n"
            "from django.http import HttpResponse\n"
            "def banner(request):\n"
            "    source = '<div>' + request.GET['msg'] + '</div>'\n"
            "    return HttpResponse(Template(source).render(Context({})))\n",
            5, 34,
            "request.GET['msg'] reaches Template() through `source` (line 4): "
            "pass it as a template variable",
        ),
        Invalid(
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "@app.post('/mail/preview')\n"
            "def mail_preview():\n"
            "    subject = request.json['subject']\n"
            "    return app.jinja_env.from_string(subject).render(user='x')\n",
            6, 38,
            "request.json['subject'] reaches app.jinja_env.from_string() through "
            "`subject` (line 5): pass it as a template variable",
        ),
    )
