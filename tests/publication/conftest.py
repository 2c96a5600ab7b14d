"""Fixtures of the public pages: a world with one application in each public state."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from tests.registry.factories import World

from dataip.registry.models import Application, Status


@dataclass
class PublicWorld:
    world: World
    publicity: Application
    registered: Application
    private: Application


@pytest.fixture
def public_world(db) -> PublicWorld:
    world = World()
    # Registered first: reaching that state runs the scheduler, which registers every
    # application whose publicity is over.
    registered = world.application_in(Status.REGISTERED)
    return PublicWorld(
        world=world,
        publicity=world.application_in(Status.PUBLICITY),
        registered=registered,
        private=world.application_in(Status.UNDER_REVIEW),
    )


ROLES = ("anonymous", "applicant", "other", "public", "examiner", "administrator")


def client_as(world: World, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(world, role))
    return client
