"""APS307: a redirect whose target the client chooses."""

from __future__ import annotations

from apisec_lint.analysis import taint
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, RuleDocs, Valid
from apisec_lint.rules.injection.helpers import TaintSinkRule


class OpenRedirect(TaintSinkRule):
    code = "APS307"
    name = "open-redirect"
    message = (
        "request data is the target of `redirect()`: check it with "
        "`url_has_allowed_host_and_scheme`"
    )
    summary = "A redirect sends the browser to a URL taken from the request."
    severity = Severity.MEDIUM
    cwe = (601,)
    owasp = "API8:2023"
    sink_kind = taint.REDIRECT
    advice = "check it with url_has_allowed_host_and_scheme"
    triggers = taint.FRAMEWORK_TRIGGERS
    docs = RuleDocs(
        what=(
            "Request data used as the target of Flask/Werkzeug `redirect`, Django "
            "`redirect`/`HttpResponseRedirect`, Starlette/FastAPI `RedirectResponse` "
            "or aiohttp `HTTPFound`-style responses. A target that starts with a "
            "fixed host, a fixed local path (`\"/profile/\" + name`, but not a bare "
            "`\"/\"` or `\"//\"`) or a URL the server builds (`reverse(...)`, "
            "`url_for(...)`, `obj.get_absolute_url()`, the `Location` of a response it "
            "made, followed by `+`, an f-string, `%` or `.format`), Django "
            "`redirect(obj)` of a model instance, a check with "
            "`url_has_allowed_host_and_scheme` (in an `if`, or in a conditional "
            "expression such as `nxt if is_safe(nxt) else None`), or an allow-list "
            "check stops the flow: request data after such a start can change only the "
            "path or query. Request data that comes after a literal `?` or `#` in the "
            "target (`f\"{base}?{request.GET.urlencode()}\"`) is not reported either: "
            "it lands in the query or fragment. A redirect to the request's own "
            "`Referer` header is not reported: it sends the browser back to the page it "
            "came from, which an attacker can only set to a page the user already "
            "visited."
        ),
        why=(
            "Links to a trusted site that bounce to an attacker's page make phishing "
            "convincing and can leak OAuth codes or tokens carried in the URL."
        ),
        insecure=(
            "from django.shortcuts import redirect\n"
            "\n"
            "\n"
            "def login_done(request):\n"
            '    next_url = request.GET.get("next", "/")\n'
            "    return redirect(next_url)\n"
        ),
        fixed=(
            "from django.shortcuts import redirect\n"
            "from django.utils.http import url_has_allowed_host_and_scheme\n"
            "\n"
            "\n"
            "def login_done(request):\n"
            '    next_url = request.GET.get("next", "/")\n'
            "    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):\n"
            '        next_url = "/"\n'
            "    return redirect(next_url)\n"
        ),
        limitations=(
            "Home-grown URL checks (comparing `urlparse(url).netloc` by hand) are "
            "recognised only when they are an allow-list membership test on the "
            "target; other checks are not understood and the redirect is reported. "
            "A check that replaces the target when it fails (`if not "
            "url_has_allowed_host_and_scheme(url): url = \"/\"`) counts on every "
            "path, including one where a condition joined with `and` short-circuits "
            "because the target is empty. `redirect(x)` counts as a model instance "
            "when the function saves, deletes or reads `.pk` of `x`; a method named "
            "`get_absolute_url`, `url_for`, `url_path_for` or `reverse` is trusted to "
            "build a URL of this server whatever its receiver. A target made by an "
            "unknown helper from request data (`add_query(url, request.GET)`) is still "
            "reported even when the data lands only in the query. "
            "A Django function whose first parameter is `request` takes its other "
            "parameters from the URL only when it is routed in the same module, carries a "
            "view decorator (`login_required`, `require_POST`, `csrf_exempt`, ...), sits "
            "in `views.py` or a `views` package, or shares its module with other views, "
            "and is not called by name from its own module (a helper of the views); "
            "a view defined elsewhere and routed from another module's `urls.py` is "
            "checked only for what it reads from `request`."
        ),
    )
    valid = (
        Valid(
            "from django.http import HttpRequest, HttpResponseRedirect\n"
            "def suspend_request(request: HttpRequest, redirect_to: str):\n"
            "    request.session['resume'] = request.get_full_path()\n"
            "    return HttpResponseRedirect(redirect_to)\n",
            path="accounts/flows/reauthentication.py",
        ),
        Valid(
            "from django.shortcuts import redirect\n"
            "from django.utils.http import url_has_allowed_host_and_scheme\n"
            "def login_done(request):\n"
            "    target = request.GET.get('next', '/')\n"
            "    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):\n"
            "        target = '/'\n"
            "    return redirect(target)\n"
        ),
        Valid(
            "from flask import Flask, redirect, request, url_for\n"
            "app = Flask(__name__)\n"
            "@app.route('/go')\n"
            "def go():\n"
            "    name = request.args['user']\n"
            "    return redirect('/profile/' + name)\n"
        ),
        Valid(
            "from flask import Flask, redirect, request, url_for\n"
            "app = Flask(__name__)\n"
            "@app.route('/logout')\n"
            "def logout():\n"
            "    request.args.get('next')\n"
            "    return redirect(url_for('index'))\n"
        ),
        Valid(
            "from fastapi import FastAPI\n"
            "from fastapi.responses import RedirectResponse\n"
            "app = FastAPI()\n"
            "ALLOWED = {'https://docs.example.com', 'https://status.example.com'}\n"
            "@app.get('/out')\n"
            "def out(url: str):\n"
            "    if url not in ALLOWED:\n"
            "        return RedirectResponse('/')\n"
            "    return RedirectResponse(url)\n"
        ),
        Valid(
            "from django.http import HttpResponseRedirect\n"
            "from django.utils.http import url_has_allowed_host_and_scheme\n"
            "def set_language(request):\n"
            "    next_url = request.POST.get('next', request.GET.get('next'))\n"
            "    if (next_url or request.accepts('text/html')) and not "
            "url_has_allowed_host_and_scheme(\n"
            "        url=next_url, allowed_hosts={request.get_host()}\n"
            "    ):\n"
            "        next_url = '/'\n"
            "    return HttpResponseRedirect(next_url)\n"
        ),
        Valid(
            "from django.shortcuts import redirect\n"
            "from django.urls import reverse\n"
            "from django.utils.http import urlencode\n"
            "def merge(request):\n"
            "    ids = request.POST.getlist('ticket_id')\n"
            "    return redirect(reverse('helpdesk:merge') + '?' + urlencode({'t': ids}))\n"
        ),
        Valid(
            "from django.http import HttpResponseRedirect\n"
            "from django.urls import reverse as rev\n"
            "def authorize(request):\n"
            "    query = request.POST.urlencode()\n"
            "    target = '%s?%s' % (rev('oidc:authorize'), query)\n"
            "    if request.GET.get('v2'):\n"
            "        return HttpResponseRedirect(\n"
            "            f\"{rev('oidc:authorize')}?next={request.GET['next']}\"\n"
            "        )\n"
            "    return HttpResponseRedirect(target)\n"
        ),
        Valid(
            "from flask import Flask, redirect, request, url_for\n"
            "app = Flask(__name__)\n"
            "@app.route('/search')\n"
            "def search():\n"
            "    return redirect(url_for('results') + '?q=' + request.args['q'])\n"
        ),
        Valid(
            "from django.shortcuts import get_object_or_404, redirect\n"
            "def comment(request):\n"
            "    page = get_object_or_404(Page, pk=request.POST['page'])\n"
            "    url = page.get_absolute_url() + '?sent=1'\n"
            "    return redirect(url)\n"
        ),
        Valid(
            "from django.shortcuts import redirect\n"
            "def merge_into(request, chosen):\n"
            "    chosen.title = request.POST['title']\n"
            "    chosen.save()\n"
            "    return redirect(chosen)\n"
        ),
        Valid(
            "from django.http import HttpResponseRedirect\n"
            "def add_view(request):\n"
            "    response = create_page(request)\n"
            "    try:\n"
            "        location = response['Location']\n"
            "    except KeyError:\n"
            "        location = None\n"
            "    parent = request.GET.get('parent')\n"
            "    return HttpResponseRedirect(f'{location}?parent={parent}')\n"
        ),
        Valid(
            "from fastapi import APIRouter, Request\n"
            "from fastapi.responses import RedirectResponse\n"
            "router = APIRouter()\n"
            "@router.delete('/items/{pk}')\n"
            "async def delete(request: Request, pk: str):\n"
            "    return RedirectResponse(url=request.headers.get('referer'), status_code=303)\n"
        ),
        Valid(
            "from django.shortcuts import redirect\n"
            "from django.utils.http import url_has_allowed_host_and_scheme\n"
            "def next_url(request):\n"
            "    nxt = request.GET.get('next', '')\n"
            "    return nxt if nxt and url_has_allowed_host_and_scheme(nxt, None) else None\n"
            "def login_redirect(request):\n"
            "    return redirect(next_url(request) or '/')\n"
        ),
        Valid(
            "from django.http import HttpResponseRedirect\n"
            "def jump_to_order(request, account):\n"
            "    order = account.orders().get(number=request.GET['q'])\n"
            "    return HttpResponseRedirect(order.staff_url)\n"
            "def search(request):\n"
            "    return jump_to_order(request, request.user.account)\n",
            path="shop/views/staff.py",
        ),
        Valid(
            "from django.shortcuts import redirect\n"
            "from shop.urls import listing_url\n"
            "def filtered(request):\n"
            "    base = listing_url()\n"
            "    return redirect(f'{base}?{request.GET.urlencode()}')\n"
        ),
        Valid(
            "from django.shortcuts import redirect\n"
            "from shop.cache import bypass\n"
            "def rate(request, url):\n"
            "    return redirect(bypass('/items/') + '#rating-%s' % request.POST['id'])\n"
        ),
    )
    invalid = (
        Invalid(
            "from django.contrib.auth.decorators import login_required\n"
            "from django.http import HttpResponseRedirect\n"
            "@login_required\n"
            "def jump(request, next_url):\n"
            "    return HttpResponseRedirect(next_url)\n",
            5, 33,
            "URL parameter `next_url` reaches HttpResponseRedirect(): "
            "check it with url_has_allowed_host_and_scheme",
        ),
        Invalid(
            "from django.shortcuts import redirect\n"
            "def done(request):\n"
            "    target = request.GET['next']\n"
            "    return redirect('%s?done=1' % target)\n",
            4, 21,
            "request.GET['next'] reaches redirect() through `target` (line 3): "
            "check it with url_has_allowed_host_and_scheme",
        ),
        Invalid(
            "from flask import Flask, redirect, request\n"
            "app = Flask(__name__)\n"
            "@app.route('/away')\n"
            "def away():\n"
            "    return redirect('//' + request.args['host'] + '/welcome')\n",
            5, 21,
            "request.args['host'] reaches redirect(): "
            "check it with url_has_allowed_host_and_scheme",
        ),
        Invalid(
            "from flask import Flask, redirect, request\n"
            "app = Flask(__name__)\n"
            "@app.route('/login', methods=['POST'])\n"
            "def login():\n"
            "    next_url = request.args.get('next') or '/'\n"
            "    return redirect(next_url)\n",
            6, 21,
            "request.args.get('next') reaches redirect() through `next_url` (line 5): "
            "check it with url_has_allowed_host_and_scheme",
        ),
        Invalid(
            "from django.http import HttpResponseRedirect as Go\n"
            "def bounce(request):\n"
            "    return Go(request.GET['to'])\n",
            3, 15,
            "request.GET['to'] reaches Go(): check it with url_has_allowed_host_and_scheme",
        ),
        Invalid(
            "from fastapi import FastAPI\n"
            "from starlette.responses import RedirectResponse\n"
            "app = FastAPI()\n"
            "@app.get('/sso/callback')\n"
            "async def callback(state: str, code: str):\n"
            "    return RedirectResponse(url=f'{state}?code={code}')\n",
            6, 29,
            "parameter `state` reaches RedirectResponse(): "
            "check it with url_has_allowed_host_and_scheme",
        ),
        Invalid(
            "from aiohttp import web\n"
            "routes = web.RouteTableDef()\n"
            "@routes.get('/out')\n"
            "async def out(request):\n"
            "    target = request.query['url']\n"
            "    raise web.HTTPFound(target)\n",
            6, 25,
            "request.query['url'] reaches web.HTTPFound() through `target` (line 5): "
            "check it with url_has_allowed_host_and_scheme",
        ),
        Invalid(
            "from django.shortcuts import redirect\n"
            "def login_redirect(request):\n"
            "    nxt = request.GET.get('next')\n"
            "    target = nxt if nxt else '/'\n"
            "    return redirect(target + '?welcome=1')\n",
            5, 21,
            "request.GET.get('next') reaches redirect() through `target` (line 4): "
            "check it with url_has_allowed_host_and_scheme",
        ),
        Invalid(
            "from flask import Flask, redirect, request\n"
            "app = Flask(__name__)\n"
            "@app.route('/r')\n"
            "def r():\n"
            "    path = request.args['p']\n"
            "    return redirect('/' + path)\n",
            6, 21,
            "request.args['p'] reaches redirect() through `path` (line 5): "
            "check it with url_has_allowed_host_and_scheme",
        ),
    )
