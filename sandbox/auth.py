"""Bearer tokens, plans and roles: who is calling, and may their workspace use the API at all."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ApiError
from .store import Record, Store

TOKEN_RE = re.compile(r"^hsk_(live|test)_[0-9a-f]{12}_[A-Za-z0-9]{32}$")
API_PLANS = ("studio", "agency")
STAFF_ROLES = ("OWNER", "ADMIN", "MANAGER")

# api/reference/me shows "scopes": ["read"]: scope words, not per-resource grants (what a role may do is
# its role's business). Every seeded token was minted with both; a narrower token would list fewer.
TOKEN_SCOPES = ["read", "write"]


@dataclass(frozen=True)
class Principal:
    """The membership a token acts as."""

    token: str
    token_name: str
    org: Record
    member: Record

    @property
    def org_id(self) -> str:
        return str(self.org["id"])

    @property
    def plan(self) -> str:
        return str(self.org["plan"])

    @property
    def role(self) -> str:
        return str(self.member["role"])

    @property
    def user_id(self) -> str:
        return str(self.member["userId"])

    @property
    def is_member(self) -> bool:
        """True for the MEMBER role: scoped to their own work and money-blind."""
        return self.role == "MEMBER"

    @property
    def scopes(self) -> list[str]:
        return list(TOKEN_SCOPES)


def authenticate(store: Store, authorization: str | None) -> Principal:
    """The principal for an Authorization header, or 401 saying what is wrong with it."""
    if not authorization:
        raise ApiError(401, "missing token: send the header 'Authorization: Bearer hsk_…'")
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "malformed Authorization header: expected 'Bearer hsk_…'")
    if not TOKEN_RE.match(token):
        raise ApiError(401, "malformed token: expected hsk_<live|test>_<12 hex>_<32 alphanumerics>")
    record = store.tokens.get(token)
    if record is None:
        raise ApiError(401, "unknown token: check HOURSMITH_API_TOKEN or mint a new token in Settings → API")
    if record.revoked:
        raise ApiError(401, "this token has been revoked: mint a new one in Settings → API")
    member = store.members.get(record.member_id)
    org = store.orgs.get(record.org_id)
    if member is None or org is None:
        raise ApiError(401, "the member who minted this token was removed; the token no longer works")
    return Principal(token=token, token_name=record.name, org=org, member=member)


def check_plan(principal: Principal) -> None:
    if principal.plan not in API_PLANS:
        raise ApiError(
            402,
            f"this workspace's plan ({principal.plan}) has no API access; it needs Studio or Agency "
            "(upgrade in Settings → Billing)",
            extra={"requiredPlan": "studio", "feature": "apiAccess"},
        )


def require_staff(principal: Principal, what: str) -> None:
    """Members have no access to this kind of resource or action ([decided] 403 for resource kinds)."""
    if principal.is_member:
        raise ApiError(403, f"the MEMBER role may not {what}")
