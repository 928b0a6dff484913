from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from support.areas import find_area
from support.models import NATIONS
from support.selectors import area_contacts, guide_contacts, help_directory

GUIDES = {
    "what-is-stalking": "What stalking and harassment are",
    "what-to-record": "What to record",
    "keeping-evidence": "Keeping evidence",
    "report": "The REPORT steps",
}


def help_page(request: HttpRequest) -> HttpResponse:
    """The help page; ``?area=`` finds local services by place or postcode district (and the nation it is in),
    ``?nation=`` shows only the services of one nation."""
    area = find_area(request.GET.get("area", ""))
    nation = request.GET.get("nation", "") or area.nation
    context = {
        "directory": help_directory(nation),
        "area": area,
        "area_contacts": area_contacts(area.contact_slugs),
        "area_names": ", ".join(a.name for a in area.areas),
        "guides": GUIDES,
        "nations": NATIONS,
    }
    return render(request, "support/help.html", context)


def guide(request: HttpRequest, slug: str) -> HttpResponse:
    if slug not in GUIDES:
        raise Http404("No such page")
    try:
        template = get_template(f"support/guides/{slug}.html")
    except TemplateDoesNotExist as exc:
        raise Http404("No such page") from exc
    context = {"title": GUIDES[slug], "slug": slug, "guides": GUIDES, "contacts": guide_contacts()}
    return HttpResponse(template.render(context, request))
