"""Where exception details can leave the server: response builders and handler returns.

The matcher is registered with the taint analysis, so a module helper that
puts its parameter into a response makes its call sites sinks for APS401.
"""

from __future__ import annotations

from typing import List, Optional

import libcst as cst

from apisec_lint.analysis import taint
from apisec_lint.analysis.frameworks import RESPONSE_METADATA_KEYWORDS, is_response_call
from apisec_lint.analysis.taint import Resolver, SinkArgument, sink_label


def response_sinks(call: cst.Call, resolver: Resolver) -> List[SinkArgument]:
    """Arguments of a response-building call that end up in the body sent to the client."""
    if not isinstance(call.func, (cst.Name, cst.Attribute)):
        return []
    if not is_response_call(resolver.qualified_name(call.func)):
        return []
    module = resolver.values.index.module_scope.node
    assert isinstance(module, cst.Module)
    label = sink_label(call, module)
    return [
        SinkArgument(arg, arg.value, label)
        for arg in call.args
        if arg.keyword is None or arg.keyword.value not in RESPONSE_METADATA_KEYWORDS
    ]


def returned_parts(value: cst.BaseExpression, resolver: Resolver) -> List[cst.BaseExpression]:
    """The parts of a handler's return value that become the body, minus response calls.

    ``return {"error": str(e)}, 500`` gives the dict; a returned ``jsonify(...)`` is
    left to the call's own check so the finding is not made twice.
    """
    parts = (
        [element.value for element in value.elements]
        if isinstance(value, cst.Tuple)
        else [value]
    )
    return [part for part in parts if not _builds_response(part, resolver)]


def _builds_response(expression: cst.BaseExpression, resolver: Resolver) -> bool:
    node: Optional[cst.BaseExpression] = expression
    if isinstance(node, cst.Await):
        node = node.expression
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, (cst.Name, cst.Attribute))
        and is_response_call(resolver.qualified_name(node.func))
    )


taint.register_sink(taint.LEAK, response_sinks)
