"""Sinks of the injection rules, and the base class that checks them with taint.

Each matcher looks at one call and returns the arguments that are dangerous
when request data reaches them. The matchers are registered with the taint
analysis too, so a module helper that passes a parameter into one of them
turns its own call sites into sinks.
"""

from __future__ import annotations

import re
from typing import ClassVar, List, Optional, Sequence, Tuple, Union

import libcst as cst

from apisec_lint.analysis import taint
from apisec_lint.analysis.calls import argument
from apisec_lint.analysis.taint import Resolver, SinkArgument, sink_label
from apisec_lint.analysis.values import UNKNOWN
from apisec_lint.rules.base import Rule
from apisec_lint.tree import iter_subtree


class TaintSinkRule(Rule):
    """A rule reporting request data that reaches the sinks of one kind."""

    abstract = True
    sink_kind: ClassVar[str]
    advice: ClassVar[str]

    def visit_Call(self, node: cst.Call) -> None:
        model = taint.taint_model(self.context)
        if not model.serves_requests(self.context.enclosing_function):
            return
        found = model.sinks_of(node, self.context.scope).get(self.sink_kind, ())
        if not found and not isinstance(node.func, cst.Name):
            return
        taint.report_tainted(self, node, self.sink_kind, found, self.advice)


def _label(call: cst.Call, resolver: Resolver) -> str:
    module = resolver.values.index.module_scope.node
    assert isinstance(module, cst.Module)
    return sink_label(call, module)


def _sink(call: cst.Call, arg: Optional[cst.Arg], resolver: Resolver) -> List[SinkArgument]:
    if arg is None:
        return []
    return [SinkArgument(arg, arg.value, _label(call, resolver))]


def _method(call: cst.Call) -> str:
    return call.func.attr.value if isinstance(call.func, cst.Attribute) else ""


def _chain_has(expression: cst.BaseExpression, names: Sequence[str]) -> bool:
    """Whether an attribute/call chain such as ``User.objects.filter(...)`` passes a name."""
    node: cst.BaseExpression = expression
    for _ in range(16):
        if isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Attribute):
            if node.attr.value in names:
                return True
            node = node.value
        elif isinstance(node, cst.Name):
            return node.value in names
        else:
            return False
    return False


# -- APS301 SQL ----------------------------------------------------------------

SQL_METHODS = frozenset({"execute", "executemany", "executescript", "exec_driver_sql"})
#: asyncpg/databases query methods, recognised on receivers named like connections.
CONNECTION_QUERY_METHODS = frozenset({"fetch", "fetchrow", "fetchval", "fetch_all", "fetch_one"})
CONNECTION_NAMES = ("conn", "connection", "db", "database", "cursor", "cur", "pool", "tx")
SQL_FUNCTIONS = frozenset(
    {"sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text",
     "django.db.models.expressions.RawSQL", "django.db.models.RawSQL", "pandas.read_sql",
     "pandas.read_sql_query"}
)


def sql_sinks(call: cst.Call, resolver: Resolver) -> List[SinkArgument]:
    method = _method(call)
    if method in CONNECTION_QUERY_METHODS and _chain_has(call.func, CONNECTION_NAMES):
        return _sink(call, argument(call, 0, "query"), resolver)
    if method in SQL_METHODS:
        return _sink(call, argument(call, 0, "sql") or argument(call, 0, "operation")
                     or argument(call, 0, "statement"), resolver)
    if method == "raw" and _chain_has(call.func, ("objects",)):
        return _sink(call, argument(call, 0, "raw_query"), resolver)
    if method == "extra" and _chain_has(call.func, ("objects",)):
        return [
            SinkArgument(arg, arg.value, _label(call, resolver))
            for arg in call.args
            if arg.keyword is None or arg.keyword.value != "params"
        ]
    if method in ("read_sql", "read_sql_query", "text", "RawSQL") or isinstance(
        call.func, cst.Name
    ):
        if resolver.qualified_name(call.func) in SQL_FUNCTIONS:
            return _sink(call, argument(call, 0, "sql"), resolver)
    return []


