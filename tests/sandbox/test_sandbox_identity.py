"""Identity, authentication, plans, envelopes and routing."""

from __future__ import annotations

import httpx
import pytest
from sbx_helpers import Api, error_of, token_client

from hoursmith_mcp.sandbox import seed
from hoursmith_mcp.sandbox.runner import RunningSandbox

LIVE_TOKENS = [t for t in seed.SEEDED_TOKENS if not t.revoked]
REVOKED_TOKENS = [t for t in seed.SEEDED_TOKENS if t.revoked]
ORG_NAMES = {"studio": "Brightline Studio", "agency": "Northstar Agency"}


def test_seed_has_the_documented_tokens() -> None:
    assert {(t.workspace, t.role) for t in LIVE_TOKENS} >= {
        (ws, role) for ws in ("studio", "agency", "free") for role in ("OWNER", "ADMIN", "MANAGER", "MEMBER")
    }
    assert len(REVOKED_TOKENS) >= 1
    for seeded in seed.SEEDED_TOKENS:
        assert seeded.token.startswith("hsk_test_")
        assert seed_token_shape(seeded.token)
    assert len({t.token for t in seed.SEEDED_TOKENS}) == len(seed.SEEDED_TOKENS)
    assert seed.token_for("studio", "member") == seed.token_for("studio", "MEMBER") != seed.token_for()
    with pytest.raises(LookupError):
        seed.token_for("nowhere", "OWNER")


def seed_token_shape(token: str) -> bool:
    from hoursmith_mcp.sandbox.auth import TOKEN_RE

    return TOKEN_RE.match(token) is not None


