"""The Atom feed of registration announcements (公告), for anyone who follows the register."""

from __future__ import annotations

import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from dataip.publication import selectors

#: Entries in the feed: the newest announcements.
FEED_SIZE = 50


def _midnight(value: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time()))


class AnnouncementFeed(Feed[selectors.RegisteredRecord, None]):
    feed_type = Atom1Feed
    link = reverse_lazy("publication:announcements")

    def title(self) -> str:
        return _("Registration announcements")

    def subtitle(self) -> str:
        return _(
            "Data intellectual-property registrations: application number, application date, "
            "registration date and data name."
        )

    def items(self) -> list[selectors.RegisteredRecord]:
        return selectors.announcement_list(limit=FEED_SIZE)

    def item_title(self, item: selectors.RegisteredRecord) -> str:
        return item.data_name

    def item_description(self, item: selectors.RegisteredRecord) -> str:
        return _(
            "Application number %(application)s, applied %(applied)s, registered %(registered)s; "
            "registration number %(registration)s, certificate number %(certificate)s; "
            "registrant %(applicant)s."
        ) % {
            "application": item.application_number,
            "applied": item.application_date.isoformat(),
            "registered": item.registration_date.isoformat(),
            "registration": item.registration_number,
            "certificate": item.certificate_number,
            "applicant": item.applicant,
        }

    def item_link(self, item: selectors.RegisteredRecord) -> str:
        return reverse("publication:register-detail", args=[item.registration_number])

    def item_pubdate(self, item: selectors.RegisteredRecord) -> datetime.datetime:
        return _midnight(item.registration_date)

    def item_updateddate(self, item: selectors.RegisteredRecord) -> datetime.datetime:
        return _midnight(item.registration_date)