# -- APS302 commands -------------------------------------------------------------

SHELL_STRING_CALLS = frozenset(
    {"os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput",
     "commands.getoutput", "asyncio.create_subprocess_shell", "pty.spawn"}
)
PROCESS_CALLS = frozenset(
    {"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
     "subprocess.Popen", "os.execv", "os.execvp", "os.execl", "os.execlp", "os.execve",
     "os.spawnv", "os.spawnvp"}
)
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "ash", "fish", "cmd", "cmd.exe",
                    "powershell", "pwsh"})


def _is_shell_flag(value: object) -> bool:
    return isinstance(value, str) and value.startswith("-") and "c" in value[1:]


def _shell_enabled(call: cst.Call, resolver: Resolver) -> bool:
    arg = argument(call, None, "shell")
    if arg is None:
        return False
    value = resolver.literal(arg.value)
    return value is UNKNOWN or bool(value)


def _process_elements(
    call: cst.Call, elements: Sequence[cst.BaseExpression], resolver: Resolver
) -> List[SinkArgument]:
    """The program of an argument list, and the script a ``sh -c`` runs."""
    if not elements:
        return []
    label = _label(call, resolver)
    found = [SinkArgument(elements[0], elements[0], label)]
    program = resolver.literal(elements[0])
    if isinstance(program, str) and program.rsplit("/", 1)[-1] in SHELLS:
        for position, element in enumerate(elements[1:-1], start=1):
            if _is_shell_flag(resolver.literal(element)):
                script = elements[position + 1]
                found.append(SinkArgument(script, script, label))
                break
    return found


def command_sinks(call: cst.Call, resolver: Resolver) -> List[SinkArgument]:
    if not isinstance(call.func, (cst.Name, cst.Attribute)):
        return []
    name = resolver.qualified_name(call.func)
    if name in SHELL_STRING_CALLS:
        return _sink(call, argument(call, 0, "cmd") or argument(call, 0, "command"), resolver)
    if name == "asyncio.create_subprocess_exec":
        values = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
        return _process_elements(call, values, resolver)
    if name not in PROCESS_CALLS:
        return []
    first = argument(call, 0, "args")
    if first is None:
        return []
    if _shell_enabled(call, resolver):
        return _sink(call, first, resolver)
    listing = resolver.follow(first.value)
    if isinstance(listing, (cst.List, cst.Tuple)):
        if any(isinstance(element, cst.StarredElement) for element in listing.elements[:1]):
            return _sink(call, first, resolver)
        return _process_elements(call, [e.value for e in listing.elements], resolver)
    return _sink(call, first, resolver)


# -- APS303 code -----------------------------------------------------------------

CODE_CALLS = frozenset(
    {"eval", "exec", "compile", "__import__", "builtins.eval", "builtins.exec",
     "builtins.compile", "builtins.__import__", "importlib.import_module", "execfile"}
)


def code_sinks(call: cst.Call, resolver: Resolver) -> List[SinkArgument]:
    if not isinstance(call.func, (cst.Name, cst.Attribute)):
        return []
    if resolver.qualified_name(call.func) in CODE_CALLS:
        return _sink(call, argument(call, 0, "source") or argument(call, 0, "name"), resolver)
    return []


# -- APS304 deserialization --------------------------------------------------------

DESERIALIZING_CALLS = frozenset(
    {"pickle.loads", "pickle.load", "pickle.Unpickler", "_pickle.loads", "_pickle.load",
     "cPickle.loads", "cPickle.load", "dill.loads", "dill.load", "marshal.loads",
     "marshal.load", "shelve.open", "jsonpickle.decode", "jsonpickle.loads",
     "pandas.read_pickle", "yaml.unsafe_load", "yaml.unsafe_load_all", "joblib.load",
     "cloudpickle.loads", "cloudpickle.load", "torch.load"}
)
SAFE_YAML_LOADERS = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"})


