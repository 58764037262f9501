"""Django views and settings of a ticketing API with many mistakes in it."""

import os
import pickle
import random
import string

import requests
from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import serializers

from tickets.models import Customer, Ticket

DEBUG = True  # vuln: APS402
SECRET_KEY = "django-insecure-7h#x2k!p0q9s8r"  # vuln: APS101
SESSION_COOKIE_HTTPONLY = False  # vuln: APS506
CSRF_COOKIE_SECURE = False  # vuln: APS506
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = True  # vuln: APS501
EMAIL_HOST_PASSWORD = "smtp-Pa55-2024"  # vuln: APS502


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = "__all__"  # vuln: APS404


@csrf_exempt  # vuln: APS507
def close_ticket(request):
    ticket = Ticket.objects.get(pk=request.POST["id"])
    ticket.close()
    return JsonResponse({"closed": ticket.pk})


def search(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM tickets WHERE title = '" + request.GET["q"] + "'")  # vuln: APS301
        return JsonResponse({"ids": [row[0] for row in cursor.fetchall()]})


def attachment(request):
    with open("/srv/attachments/" + request.GET["name"], "rb") as handle:  # vuln: APS305
        return HttpResponse(handle.read())


def convert(request):
    os.system("convert /tmp/in.png " + request.GET["format"])  # vuln: APS302
    return HttpResponse("ok")


def import_state(request):
    return JsonResponse(pickle.loads(request.body))  # vuln: APS304


def fetch_avatar(request):
    return HttpResponse(requests.get(request.GET["avatar_url"], timeout=5).content)  # vuln: APS306


def after_login(request):
    return HttpResponseRedirect(request.GET.get("next"))  # vuln: APS307


def new_api_key(request):
    key = "".join(random.choice(string.ascii_letters) for _ in range(32))  # vuln: APS505
    return JsonResponse({"api_key": key})


def notify(request):
    requests.post("https://hooks.example.com/notify", json={"t": 1})  # vuln: APS503
    return HttpResponse(status=204)


def status(request):
    try:
        return JsonResponse(compute_status())
    except Exception as exc:
        return HttpResponse(f"failed: {exc!r}", status=500)  # vuln: APS401


def compute_status():
    return {}
