"""Comparing pages: a refusal must answer exactly like an address that never existed."""

import re


def page_body(response) -> str:
    """A page's HTML without what differs between any two responses: the CSRF token, and the
    address the language and context switchers echo back."""
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r'name="next" value="[^"]+"', "", body)
