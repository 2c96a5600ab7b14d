"""Who may do what: the checks other apps import."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from dataip.accounts.models import Registrant, RegistrantKind, User
from dataip.accounts.permissions import acts_for, is_administrator, is_examiner, may_object

pytestmark = pytest.mark.django_db


def test_members_act_for_their_registrant_only(member, applicant, examiner):
    registrant = member.registrant
    other = Registrant.objects.create(
        kind=RegistrantKind.LEGAL_PERSON, name="华为技术有限公司", id_number="914403001922038216"
    )
    assert acts_for(member, registrant)
    assert not acts_for(member, other)
    assert not acts_for(member, None)
    assert not acts_for(applicant, registrant)
    assert not acts_for(examiner, registrant)
    assert not acts_for(AnonymousUser(), registrant)


def test_acting_needs_real_name_details_and_an_active_account(member):
    registrant = member.registrant
    User.objects.filter(pk=member.pk).update(real_name="")
    member.refresh_from_db()
    assert not acts_for(member, registrant)
    User.objects.filter(pk=member.pk).update(real_name="李四", is_active=False)
    member.refresh_from_db()
    assert not acts_for(member, registrant)


def test_roles(applicant, examiner, administrator):
    anonymous = AnonymousUser()
    assert [is_examiner(u) for u in (anonymous, applicant, examiner, administrator)] == [
        False,
        False,
        True,
        False,
    ]
    assert [is_administrator(u) for u in (anonymous, applicant, examiner, administrator)] == [
        False,
        False,
        False,
        True,
    ]
    User.objects.filter(pk__in=[examiner.pk, administrator.pk]).update(is_active=False)
    examiner.refresh_from_db()
    administrator.refresh_from_db()
    assert not is_examiner(examiner)
    assert not is_administrator(administrator)


def test_objecting_needs_an_account(applicant, member, examiner, administrator):
    assert not may_object(AnonymousUser())
    assert may_object(applicant)
    assert may_object(member)
    assert not may_object(examiner)
    assert not may_object(administrator)
