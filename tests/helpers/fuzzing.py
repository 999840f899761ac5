"""What the strict OpenAPI fuzz tests share about bodies schemathesis sends.

Why: the gateway reads a blank body (only whitespace) as no body on every route
(``gateway.api.deconz.json_body``), which an operation with an *optional* body allows;
schemathesis counts blank "random bytes" as malformed JSON and would demand a 400. Such a
case is checked as "answered like no body" instead, in every strict fuzz file alike.
"""

from __future__ import annotations

from typing import Any


def blank_optional_body(case: Any, response: Any) -> bool:
    """Whether ``case`` sent a blank body to an operation whose body is optional."""
    sent = response.request.body
    request_body = case.operation.definition.raw.get("requestBody")
    if sent is None or not request_body:
        return False
    raw = sent if isinstance(sent, bytes) else str(sent).encode()
    return not raw.strip() and not request_body["required"]
