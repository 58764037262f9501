"""Django and DRF views of a blog: labelled dataflow corpus written for the tests."""
import json
import os
import pickle
import subprocess
import traceback

import requests
from django.db import connection
from django.db.models.expressions import RawSQL
from django.http import FileResponse, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.template import Context, Template
from django.utils.http import url_has_allowed_host_and_scheme
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from blog.models import Comment, Post

MEDIA_ROOT = "/srv/blog/media"


def post_list(request):
    tag = request.GET.get("tag", "")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM post WHERE tag = %s", [tag])  # safe: APS301
        cursor.execute("SELECT id FROM post WHERE tag = '%s'" % tag)  # expect: APS301
        ids = [row[0] for row in cursor.fetchall()]
    return JsonResponse({"ids": ids})


def post_ranked(request):
    weight = request.GET.get("w", "1")
    posts = Post.objects.annotate(score=RawSQL("likes * " + weight, []))  # expect: APS301
    safe = Post.objects.annotate(score=RawSQL("likes * %s", [weight]))  # safe: APS301
    return JsonResponse({"n": posts.count() + safe.count()})


def post_detail(request, slug):
    post = Post.objects.raw(f"SELECT * FROM blog_post WHERE slug = '{slug}'")[0]  # expect: APS301
    return JsonResponse({"title": post.title})


def attachment(request, name):
    return FileResponse(open(os.path.join(MEDIA_ROOT, name), "rb"))  # expect: APS305


def attachment_checked(request, name):
    path = os.path.realpath(os.path.join(MEDIA_ROOT, name))
    if os.path.commonpath([path, MEDIA_ROOT]) != MEDIA_ROOT:
        return HttpResponse(status=404)
    return FileResponse(open(path, "rb"))  # safe: APS305


def login_done(request):
    target = request.POST.get("next", "/")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)  # safe: APS307
    return HttpResponseRedirect(target)  # expect: APS307


def share(request):
    service = request.GET["service"]
    return redirect(f"https://{service}/share?u=blog")  # expect: APS307


def render_signature(request):
    sig = request.POST["signature"]
    page = Template("<footer>" + sig + "</footer>")  # expect: APS308
    return HttpResponse(page.render(Context({})))


def oembed(request):
    url = request.GET["url"]
    data = requests.get(url, timeout=5).json()  # expect: APS306
    return JsonResponse(data)


def ping_host(request):
    host = request.GET["host"]
    if not host.isalnum():
        return HttpResponse(status=400)
    out = subprocess.run("ping -c 1 " + host, shell=True, capture_output=True)  # safe: APS302
    return HttpResponse(out.stdout)


def traceroute(request):
    host = request.GET["host"]
    out = subprocess.run(["sh", "-c", "traceroute " + host], capture_output=True)  # expect: APS302
    return HttpResponse(out.stdout)


def import_drafts(request):
    drafts = pickle.loads(request.body)  # expect: APS304
    return JsonResponse({"n": len(drafts)})


def load_defaults(request):
    with open(os.path.join(MEDIA_ROOT, "defaults.pkl"), "rb") as handle:
        defaults = pickle.load(handle)  # safe: APS304
    return JsonResponse(defaults)


def publish(request, pk):
    try:
        Post.objects.get(pk=pk).publish()
    except Exception as exc:
        return HttpResponse("publish failed: %s" % exc, status=500)  # expect: APS401
    return HttpResponse("ok")


class PostSerializer(serializers.ModelSerializer):
    class Meta:
        model = Post
        fields = "__all__"  # expect: APS309


class CommentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Comment
        fields = ["id", "body"]


@api_view(["POST"])
def add_comment(request):
    comment = Comment.objects.create(**request.data)  # expect: APS309
    serializer = CommentSerializer(data=request.data)  # safe: APS309
    serializer.is_valid(raise_exception=True)
    return Response({"id": comment.pk})


class PostViewSet(viewsets.ModelViewSet):
    serializer_class = PostSerializer

    def get_queryset(self):
        order = self.request.query_params.get("order", "id")
        return Post.objects.extra(order_by=[order])  # expect: APS301

    def perform_update(self, serializer):
        extra = json.loads(self.request.body)
        Post.objects.filter(pk=self.kwargs["pk"]).update(**extra)  # expect: APS309


class StatsView(APIView):
    def get(self, request):
        metric = request.query_params.get("metric", "views")
        try:
            value = eval("Post.objects.aggregate(total=Sum('" + metric + "'))")  # expect: APS303
        except Exception as exc:
            return Response({"error": repr(exc)}, status=500)  # expect: APS401
        return Response(value)


def api_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return Response({"detail": traceback.format_exc()}, status=500)  # expect: APS401
    return response
