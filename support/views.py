from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from support.models import NATIONS
from support.selectors import guide_contacts, help_directory

GUIDES = {
    "what-is-stalking": "What stalking and harassment are",
    "what-to-record": "What to record",
    "keeping-evidence": "Keeping evidence",
    "report": "The REPORT steps",
}


def help_page(request: HttpRequest) -> HttpResponse:
    nation = request.GET.get("nation", "")
    return render(request, "support/help.html", {"directory": help_directory(nation), "guides": GUIDES, "nations": NATIONS})


def guide(request: HttpRequest, slug: str) -> HttpResponse:
    if slug not in GUIDES:
        raise Http404("No such page")
    try:
        template = get_template(f"support/guides/{slug}.html")
    except TemplateDoesNotExist as exc:
        raise Http404("No such page") from exc
    context = {"title": GUIDES[slug], "slug": slug, "guides": GUIDES, "contacts": guide_contacts()}
    return HttpResponse(template.render(context, request))
