"""Template helpers for the sign-in and account pages (GOV.UK Frontend markup for allauth forms)."""

from __future__ import annotations

import copy
import re
from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

register = template.Library()

# Widget attributes that GOV.UK patterns advise against: labels are always visible, and focus is never moved for
# the person.
DROPPED_ATTRS = ("placeholder", "autofocus", "style")


@register.filter
def field_kind(field: BoundField) -> str:
    """What markup a field needs: hidden, checkbox, radios, checkboxes, select, textarea, passphrase or input."""
    widget = field.field.widget
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.PasswordInput):
        return "passphrase"
    return "input"


@register.filter
def first_field_id(form: forms.BaseForm) -> str:
    """The id of the form's first visible field: where a form-wide error in the summary points."""
    for field in form.visible_fields():
        return field.id_for_label or field.auto_id or ""
    return ""


@register.simple_tag
def govuk_widget(field: BoundField, classes: str = "", describedby: str = "") -> SafeString:
    """Render a field's widget with GOV.UK classes, the ids of its hint and error, and none of the unwanted attributes."""
    kind = field_kind(field)
    widget = copy.copy(field.field.widget)
    widget.attrs = {k: v for k, v in widget.attrs.items() if k not in DROPPED_ATTRS}
    base = {
        "checkbox": "govuk-checkboxes__input",
        "select": "govuk-select",
        "textarea": "govuk-textarea",
        "passphrase": "govuk-input govuk-password-input__input govuk-js-password-input-input",
        "input": "govuk-input",
    }.get(kind, "")
    css = [base] if base else []
    if field.errors and kind in ("select", "textarea", "passphrase", "input"):
        css.append({"select": "govuk-select--error", "textarea": "govuk-textarea--error"}.get(kind, "govuk-input--error"))
    if classes:
        css.append(classes)
    attrs: dict[str, Any] = {}
    if css:
        attrs["class"] = " ".join(css)
    if kind == "passphrase":
        attrs.update({"spellcheck": "false", "autocapitalize": "none"})
    described = describedby.split() if describedby else []
    if not described:
        if field.help_text:
            described.append(f"{field.auto_id}-hint")
        if field.errors:
            described.append(f"{field.auto_id}-error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(widget=widget, attrs=attrs)


_BROWSERS = [
    ("Edg", "Edge"),
    ("OPR", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("Firefox", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome", "Chrome"),
    ("Chromium", "Chromium"),
    ("Safari", "Safari"),
]
_SYSTEMS = [
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "Mac"),
    ("Macintosh", "Mac"),
    ("Linux", "Linux"),
]


@register.filter
def device_summary(user_agent: str | None) -> str:
    """A short, plain description of a browser ('Firefox on Android') from its user agent string."""
    ua = user_agent or ""
    browser = next((name for token, name in _BROWSERS if re.search(rf"\b{re.escape(token)}\b", ua)), "")
    system = next((name for token, name in _SYSTEMS if token in ua), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown browser"
