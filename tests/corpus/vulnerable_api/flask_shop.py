"""A small Flask shop API with many mistakes in it."""

import hashlib
import logging
import os
import pickle
import random
import sqlite3
import subprocess

import jwt
import requests
import urllib3
from flask import Flask, jsonify, redirect, render_template_string, request, send_file
from flask_cors import CORS

app = Flask(__name__)
app.config["SECRET_KEY"] = "shop-signing-key-2024"  # vuln: APS101
app.config["SESSION_COOKIE_SECURE"] = False  # vuln: APS506
app.config["WTF_CSRF_ENABLED"] = False  # vuln: APS507
CORS(app, origins="*", supports_credentials=True)  # vuln: APS501
log = logging.getLogger("shop")
urllib3.disable_warnings()  # vuln: APS203

PAYMENT_API_KEY = "pk_9b2c47e1d0a8f6e3c5b1"  # vuln: APS502
DB = sqlite3.connect("shop.db", check_same_thread=False)


def make_token(user_id):
    return jwt.encode({"sub": user_id}, app.config["SECRET_KEY"], algorithm="HS256")  # vuln: APS102


def read_token(token):
    return jwt.decode(token, options={"verify_signature": False})  # vuln: APS104


def password_hash(password):
    return hashlib.md5(password.encode()).hexdigest()  # vuln: APS504


@app.route("/login", methods=["POST"])
def login():
    body = request.get_json()
    log.info("login attempt %s with password %s", body["user"], body["password"])  # vuln: APS403
    reset_code = str(random.randint(100000, 999999))  # vuln: APS505
    return jsonify(token=make_token(body["user"]), reset=reset_code)


@app.route("/products")
def products():
    name = request.args.get("q", "")
    rows = DB.execute(f"SELECT * FROM products WHERE name LIKE '%{name}%'").fetchall()  # vuln: APS301
    return jsonify(rows)


@app.route("/invoice/<invoice_id>")
def invoice(invoice_id):
    return send_file(os.path.join("/srv/invoices", request.args["file"]))  # vuln: APS305


@app.route("/ping")
def ping():
    host = request.args["host"]
    return subprocess.check_output("ping -c 1 " + host, shell=True)  # vuln: APS302


@app.route("/calc")
def calc():
    return str(eval(request.args["expr"]))  # vuln: APS303


@app.route("/cart", methods=["POST"])
def restore_cart():
    return jsonify(pickle.loads(request.data))  # vuln: APS304


@app.route("/preview")
def preview():
    return requests.get(request.args["url"], timeout=5).text  # vuln: APS306


@app.route("/go")
def go():
    return redirect(request.args["next"])  # vuln: APS307


@app.route("/hello")
def hello():
    return render_template_string("Hello " + request.args["name"])  # vuln: APS308


@app.route("/rates")
def rates():
    resp = requests.get("https://rates.example.com/latest", verify=False, timeout=3)  # vuln: APS201
    return resp.text


@app.route("/stock")
def stock():
    return requests.get("https://warehouse.example.com/stock").text  # vuln: APS503


@app.route("/charge", methods=["POST"])
def charge():
    requests.post("http://payments.example.com/charge", auth=("shop", PAYMENT_API_KEY), timeout=5)  # vuln: APS205
    return "", 204


@app.route("/report")
def report():
    try:
        return build_report()
    except Exception as error:
        return jsonify(error=str(error)), 500  # vuln: APS401


@app.route("/debug/env")
def debug_env():
    return jsonify(dict(os.environ))  # vuln: APS510


def build_report():
    raise RuntimeError("not ready")


if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True)  # vuln: APS402
