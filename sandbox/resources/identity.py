"""GET /me, GET /organization and the read-only members endpoints."""

from __future__ import annotations

from typing import Any

from ..dispatch import Ctx, Reply, Route
from ..errors import not_found
from ..listing import ListSpec, enum_filter, reject_query, sort_fields
from ..store import Record
from .common import created_range, list_reply, ok

ROLES = ("OWNER", "ADMIN", "MANAGER", "MEMBER")
ORG_FIELDS = (
    "id",
    "name",
    "plan",
    "defaultCurrency",
    "invoicePrefix",
    "legalName",
    "taxId",
    "businessEmail",
    "businessWebsite",
    "createdAt",
)
MEMBER_FIELDS = ("id", "orgId", "userId", "role", "name", "email", "createdAt")


def get_me(ctx: Ctx) -> Reply:
    reject_query(ctx.query)
    who = ctx.principal
    if who.is_member:
        project_ids = ctx.store.projects_of_user(who.org_id, who.user_id)
    else:  # Owner, Admin and Manager reach every project of the workspace
        project_ids = [p["id"] for p in ctx.store.rows("projects", who.org_id)]
    return ok(
        {
            "orgId": who.org_id,
            "orgName": who.org["name"],
            "plan": who.plan,
            "role": who.role,
            "tokenName": who.token_name,
            "scopes": who.scopes,
            "projectIds": sorted(project_ids),
        }
    )


def get_organization(ctx: Ctx) -> Reply:
    reject_query(ctx.query)
    return ok({name: ctx.principal.org.get(name) for name in ORG_FIELDS})


def _render(member: Record) -> dict[str, Any]:
    return {name: member[name] for name in MEMBER_FIELDS}


def _visible_members(ctx: Ctx) -> list[Record]:
    who = ctx.principal
    members = [m for m in ctx.store.members.values() if m["orgId"] == who.org_id]
    if who.is_member:  # a Member reads only their own member record
        members = [m for m in members if m["id"] == who.member["id"]]
    return members


MEMBER_LIST = ListSpec(
    kind="members",
    sort_fields=sort_fields("createdAt", "id", "role", ranks={"role": ROLES}),
    search_fields=("name", "email"),
    filters={"role": enum_filter("role", ROLES), **created_range()},
)


def list_members(ctx: Ctx) -> Reply:
    return list_reply(ctx, MEMBER_LIST, _visible_members(ctx), _render)


def get_member(ctx: Ctx) -> Reply:
    reject_query(ctx.query)
    for member in _visible_members(ctx):
        if member["id"] == ctx.params["id"]:
            return ok(_render(member))
    raise not_found("member")


ROUTES = [
    Route("GET", "/me", get_me),
    Route("GET", "/organization", get_organization),
    Route("GET", "/members", list_members),
    Route("GET", "/members/{id}", get_member),
]
