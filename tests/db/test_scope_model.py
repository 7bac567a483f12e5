"""A user's scope is checked when made: names trimmed and distinct, a malformed scope refused
with words that say which level is wrong (never read as some other limit, or as none)."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from db import users
from db.__main__ import main
from db.users import Scope, UserError


def test_names_are_trimmed_distinct_and_tuples() -> None:
    scope = Scope([" AWS ", "AWS", "Microsoft"], None, ["b", "a", "b"])
    assert scope.providers == ("AWS", "Microsoft")
    assert scope.billing_accounts == ()
    assert scope.sub_accounts == ("b", "a")
    assert not scope.unlimited and Scope().unlimited


def test_json_round_trip() -> None:
    scope = Scope(("AWS",), ("111",), ())
    assert scope.to_json() == '{"providers":["AWS"],"billing_accounts":["111"],"sub_accounts":[]}'
    assert Scope.from_json({"providers": ["AWS"], "billing_accounts": ["111"]}) == scope
    assert Scope.from_json(None) == Scope.from_json({"providers": None}) == Scope()


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        ({"providers": "AWS"}, "a scope's providers must be a list of names, not 'AWS'"),
        ({"billing_accounts": [" "]}, "a scope's billing accounts cannot include an empty name"),
        ({"sub_accounts": [42]}, "a scope's sub-accounts must be a list of names, not 42"),
    ],
    ids=["string-not-list", "blank-name", "number"],
)
def test_a_malformed_scope_is_refused(stored: dict, message: str) -> None:
    with pytest.raises(UserError) as raised:
        Scope.from_json(stored)
    assert str(raised.value) == message


def test_cli_refuses_a_blank_scope_in_one_line(
    app_env: str,
    engine: sa.Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password-1\n"))
    argv = ["user", "add", "dave", "--role", "viewer", "--provider", " "]
    assert main(argv) == 2
    assert capsys.readouterr().err == "error: a scope's providers cannot include an empty name\n"
    assert users.get_user(engine, "dave") is None  # not added with no limit instead