@pytest.mark.parametrize(
    "seeded", [t for t in LIVE_TOKENS if t.workspace != "free"], ids=lambda t: f"{t.workspace}-{t.name}"
)
def test_me_answers_for_every_seeded_token(sandbox: RunningSandbox, seeded: seed.SeededToken) -> None:
    with token_client(sandbox, seeded.token) as client:
        response = client.get("/me")
    assert response.status_code == 200
    me = response.json()["data"]
    assert me["role"] == seeded.role
    assert me["plan"] == seeded.workspace
    assert me["orgName"] == ORG_NAMES[seeded.workspace]
    assert me["orgId"] == seed.seed_id("org", seeded.workspace)
    assert isinstance(me["tokenName"], str) and isinstance(me["scopes"], list)
    assert me["scopes"] == ["read", "write"]  # scope words (api/reference/me); the role says the rest
    assert set(response.headers) >= {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"}


def test_member_me_lists_only_their_projects(api: Api) -> None:
    me = api("MEMBER").get("/me").json()["data"]
    assert seed.HOURLY_PROJECT_ID in me["projectIds"]
    assert seed.PROJECT_WITHOUT_MEMBERS_ID not in me["projectIds"]
    assert seed.PROJECT_WITHOUT_MEMBERS_ID in api("OWNER").get("/me").json()["data"]["projectIds"]


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Bearer not-a-token",
        "Bearer hsk_test_abc_def",
        "Bearer hsk_prod_0123456789ab_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345",
        "Bearer hsk_test_0123456789ab_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345",  # well-formed but unknown
    ],
)
def test_missing_malformed_and_unknown_tokens_get_401(
    sandbox: RunningSandbox, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = httpx.get(f"{sandbox.base_url}/me", headers=headers)
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"


@pytest.mark.parametrize("seeded", REVOKED_TOKENS, ids=lambda t: t.name)
def test_revoked_tokens_get_401(sandbox: RunningSandbox, seeded: seed.SeededToken) -> None:
    with token_client(sandbox, seeded.token) as client:
        response = client.get("/me")
    assert response.status_code == 401
    error = error_of(response)
    assert error["code"] == "unauthenticated"
    assert "revoked" in error["message"]


@pytest.mark.parametrize("role", ["OWNER", "ADMIN", "MANAGER", "MEMBER"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/me"),
        ("GET", "/organization"),
        ("GET", "/clients"),
        ("POST", "/time-entries"),
        ("GET", "/nope"),
    ],
)
def test_free_workspace_gets_402_on_every_request(api: Api, role: str, method: str, path: str) -> None:
    response = api(role, "free").request(method, path, json={}, headers={"Idempotency-Key": "k"})
    assert response.status_code == 402
    error = error_of(response)
    assert error["code"] == "forbidden_plan"
    assert error["requiredPlan"] == "studio"
    assert error["feature"] == "apiAccess"
    assert "Studio or Agency" in error["message"]
    assert "x-ratelimit-limit" in response.headers


def test_organization(api: Api) -> None:
    org = api("MEMBER").get("/organization").json()["data"]
    assert org["id"] == seed.STUDIO_ORG_ID
    assert org["plan"] == "studio"
    assert set(org) == {
        "id", "name", "plan", "defaultCurrency", "invoicePrefix", "legalName", "taxId", "businessEmail",
        "businessWebsite", "createdAt",
    }  # fmt: skip


def test_members_listing_and_member_scoping(api: Api) -> None:
    everyone = api("MANAGER").get("/members").json()["data"]
    assert len(everyone) == 5
    assert {m["role"] for m in everyone} == {"OWNER", "ADMIN", "MANAGER", "MEMBER"}
    assert set(everyone[0]) == {"id", "orgId", "userId", "role", "name", "email", "createdAt"}
    members_only = api("MANAGER").get("/members", params={"role": "member"}).json()["data"]
    assert sorted(m["name"] for m in members_only) == ["Lena Vogel", "Sam Dupont"]
    own = api("MEMBER").get("/members").json()["data"]
    assert [m["id"] for m in own] == [seed.STUDIO_MEMBER_SAM_MEMBER_ID]
    assert api("MEMBER").get(f"/members/{seed.STUDIO_MEMBER_SAM_MEMBER_ID}").status_code == 200
    other = api("MEMBER").get(f"/members/{seed.STUDIO_OWNER_MEMBER_ID}")
    assert other.status_code == 404 and error_of(other)["code"] == "not_found"
    assert api("ADMIN").get(f"/members/{seed.STUDIO_OWNER_MEMBER_ID}").json()["data"]["role"] == "OWNER"


def test_records_of_another_workspace_do_not_exist(api: Api) -> None:
    response = api("OWNER", "agency").get(f"/clients/{seed.CLIENT_WITH_ACTIVE_PROJECT_ID}")
    assert response.status_code == 404


def test_malformed_json_is_400(api: Api) -> None:
    response = api().post(
        "/clients", content=b'{"name": ', headers={"Idempotency-Key": "x", "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"
    wrong_type = api().patch(
        f"/clients/{seed.DELETABLE_CLIENT_ID}", content=b"name=x", headers={"Content-Type": "text/plain"}
    )
    assert wrong_type.status_code == 400
    not_object = api().patch(f"/clients/{seed.DELETABLE_CLIENT_ID}", json=["name"])
    assert not_object.status_code == 400


def test_unknown_routes_are_404_with_the_envelope(sandbox: RunningSandbox, api: Api) -> None:
    inside = api().get("/no-such-thing")
    assert inside.status_code == 404 and error_of(inside)["code"] == "not_found"
    assert "x-ratelimit-limit" in inside.headers


def test_outside_the_api_the_host_answers_like_a_website(sandbox: RunningSandbox) -> None:
    """What a base URL without /api/v1 meets: a web page's 404, not the API's envelope."""
    for path in ("/elsewhere", "/me", "/clients"):
        outside = httpx.get(f"{sandbox.root_url}{path}")
        assert outside.status_code == 404
        assert outside.headers["content-type"].startswith("text/html")
        with pytest.raises(ValueError):
            outside.json()


def test_wrong_method_on_a_known_route_is_405(api: Api) -> None:
    response = api().delete("/invoices/" + seed.PAID_INVOICE_ID)
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert response.headers["allow"] == "GET"


def test_single_record_endpoints_reject_query_parameters(api: Api) -> None:
    response = api().get(f"/clients/{seed.DELETABLE_CLIENT_ID}", params={"expand": "all"})
    assert response.status_code == 422
    assert "expand" in error_of(response)["fields"]
