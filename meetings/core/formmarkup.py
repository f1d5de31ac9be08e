"""Accessible attributes of form controls: hints and errors tied with aria-describedby, required marked."""

from __future__ import annotations


def field_attributes(field, hint: object = None) -> dict[str, str]:
    """aria-describedby, aria-invalid and aria-required for one WTForms field's control."""
    described = ([f"{field.id}-hint"] if hint else []) + ([f"{field.id}-error"] if field.errors else [])
    attributes: dict[str, str] = {}
    if described:
        attributes["aria-describedby"] = " ".join(described)
    if field.errors:
        attributes["aria-invalid"] = "true"
    if field.flags.required and field.type != "BooleanField":
        attributes["aria-required"] = "true"
    return attributes
