"""`smbot roster import`: good rows load, each rejected row is named with its line and reason."""

from __future__ import annotations

import codecs
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.cli import main
from bot.guard import TAXPAYER_DATA_REASON
from bot.roster import import_roster
from bot.settings import Settings
from bot.standin import SlackStandIn
from models.db import make_engine
from models.migrate import upgrade
from models.tables import Employee, Notification

HEADER = "user,name,role,manager,tz,job_series,egain\n"
TEAM = (
    HEADER
    + "U0ATE7,Alex Rivera,ate,U0MGR9,America/Chicago,930,40123\n"
    + "U0MGR9,Dana Whitfield,manager,,America/Chicago,0930,40100\n"
)


def write(tmp_path: Path, text: str, name: str = "roster.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def people(database_url: str) -> dict[str, Employee]:
    engine = make_engine(database_url)
    upgrade(engine)
    with Session(engine) as session:
        found = {e.id: e for e in session.exec(select(Employee)).all()}
    engine.dispose()
    return found


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch, database_url: str) -> str:
    """Point the CLI at a fresh SQLite file."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url


@pytest.fixture
def team(tmp_path: Path, store: str, capsys: pytest.CaptureFixture[str]) -> str:
    """Load a manager and one ATE, so later files can refer to them."""
    assert main(["roster", "import", str(write(tmp_path, TEAM, "team.csv"))]) == 0
    capsys.readouterr()
    return store


def test_a_team_loads_with_the_manager_listed_after_the_report(
    tmp_path: Path, store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["roster", "import", str(write(tmp_path, TEAM))])

    out = capsys.readouterr()
    assert status == 0, out.err
    assert "2 employees added, 0 updated, 0 rows rejected." in out.out
    alex = people(store)["U0ATE7"]
    assert (alex.manager_id, alex.tz, alex.job_series, alex.egain) == (
        "U0MGR9",
        "America/Chicago",
        "0930",
        "40123",
    )


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("U0ATE8,Sam Okafor,ate,U0NOBODY,America/New_York,0930,", "unknown manager U0NOBODY"),
        ("U0ATE8,Sam Okafor,ate,U0ATE8,America/New_York,0930,", "can't be their own manager"),
        ("U0ATE8,Sam Okafor,ate,U0ATE7,America/New_York,0930,", "U0ATE7 is on the roster as ate"),
        ("U0ATE8,Sam Okafor,ate,U0MGR9,Mars/Olympus,0930,", "unknown time zone 'Mars/Olympus'"),
        ("U0ATE8,Sam Okafor,ate,U0MGR9,America/New_York,0930,40-12", "'40-12' is not 3 to 10"),
        ("U0ATE8,Sam Okafor,ate,U0MGR9,America/New_York,0930,12", "'12' is not 3 to 10 digits"),
        ("U0ATE8,Sam Okafor,ate,U0MGR9,,0930,40123", "40123 already belongs to Alex Rivera"),
        ("U0ATE8,Sam Okafor,boss,U0MGR9,America/New_York,0930,", "unknown role 'boss'"),
        ("U0ATE8,Sam Okafor,ate,U0MGR9,,ninety,", "job series 'ninety' is not a series"),
        ("sam@example.gov,Sam Okafor,ate,U0MGR9,,0930,", "without SLACK_BOT_TOKEN"),
        ("U0ATE8,,ate,U0MGR9,,0930,", "the name column is empty"),
        ("#8,Sam Okafor,ate,U0MGR9,,0930,", "neither a Slack user id"),
    ],
)
def test_each_bad_row_is_rejected_with_its_line_and_reason_while_good_rows_load(
    tmp_path: Path, team: str, capsys: pytest.CaptureFixture[str], row: str, reason: str
) -> None:
    good = "U0ATE9,Priya Nair,ate,U0MGR9,America/Los_Angeles,0512,\n"
    path = write(tmp_path, HEADER + row + "\n" + good)

    status = main(["roster", "import", str(path)])

    out = capsys.readouterr()
    assert status == 1
    assert out.err.startswith("line 2: ") and reason in out.err, out.err
    assert "1 employee added, 0 updated, 1 row rejected." in out.out
    assert "U0ATE9" in people(team) and "U0ATE8" not in people(team)


def test_a_row_with_a_taxpayer_id_is_rejected_without_echoing_it(
    tmp_path: Path, team: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, HEADER + "U0ATE8,Sam 123-45-6789,ate,U0MGR9,,0930,\n")

    status = main(["roster", "import", str(path)])

    err = capsys.readouterr().err
    assert status == 1
    assert err == f"line 2: {TAXPAYER_DATA_REASON}\n"
    assert "6789" not in err


def test_a_person_on_two_rows_is_rejected_on_both(
    tmp_path: Path, team: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = (
        "U0ATE8,Sam Okafor,ate,U0MGR9,,0930,\n"
        "U0ATE9,Priya Nair,ate,U0MGR9,,0930,\n"
        "u0ate8,Sam Okafor,ate,U0MGR9,,0930,\n"
    )

    status = main(["roster", "import", str(write(tmp_path, HEADER + rows))])

    err = capsys.readouterr().err.splitlines()
    assert status == 1
    assert err == [
        "line 2: U0ATE8 is on more than one row (lines 2, 4); keep one row per person",
        "line 4: U0ATE8 is on more than one row (lines 2, 4); keep one row per person",
    ]
    assert "U0ATE9" in people(team)


def test_a_loop_in_the_management_chain_is_rejected_and_so_are_its_reports(
    tmp_path: Path, team: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = (
        "U0MGRA,Lee Chen,manager,U0MGRB,,0930,\n"
        "U0MGRB,Kim Park,manager,U0MGRA,,0930,\n"
        "U0ATE8,Sam Okafor,ate,U0MGRA,,0930,\n"
        "U0MGR9,Dana Whitfield,manager,U0ATE7,,0930,\n"
    )

    status = main(["roster", "import", str(write(tmp_path, HEADER + rows))])

    err = capsys.readouterr().err.splitlines()
    assert status == 1
    assert err[0] == "line 2: the management chain loops back: U0MGRA → U0MGRB → U0MGRA"
    assert err[1] == "line 3: the management chain loops back: U0MGRB → U0MGRA → U0MGRB"
    assert err[2].startswith("line 4: manager U0MGRA is on line 2, which was rejected")
    assert err[3] == "line 5: U0ATE7 is on the roster as ate, not as a manager"


def test_a_loop_through_the_stored_roster_is_found_too(
    tmp_path: Path, team: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # U0ATE7 already reports to U0MGR9; making U0ATE7 a manager over U0MGR9 closes a loop.
    rows = (
        "U0ATE7,Alex Rivera,manager,U0MGR9,,0930,\nU0MGR9,Dana Whitfield,manager,U0ATE7,,0930,\n"
    )

    status = main(["roster", "import", str(write(tmp_path, HEADER + rows))])

    err = capsys.readouterr().err
    assert status == 1
    assert "line 2: the management chain loops back: U0ATE7 → U0MGR9 → U0ATE7" in err
    assert people(team)["U0MGR9"].manager_id is None


def test_an_update_keeps_the_stored_egain_and_series_when_their_cells_are_empty(
    tmp_path: Path, team: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, HEADER + "U0ATE7,Alex Rivera-Lopez,ate,U0MGR9,America/Denver,,\n")

    status = main(["roster", "import", str(path)])

    assert status == 0
    assert "0 employees added, 1 updated" in capsys.readouterr().out
    alex = people(team)["U0ATE7"]
    assert (alex.name, alex.tz, alex.egain, alex.job_series) == (
        "Alex Rivera-Lopez",
        "America/Denver",
        "40123",
        "0930",
    )


def test_two_people_may_swap_egain_numbers_in_one_file(
    tmp_path: Path, team: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = "U0ATE7,Alex Rivera,ate,U0MGR9,,,40100\nU0MGR9,Dana Whitfield,manager,,,,40123\n"

    status = main(["roster", "import", str(write(tmp_path, HEADER + rows))])

    assert status == 0, capsys.readouterr().err
    stored = people(team)
    assert (stored["U0ATE7"].egain, stored["U0MGR9"].egain) == ("40100", "40123")


def test_a_file_without_the_required_columns_is_refused_whole(
    tmp_path: Path, store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "id,name\nU0ATE7,Alex Rivera\n")

    status = main(["roster", "import", str(path)])

    assert status == 2
    assert "no user, role column" in capsys.readouterr().err
    assert people(store) == {}


def test_without_a_token_a_missing_zone_is_the_office_zone(
    tmp_path: Path,
    store: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OFFICE_TZ", "America/Chicago")
    path = write(tmp_path, HEADER + "U0MGR9,Dana Whitfield,manager,,,0930,\n")

    status = main(["roster", "import", str(path)])

    out = capsys.readouterr().out
    assert status == 0
    assert "U0MGR9: no time zone in the file or in Slack; using the office zone" in out
    assert people(store)["U0MGR9"].tz == "America/Chicago"


# --- with Slack (the local stand-in) ------------------------------------------------


@pytest.fixture
async def slack(monkeypatch: pytest.MonkeyPatch, database_url: str) -> AsyncIterator[SlackStandIn]:
    """Run the Slack stand-in and point the settings at it, with a bot token."""
    async with SlackStandIn() as standin:
        monkeypatch.setenv("SLACK_API_URL", standin.api_url)
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
        monkeypatch.setenv("DATABASE_URL", database_url)
        monkeypatch.setenv("OFFICE_TZ", "America/Chicago")
        yield standin


async def test_a_missing_zone_is_taken_from_the_slack_profile(
    tmp_path: Path, slack: SlackStandIn, database_url: str
) -> None:
    slack.add_user("U0MGR9", name="Dana Whitfield", tz="America/Denver")
    path = write(tmp_path, HEADER + "U0MGR9,Dana Whitfield,manager,,,0930,\n")

    outcome = await import_roster(path, Settings())

    assert (outcome.added, outcome.rejected, outcome.notes) == (["U0MGR9"], [], [])
    assert people(database_url)["U0MGR9"].tz == "America/Denver"
    assert [c.args["user"] for c in slack.calls_to("users.info")] == ["U0MGR9"]


async def test_when_slack_fails_the_missing_zone_is_the_office_zone(
    tmp_path: Path, slack: SlackStandIn, database_url: str
) -> None:
    slack.add_user("U0MGR9", name="Dana Whitfield", tz="America/Denver")
    slack.fail("users.info", error="user_not_found")
    path = write(tmp_path, HEADER + "U0MGR9,Dana Whitfield,manager,,,0930,\n")

    outcome = await import_roster(path, Settings())

    assert outcome.added == ["U0MGR9"] and outcome.rejected == []
    assert outcome.notes == [
        "U0MGR9: no time zone in the file or in Slack; using the office zone America/Chicago"
    ]
    assert people(database_url)["U0MGR9"].tz == "America/Chicago"


async def test_emails_are_resolved_to_slack_ids_for_people_and_managers(
    tmp_path: Path, slack: SlackStandIn, database_url: str
) -> None:
    slack.add_user("U0MGR9", name="Dana Whitfield", email="dana@example.gov")
    slack.add_user("U0ATE7", name="Alex Rivera", tz="America/Chicago", email="Alex@Example.gov")
    rows = (
        "alex@example.gov,Alex Rivera,ate,dana@example.gov,,0930,40123\n"
        "dana@example.gov,Dana Whitfield,manager,,America/New_York,0930,\n"
        "nobody@example.gov,Sam Okafor,ate,dana@example.gov,,0930,\n"
    )

    outcome = await import_roster(write(tmp_path, HEADER + rows), Settings())

    assert [(r.line, r.reason) for r in outcome.rejected] == [
        (4, "no Slack user has the email nobody@example.gov")
    ]
    alex = people(database_url)["U0ATE7"]
    assert (alex.manager_id, alex.email, alex.tz) == (
        "U0MGR9",
        "alex@example.gov",
        "America/Chicago",
    )
    assert len(slack.calls_to("users.lookupByEmail")) == 3


# --- reading the file ---------------------------------------------------------------

NAMED = HEADER + "U0MGR9,José Pérez,manager,,America/Chicago,0930,\n"


@pytest.mark.parametrize(
    "encoded",
    [
        NAMED.encode("utf-8"),
        NAMED.encode("utf-8-sig"),
        NAMED.encode("utf-16"),  # little-endian, with the BOM FF FE
        codecs.BOM_UTF16_BE + NAMED.encode("utf-16-be"),
    ],
    ids=["utf-8", "utf-8 with BOM", "utf-16 LE with BOM", "utf-16 BE with BOM"],
)
def test_utf8_and_utf16_with_a_bom_are_read(
    tmp_path: Path, store: str, capsys: pytest.CaptureFixture[str], encoded: bytes
) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(encoded)

    status = main(["roster", "import", str(path)])

    assert status == 0, capsys.readouterr().err
    assert people(store)["U0MGR9"].name == "José Pérez"


def test_a_cp1252_file_as_excel_writes_it_is_refused_with_how_to_save_it_as_utf8(
    tmp_path: Path, store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(NAMED.encode("cp1252"))

    status = main(["roster", "import", str(path)])

    err = capsys.readouterr().err
    assert status == 2
    assert f"{path} is not UTF-8 text (line 2 has a character that isn't)" in err
    assert "CSV UTF-8 (Comma delimited)" in err and "Traceback" not in err
    assert people(store) == {}


def test_utf16_without_its_bom_is_refused_too(
    tmp_path: Path, store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(NAMED.encode("utf-16-le"))

    status = main(["roster", "import", str(path)])

    assert status == 2
    assert "is not UTF-8 text" in capsys.readouterr().err
    assert people(store) == {}


def test_blank_lines_before_the_header_are_skipped_and_lines_still_count(
    tmp_path: Path, store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "\n \n" + TEAM + "U0ATE8,Sam Okafor,boss,U0MGR9,,0930,\n")

    status = main(["roster", "import", str(path)])

    out = capsys.readouterr()
    assert status == 1
    assert out.err == "line 6: unknown role 'boss'; use ate, manager or admin\n"
    assert "2 employees added" in out.out
    assert set(people(store)) == {"U0ATE7", "U0MGR9"}


def test_only_blank_lines_is_an_empty_file(
    tmp_path: Path, store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["roster", "import", str(write(tmp_path, "\n\n,,\n"))])

    assert status == 2
    assert "The roster file is empty" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ('"Sam\nOkafor"', "the name runs over more than one line; write it on one line"),
        ('"Sam\r\nOkafor"', "the name runs over more than one line; write it on one line"),
        ("Sam\x07Okafor", "the name holds a control character (U+0007); remove it"),
        ("Sam\u2028Okafor", "the name runs over more than one line; write it on one line"),
    ],
    ids=["LF in quotes", "CRLF in quotes", "BEL", "line separator"],
)
def test_a_name_with_a_line_break_or_control_character_is_refused_on_its_line(
    tmp_path: Path, team: str, capsys: pytest.CaptureFixture[str], name: str, reason: str
) -> None:
    rows = f"U0ATE8,{name},ate,U0MGR9,,0930,\nU0ATE9,Priya Nair,ate,U0MGR9,,0512,\n"
    path = tmp_path / "roster.csv"
    path.write_bytes((HEADER + rows).encode("utf-8"))

    status = main(["roster", "import", str(path)])

    out = capsys.readouterr()
    assert status == 1
    assert out.err == f"line 2: {reason}\n"
    assert "1 employee added" in out.out
    assert "U0ATE8" not in people(team) and "U0ATE9" in people(team)


def test_a_row_after_a_multi_line_cell_keeps_its_own_line_number(
    tmp_path: Path, team: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = 'U0ATE8,"Sam\nOkafor",ate,U0MGR9,,0930,\nU0ATE9,Priya Nair,boss,U0MGR9,,0512,\n'

    status = main(["roster", "import", str(write(tmp_path, HEADER + rows))])

    err = capsys.readouterr().err.splitlines()
    assert status == 1
    assert [line.split(":")[0] for line in err] == ["line 2", "line 4"]


# --- a manager's role, on the roster as it would be after the import ---------------


def test_a_manager_whose_reports_stay_on_the_roster_cannot_be_made_an_ate(
    tmp_path: Path, team: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # U0ATE7 reports to U0MGR9 on the roster and is not in this file.
    rows = "U0MGR9,Dana Whitfield,ate,,,0930,\nU0ATE9,Priya Nair,ate,U0MGR9,,0512,\n"

    status = main(["roster", "import", str(write(tmp_path, HEADER + rows))])

    out = capsys.readouterr()
    assert status == 1
    assert out.err == (
        "line 2: U0MGR9 can't be made ate while U0ATE7 still reports to them; give them "
        "another manager first (a row in this same file will do)\n"
    )
    # The rejected row leaves Dana a manager, so Priya's row loads under her.
    stored = people(team)
    assert stored["U0MGR9"].role == "manager"
    assert stored["U0ATE9"].manager_id == "U0MGR9"


def test_a_manager_may_become_an_ate_once_the_file_moves_their_reports(
    tmp_path: Path, team: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = (
        "U0MGR9,Dana Whitfield,ate,U0MGRB,,0930,\n"
        "U0MGRB,Kim Park,manager,,,0930,\n"
        "U0ATE7,Alex Rivera,ate,U0MGRB,,0930,\n"
    )

    status = main(["roster", "import", str(write(tmp_path, HEADER + rows))])

    assert status == 0, capsys.readouterr().err
    stored = people(team)
    assert (stored["U0MGR9"].role, stored["U0ATE7"].manager_id) == ("ate", "U0MGRB")


def test_a_bot_token_of_the_wrong_kind_is_refused_naming_the_variable(
    tmp_path: Path, store: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "notatoken")
    path = write(tmp_path, HEADER + "dana@example.gov,Dana Whitfield,manager,,,0930,\n")

    status = main(["roster", "import", str(path)])

    err = capsys.readouterr().err
    assert status == 2
    assert "SLACK_BOT_TOKEN is not a bot token: it must start with xoxb-" in err
    assert "notatoken" not in err
    assert people(store) == {}


def test_moving_an_ate_to_another_manager_moves_the_escalations_to_come(
    tmp_path: Path, team: str, capsys: pytest.CaptureFixture[str]
) -> None:
    an_hour_ago = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    message = (
        '{"type": "message.received", "id": "m-1", "case": "APL-26-0001", '
        f'"employee": "U0ATE7", "at": "{an_hour_ago}"}}\n'
    )
    assert main(["import", "events", str(write(tmp_path, message, "events.jsonl"))]) == 0
    moved = (
        HEADER
        + "U0MGR8,Lee Newman,manager,,America/Chicago,0930,40101\n"
        + "U0ATE7,Alex Rivera,ate,U0MGR8,America/Chicago,930,40123\n"
    )

    assert main(["roster", "import", str(write(tmp_path, moved, "moved.csv"))]) == 0

    engine = make_engine(team)
    with Session(engine) as session:
        escalations = session.exec(
            select(Notification).where(Notification.kind == "escalation")
        ).all()
    engine.dispose()
    assert [(n.recipient_id, n.state) for n in escalations] == [("U0MGR8", "pending")]
