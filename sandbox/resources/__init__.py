"""One module per resource; each exposes ROUTES for the dispatcher."""

from __future__ import annotations

from ..dispatch import Route
from . import clients, expenses, identity, invoices, projects, tasks, time_entries


def all_routes() -> list[Route]:
    # time_entries lists /time-entries/running before /time-entries/{id}, so it wins the match.
    return [
        *identity.ROUTES,
        *clients.ROUTES,
        *projects.ROUTES,
        *tasks.ROUTES,
        *time_entries.ROUTES,
        *expenses.ROUTES,
        *invoices.ROUTES,
    ]
