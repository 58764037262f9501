"""Internal operations tools on Flask: labelled dataflow corpus for the tests.

Written to exercise the analysis on its own terms (walrus, augmented
assignment, unpacking, helpers calling helpers), not copied from rule examples.
"""
import json
import os
import subprocess
from urllib.request import Request as UrlRequest, urlopen

import dill
import jinja2
from flask import Blueprint, jsonify, make_response, request, send_from_directory

from ops.models import Host

ops = Blueprint("ops", __name__)
LOG_ROOT = "/var/log/ops"
ACTIONS = ("restart", "status", "reload")
CHECKS = {"disk": "df -h", "load": "uptime"}


def run_shell(command):
    return subprocess.check_output(command, shell=True, text=True)


def service_command(service, action):
    return run_shell(f"systemctl {action} {service}")


def parse_target():
    host, _, port = request.args.get("target", "").partition(":")
    return host, port


@ops.post("/service/<name>")
def service(name):
    action = request.form.get("action", "status")
    if action not in ACTIONS:
        return jsonify(error="bad action"), 400
    return service_command(name, action)  # expect: APS302


@ops.get("/check")
def check():
    command = CHECKS.get(request.args.get("kind", "disk"), "true")
    return run_shell(command)  # safe: APS302


@ops.get("/grep")
def grep():
    pattern = request.args["pattern"]
    options = "-n "
    options += pattern
    return subprocess.getoutput("grep " + options + " /var/log/syslog")  # expect: APS302


@ops.get("/scan")
def scan():
    host, port = parse_target()
    out = subprocess.run(["nmap", "-p", port, host], capture_output=True)  # safe: APS302
    return out.stdout


@ops.get("/logs")
def logs():
    if (name := request.args.get("file")) is None:
        return jsonify(error="file required"), 400
    with open(os.path.join(LOG_ROOT, name)) as handle:  # expect: APS305
        return handle.read()


@ops.get("/logs/dir")
def logs_dir():
    folder = request.args.get("dir", "app")
    return send_from_directory(os.path.join(LOG_ROOT, folder), "current.log")  # expect: APS305


@ops.get("/logs/file")
def logs_file():
    return send_from_directory(LOG_ROOT, request.args["file"])  # safe: APS305


@ops.get("/probe")
def probe():
    host, port = parse_target()
    with urlopen(UrlRequest(f"http://{host}:{port}/health"), timeout=3) as reply:  # expect: APS306
        return reply.read()


@ops.get("/probe/known/<int:host_id>")
def probe_known(host_id):
    host = Host.query.get_or_404(host_id)
    with urlopen(f"http://{host.address}/health", timeout=3) as reply:  # safe: APS306
        return reply.read()


@ops.post("/eval")
def evaluate_rule():
    rule, *args = request.get_json()["rule"]
    namespace = {"args": args}
    exec(rule, namespace)  # expect: APS303
    return jsonify(namespace.get("result"))


@ops.post("/eval/safe")
def evaluate_literal():
    number = float(request.get_json()["number"])
    return jsonify(eval(f"{number} * 2"))  # safe: APS303


@ops.get("/eval/const")
def evaluate_const():
    request.args.get("ignored")
    return jsonify(eval("1 + 1"))  # safe: APS303


@ops.post("/snapshot")
def snapshot():
    payload = request.files["snapshot"].read()
    state = dill.loads(payload)  # expect: APS304
    return jsonify(keys=list(state))


@ops.post("/snapshot/json")
def snapshot_json():
    state = json.loads(request.files["snapshot"].read())
    return jsonify(keys=list(state))  # safe: APS304


@ops.post("/report")
def report():
    env = jinja2.Environment()
    title, body = request.form["title"], request.form["body"]
    template = env.from_string("<h1>{{ title }}</h1>" + body)  # expect: APS308
    return template.render(title=title)


@ops.put("/hosts/<int:host_id>")
def update_host(host_id):
    host = Host.query.get_or_404(host_id)
    updates = dict(request.form)
    host.__dict__.update(updates)  # expect: APS309
    return jsonify(ok=True)


@ops.get("/explode")
def explode():
    try:
        return jsonify(Host.query.all())
    except Exception as problem:
        details = [str(problem)]
        return make_response(jsonify(errors=details), 500)  # expect: APS401
