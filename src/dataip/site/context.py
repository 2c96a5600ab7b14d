"""What every page shows: the platform's name, the jurisdiction's bodies, the navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

#: (url name, label, who sees it: "all", "applicant", "examiner", "administrator")
NAVIGATION = [
    ("publication:publicity", gettext_noop("Publicity"), "all"),
    ("publication:announcements", gettext_noop("Announcements"), "all"),
    ("publication:register", gettext_noop("Register"), "all"),
    ("publication:verify", gettext_noop("Verify"), "all"),
    ("registry:desk", gettext_noop("My applications"), "applicant"),
    ("evidence:list", gettext_noop("Evidence"), "applicant"),
    ("review:queue", gettext_noop("Review desk"), "examiner"),
    ("admin:index", gettext_noop("Administration"), "administrator"),
]


def _role(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "anonymous"
    return str(getattr(user, "role", "applicant"))


def platform(request: HttpRequest) -> dict[str, Any]:
    from dataip.registry.models import Jurisdiction  # noqa: PLC0415 - apps load first

    jurisdiction = Jurisdiction.objects.filter(is_default=True).first()
    role = _role(request)
    nav = []
    for name, label, audience in NAVIGATION:
        if audience not in ("all", role):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # a page not built yet
        nav.append({"url": url, "label": _(label), "current": request.path.startswith(url)})
    province = jurisdiction.name if jurisdiction else ""
    return {
        "platform": {
            "name": _("%(province)s Data IP Evidence and Registration Platform")
            % {"province": province},
            "registration_body": jurisdiction.registration_body if jurisdiction else "",
            "administration": jurisdiction.administration if jurisdiction else "",
            "nav": nav,
            "role": role,
        }
    }
