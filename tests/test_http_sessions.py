"""The HTTP session table's rules, with a clock of our own: idle sessions end first, one remote address
keeps at most its share, the least recently used session makes room, and a new client is never refused."""

from __future__ import annotations

from hoursmith_mcp.engine.serving.http_guard import SessionTable, _Session, allowed_hosts_and_origins


def open_sessions(sessions: SessionTable, peer: str, count: int, start: float = 0.0) -> list[str]:
    ids = [f"{peer}-{index}" for index in range(count)]
    for index, sid in enumerate(ids):
        sessions.sessions[sid] = _Session(peer, start + index)
    return ids


def test_the_least_recently_used_session_makes_room_and_none_is_refused() -> None:
    sessions = SessionTable(max_sessions=4, per_peer=4, idle_seconds=1000)
    ids = open_sessions(sessions, "127.0.0.1", 4)
    sessions.sessions[ids[0]].last_used = 10  # used again lately
    assert sessions.to_end_before_admitting("127.0.0.1", 11) == [ids[1]]
    assert len(sessions.sessions) == 3


def test_a_session_with_a_request_in_flight_goes_last() -> None:
    sessions = SessionTable(max_sessions=2, per_peer=2, idle_seconds=1000)
    first, second = open_sessions(sessions, "127.0.0.1", 2)
    sessions.sessions[first].in_flight = 1
    assert sessions.to_end_before_admitting("127.0.0.1", 5) == [second]


def test_idle_sessions_end_first() -> None:
    sessions = SessionTable(max_sessions=10, per_peer=10, idle_seconds=60)
    old, recent = open_sessions(sessions, "127.0.0.1", 2)
    sessions.sessions[recent].last_used = 100
    assert sessions.to_end_before_admitting("127.0.0.1", 130) == [old]
    assert list(sessions.sessions) == [recent]


def test_one_remote_address_keeps_only_its_share() -> None:
    sessions = SessionTable(max_sessions=10, per_peer=3, idle_seconds=1000)
    mine = open_sessions(sessions, "203.0.113.7", 3)
    others = open_sessions(sessions, "198.51.100.2", 3, start=100)
    assert sessions.to_end_before_admitting("203.0.113.7", 200) == [mine[0]]
    assert all(sid in sessions.sessions for sid in others)


def test_loopback_clients_share_the_total_only() -> None:
    """Every local client is 127.0.0.1: a per-address share would let one local process lock out the rest."""
    sessions = SessionTable(max_sessions=5, per_peer=2, idle_seconds=1000)
    open_sessions(sessions, "127.0.0.1", 4)
    assert sessions.to_end_before_admitting("127.0.0.1", 50) == []


def test_hosts_and_origins_are_exact() -> None:
    hosts, origins = allowed_hosts_and_origins("127.0.0.1", 8765, ())
    assert hosts == {"127.0.0.1:8765", "localhost:8765", "[::1]:8765"}
    assert origins == {"http://127.0.0.1:8765", "http://localhost:8765", "http://[::1]:8765"}
    hosts, origins = allowed_hosts_and_origins("0.0.0.0", 8765, ("mcp.example.com", "edge.example.com:8443"))
    assert {"mcp.example.com", "mcp.example.com:8765", "edge.example.com:8443"} <= hosts
    assert "edge.example.com" not in hosts and "mcp.example.com:8443" not in hosts
    assert {
        "https://mcp.example.com",
        "http://mcp.example.com:8765",
        "https://edge.example.com:8443",
    } <= origins
    assert "https://edge.example.com" not in origins