def deserialization_sinks(call: cst.Call, resolver: Resolver) -> List[SinkArgument]:
    if not isinstance(call.func, (cst.Name, cst.Attribute)):
        return []
    name = resolver.qualified_name(call.func)
    if name in DESERIALIZING_CALLS:
        return _sink(call, argument(call, 0, "data") or argument(call, 0, "file")
                     or argument(call, 0, "string") or argument(call, 0, "filename"), resolver)
    if name in ("yaml.load", "yaml.load_all"):
        loader = argument(call, 1, "Loader")
        if loader is not None:
            loader_name = resolver.qualified_name(loader.value) or ""
            if loader_name.rsplit(".", 1)[-1] in SAFE_YAML_LOADERS:
                return []
        return _sink(call, argument(call, 0, "stream"), resolver)
    return []


# -- APS305 paths ------------------------------------------------------------------

FILE_CALLS = frozenset(
    {"open", "builtins.open", "io.open", "codecs.open", "aiofiles.open", "os.open",
     "os.remove", "os.unlink", "os.rmdir", "shutil.rmtree", "flask.send_file",
     "flask.helpers.send_file", "quart.send_file", "werkzeug.utils.send_file",
     "fastapi.responses.FileResponse", "starlette.responses.FileResponse",
     "aiohttp.web.FileResponse", "django.views.static.serve"}
)
DIRECTORY_CALLS = frozenset(
    {"flask.send_from_directory", "flask.helpers.send_from_directory",
     "werkzeug.utils.send_from_directory", "quart.send_from_directory"}
)
PATH_METHODS = frozenset(
    {"open", "read_text", "read_bytes", "write_text", "write_bytes", "unlink", "rmdir"}
)
PATH_TYPES = frozenset({"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "anyio.Path"})


def _is_path_object(expression: cst.BaseExpression, resolver: Resolver) -> bool:
    node = resolver.follow(expression)
    for _ in range(8):
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
            node = node.left
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and (
            node.func.attr.value in ("joinpath", "resolve", "absolute", "with_name")
        ):
            node = node.func.value
        else:
            break
        node = resolver.follow(node)
    if isinstance(node, cst.Call) and isinstance(node.func, (cst.Name, cst.Attribute)):
        return resolver.qualified_name(node.func) in PATH_TYPES
    return False


def path_sinks(call: cst.Call, resolver: Resolver) -> List[SinkArgument]:
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value in PATH_METHODS:
        if _is_path_object(func.value, resolver):
            return [SinkArgument(func.value, func.value, _label(call, resolver))]
    if not isinstance(func, (cst.Name, cst.Attribute)):
        return []
    name = resolver.qualified_name(func)
    if name in FILE_CALLS:
        return _sink(call, argument(call, 0, "file") or argument(call, 0, "path")
                     or argument(call, 0, "path_or_file")
                     or argument(call, 0, "filename"), resolver)
    if name in DIRECTORY_CALLS:
        return _sink(call, argument(call, 0, "directory"), resolver)
    return []


# -- APS306 and APS307 URLs ------------------------------------------------------------

HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
HTTP_CLIENTS = ("requests", "httpx", "aiohttp", "urllib3")
URL_FUNCTIONS = frozenset(
    {"urllib.request.urlopen", "urllib.request.Request", "urllib2.urlopen",
     "urllib.request.urlretrieve", "requests.request", "httpx.request", "httpx.stream",
     "aiohttp.request", "urllib3.request"}
)
_FIXED_HOST = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#{}\s]+[/?#]")
_FIXED_PATH = re.compile(r"^/[^/\\]")


def _constant_prefix(expression: cst.BaseExpression, resolver: Resolver) -> str:
    """The text a built URL starts with whatever the data: ``f"https://h/{x}"`` -> ``https://h/``."""
    node = resolver.follow(expression)
    for _ in range(32):
        if isinstance(node, cst.BinaryOperation) and isinstance(
            node.operator, (cst.Add, cst.Modulo)
        ):
            node = resolver.follow(node.left)
        elif (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "format"
        ):
            node = resolver.follow(node.func.value)
        else:
            break
    choice = _lookup_choice(node, resolver)
    if choice is not None:
        return choice
    if isinstance(node, cst.FormattedString):
        text = ""
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                text += part.value
                continue
            if not isinstance(part, cst.FormattedStringExpression):
                break
            value = resolver.literal(part.expression)
            if not isinstance(value, str):
                break
            text += value
        return text
    value = resolver.literal(node)
    if isinstance(value, str):
        if "%" in value:
            value = value.split("%", 1)[0]
        if "{" in value:
            value = value.split("{", 1)[0]
        return value
    return ""


def _lookup_choice(node: cst.BaseExpression, resolver: Resolver) -> Optional[str]:
    """``UPSTREAMS[name]`` or ``UPSTREAMS.get(name)`` of a constant dict of fixed-host URLs."""
    mapping: cst.BaseExpression
    if isinstance(node, cst.Subscript):
        mapping = node.value
    elif (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "get"
        and len(node.args) == 1
    ):
        mapping = node.func.value
    else:
        return None
    view = resolver.values.dict_view(mapping, resolver.scope)
    if view is None or not view.complete or not view.entries:
        return None
    texts = [resolver.literal(entry.value) for entry in view.entries]
    if all(isinstance(text, str) and _FIXED_HOST.match(text) for text in texts):
        first: str = texts[0]
        return first
    return None


def has_fixed_host(expression: cst.BaseExpression, resolver: Resolver, relative: bool) -> bool:
    """Whether the data can only change the path: the scheme and host are constant."""
    prefix = _constant_prefix(expression, resolver)
    if _FIXED_HOST.match(prefix):
        return True
    return relative and bool(_FIXED_PATH.match(prefix))


def _client_url(call: cst.Call, name: str) -> Optional[cst.Arg]:
    head = name.split(".", 1)[0]
    last = name.rsplit(".", 1)[-1]
    if head not in HTTP_CLIENTS and name not in URL_FUNCTIONS:
        return None
    if last in HTTP_METHODS or last in ("urlopen", "Request", "urlretrieve", "stream", "ws_connect"):
        return argument(call, 0, "url")
    if last == "request" or last == "stream":
        return argument(call, 1, "url")
    return None


def ssrf_sinks(call: cst.Call, resolver: Resolver) -> List[SinkArgument]:
    func = call.func
    if not isinstance(func, (cst.Name, cst.Attribute)):
        return []
    if isinstance(func, cst.Attribute) and func.attr.value not in HTTP_METHODS and (
        func.attr.value
        not in ("request", "urlopen", "Request", "urlretrieve", "stream", "ws_connect")
    ):
        return []
    name = resolver.qualified_name(func)
    if name is None:
        return []
    url = _client_url(call, name)
    if url is None or has_fixed_host(url.value, resolver, relative=False):
        return []
    return _sink(call, url, resolver)


REDIRECT_CALLS = frozenset(
    {"flask.redirect", "werkzeug.utils.redirect", "quart.redirect",
     "django.shortcuts.redirect", "django.http.HttpResponseRedirect",
     "django.http.HttpResponsePermanentRedirect",
     "django.http.response.HttpResponseRedirect", "fastapi.responses.RedirectResponse",
     "starlette.responses.RedirectResponse", "aiohttp.web.HTTPFound",
     "aiohttp.web.HTTPSeeOther", "aiohttp.web.HTTPMovedPermanently",
     "aiohttp.web.HTTPTemporaryRedirect", "aiohttp.web.HTTPPermanentRedirect"}
)


#: Calls that build a URL of this server from a route name: whatever follows them
#: in a target can only change its path or query.
SERVER_URL_CALLS = frozenset(
    {"django.urls.reverse", "django.urls.reverse_lazy", "django.core.urlresolvers.reverse",
     "rest_framework.reverse.reverse", "flask.url_for", "quart.url_for"}
)
#: Methods that build a URL of this server for an object or a route.
SERVER_URL_METHODS = frozenset({"get_absolute_url", "url_for", "url_path_for", "reverse"})
#: What code does with a model instance and never with a URL string.
_MODEL_MEMBERS = frozenset(
    {"save", "delete", "refresh_from_db", "full_clean", "pk", "get_absolute_url", "_meta"}
)


def _leading_part(expression: cst.BaseExpression, resolver: Resolver) -> cst.BaseExpression:
    """The part a built target starts with: ``reverse("x") + "?" + q`` -> ``reverse("x")``,
    ``f"{base}?next={v}"`` -> ``base``, ``"%s?%s" % (base, q)`` -> ``base``."""
    node = resolver.follow(expression)
    for _ in range(32):
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            node = resolver.follow(node.left)
            continue
        template, values, _ = _format_template(node, resolver)
        if isinstance(template, str) and values and template.startswith(("%s", "{}", "{0}")):
            node = resolver.follow(values[0])
            continue
        if isinstance(node, cst.FormattedString) and node.parts and isinstance(
            node.parts[0], cst.FormattedStringExpression
        ):
            node = resolver.follow(node.parts[0].expression)
            continue
        break
    return node


def _server_built(node: cst.BaseExpression, resolver: Resolver, depth: int = 0) -> bool:
    """A URL the server makes: a route reversed by name, an object's own URL, or the
    ``Location`` of a response it built; a name assigned only such URLs or ``None``."""
    if isinstance(node, cst.Name) and depth < 2:
        bindings = resolver.scope.bindings.get(node.value, [])
        return bool(bindings) and all(
            binding.kind == "assign"
            and binding.value is not None
            and (
                (isinstance(binding.value, cst.Name) and binding.value.value == "None")
                or _server_built(_leading_part(binding.value, resolver), resolver, depth + 1)
            )
            for binding in bindings
        )
    if isinstance(node, cst.Call) and isinstance(node.func, (cst.Name, cst.Attribute)):
        if resolver.qualified_name(node.func) in SERVER_URL_CALLS:
            return True
        return isinstance(node.func, cst.Attribute) and (
            node.func.attr.value in SERVER_URL_METHODS
        )
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        index = node.slice[0].slice
        key = resolver.literal(index.value) if isinstance(index, cst.Index) else UNKNOWN
        names = {
            part.value for part in iter_subtree(node.value) if isinstance(part, cst.Name)
        }
        return isinstance(key, str) and key.lower() == "location" and not names & {
            "request", "req", "headers"
        }
    return False


def _model_instance(target: cst.BaseExpression, resolver: Resolver) -> bool:
    """``redirect(ticket)`` where the code saves, deletes or reads the key of ``ticket``:
    Django redirects to the object's ``get_absolute_url()``."""
    function = resolver.scope.node
    if not isinstance(target, cst.Name) or not isinstance(function, cst.FunctionDef):
        return False
    for node in iter_subtree(function):
        if (
            isinstance(node, cst.Attribute)
            and isinstance(node.value, cst.Name)
            and node.value.value == target.value
            and node.attr.value in _MODEL_MEMBERS
        ):
            return True
    return False


def redirect_sinks(call: cst.Call, resolver: Resolver) -> List[SinkArgument]:
    if not isinstance(call.func, (cst.Name, cst.Attribute)):
        return []
    called = resolver.qualified_name(call.func)
    if called not in REDIRECT_CALLS:
        return []
    target = (argument(call, 0, "location") or argument(call, 0, "url")
              or argument(call, 0, "redirect_to") or argument(call, 0, "to"))
    if target is None or has_fixed_host(target.value, resolver, relative=True):
        return []
    if _server_built(_leading_part(target.value, resolver), resolver):
        return []
    if called == "django.shortcuts.redirect" and _model_instance(target.value, resolver):
        return []
    head = _before_query(target.value, resolver)
    if head is None:
        return _sink(call, target, resolver)
    if not head:
        return []
    value = head[0] if len(head) == 1 else cst.Tuple([cst.Element(part) for part in head])
    return [SinkArgument(target, value, _label(call, resolver))]


def _before_query(
    expression: cst.BaseExpression, resolver: Resolver
) -> Optional[List[cst.BaseExpression]]:
    """The pieces of a built target before its first literal ``?`` or ``#``.

    Data after that mark lands in the query or the fragment and cannot change the
    host: ``f"{url}?{request.GET.urlencode()}"`` -> ``[url]``. None when the target
    has no such mark or is built in a way not understood here.
    """
    head: List[cst.BaseExpression] = []
    #: Still to read, last piece first; a ``str`` is literal text of the target.
    pending: List[Union[str, cst.BaseExpression]] = [expression]
    for _ in range(64):
        if not pending:
            return None
        piece = pending.pop()
        text = piece if isinstance(piece, str) else resolver.literal(piece)
        if isinstance(text, str):
            if "?" in text or "#" in text:
                return head
            continue
        assert not isinstance(piece, str)
        if isinstance(piece, cst.BinaryOperation) and isinstance(piece.operator, cst.Add):
            pending.extend((piece.right, piece.left))
        elif isinstance(piece, cst.FormattedString):
            for part in reversed(piece.parts):
                if isinstance(part, cst.FormattedStringText):
                    pending.append(part.value)
                elif isinstance(part, cst.FormattedStringExpression):
                    pending.append(part.expression)
        else:
            pieces = _template_pieces(piece, resolver)
            if pieces is None:
                head.append(piece)
            else:
                pending.extend(reversed(pieces))
    return None


_TEMPLATE_FIELD = re.compile(r"%[sdr]|\{0?\}")


def _format_template(
    node: cst.BaseExpression, resolver: Resolver
) -> Tuple[object, List[cst.BaseExpression], bool]:
    """The literal template of ``"..." % values`` or ``"...".format(values)`` (UNKNOWN
    otherwise), its positional values, and whether every argument is positional."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo):
        right = node.right
        values = (
            [element.value for element in right.elements]
            if isinstance(right, cst.Tuple) else [right]
        )
        return resolver.literal(node.left), values, True
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "format"
    ):
        positional = [arg.value for arg in node.args if arg.keyword is None and not arg.star]
        return resolver.literal(node.func.value), positional, len(positional) == len(node.args)
    return UNKNOWN, [], True


def _template_pieces(
    node: cst.BaseExpression, resolver: Resolver
) -> Optional[List[Union[str, cst.BaseExpression]]]:
    """``"%s?%s" % (a, b)`` or ``"{}?{}".format(a, b)`` as text and value pieces, in order."""
    template, values, only_positional = _format_template(node, resolver)
    if not isinstance(template, str) or not only_positional:
        return None
    texts = _TEMPLATE_FIELD.split(template)
    if len(texts) != len(values) + 1 or "%(" in template or "{" in "".join(texts):
        return None
    pieces: List[Union[str, cst.BaseExpression]] = []
    for text, value in zip(texts, [*values, None]):
        pieces.append(text)
        if value is not None:
            pieces.append(value)
    return pieces


# -- APS308 templates --------------------------------------------------------------

TEMPLATE_CALLS = frozenset(
    {"flask.render_template_string", "quart.render_template_string", "jinja2.Template",
     "jinja2.environment.Template", "django.template.Template",
     "django.template.base.Template", "mako.template.Template", "tornado.template.Template"}
)


def template_sinks(call: cst.Call, resolver: Resolver) -> List[SinkArgument]:
    if not isinstance(call.func, (cst.Name, cst.Attribute)):
        return []
    name = resolver.qualified_name(call.func) or ""
    if name in TEMPLATE_CALLS or (
        name.endswith(".from_string")
        and any(word in name for word in ("jinja", "Environment", "template", "Template"))
    ):
        return _sink(call, argument(call, 0, "source") or argument(call, 0, "template_string"),
                     resolver)
    return []


# -- APS309 mass assignment ------------------------------------------------------------

ORM_BASES = frozenset(
    {"Model", "Base", "DeclarativeBase", "Document", "DynamicDocument", "AbstractUser",
     "AbstractBaseUser", "DeclarativeMeta", "EmbeddedDocument"}
)
ORM_METHODS = frozenset(
    {"create", "update", "get_or_create", "update_or_create", "bulk_update", "save"}
)
QUERY_NAMES = ("objects", "query", "filter", "filter_by", "exclude", "where", "all")


def _is_orm_constructor(func: cst.BaseExpression, resolver: Resolver) -> bool:
    if isinstance(func, cst.Attribute) and func.attr.value in ORM_METHODS:
        return _chain_has(func.value, QUERY_NAMES)
    if not isinstance(func, (cst.Name, cst.Attribute)):
        return False
    last = func.attr.value if isinstance(func, cst.Attribute) else func.value
    if not last[:1].isupper():
        return False
    if isinstance(func, cst.Name):
        scope = resolver.values.index.class_scope(func.value)
        if scope is not None and isinstance(scope.node, cst.ClassDef):
            for base in scope.node.bases:
                base_name = base.value
                text = base_name.attr.value if isinstance(base_name, cst.Attribute) else (
                    base_name.value if isinstance(base_name, cst.Name) else ""
                )
                if text in ORM_BASES:
                    return True
                if text == "SQLModel":
                    return any(
                        k.keyword is not None and k.keyword.value == "table"
                        for k in scope.node.keywords
                    )
            return False
    name = resolver.qualified_name(func) or ""
    return ".models." in f".{name}" and not name.startswith(("django.", "pydantic."))


def mass_assignment_sinks(call: cst.Call, resolver: Resolver) -> List[SinkArgument]:
    func = call.func
    label = ""
    found: List[SinkArgument] = []
    splats = [arg for arg in call.args if arg.star == "**"]
    if splats and _is_orm_constructor(func, resolver):
        label = _label(call, resolver)
        found.extend(SinkArgument(arg, arg.value, label) for arg in splats)
    if isinstance(func, cst.Attribute) and func.attr.value == "update" and call.args:
        first = call.args[0]
        receiver = func.value
        if first.keyword is None and not first.star and (
            (isinstance(receiver, cst.Attribute) and receiver.attr.value == "__dict__")
            or _chain_has(receiver, ("query", "filter", "filter_by", "where"))
        ):
            found.append(SinkArgument(first, first.value, _label(call, resolver)))
    if isinstance(func, cst.Name) and func.value == "setattr" and len(call.args) >= 2:
        if resolver.qualified_name(func) == "setattr":
            key = call.args[1]
            found.append(SinkArgument(key, key.value, "setattr()"))
    return found


SINKS = {
    taint.SQL: sql_sinks,
    taint.COMMAND: command_sinks,
    taint.CODE: code_sinks,
    taint.DESERIALIZATION: deserialization_sinks,
    taint.PATH: path_sinks,
    taint.SSRF: ssrf_sinks,
    taint.REDIRECT: redirect_sinks,
    taint.TEMPLATE: template_sinks,
    taint.MASS_ASSIGNMENT: mass_assignment_sinks,
}
for _kind, _matcher in SINKS.items():
    taint.register_sink(_kind, _matcher)
