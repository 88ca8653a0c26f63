"""The command line: ask (one, many, JSON), kb check, demo."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from bot.cli import main

KB = Path(__file__).resolve().parents[1] / "bot" / "kb"
CONTRACT_KEYS = {"answered", "section", "citation", "title", "text", "score", "related"}


def test_ask_json_prints_the_contract_object(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["ask", "which carats code for the first secure message", "--json"])

    answer = json.loads(capsys.readouterr().out)
    assert status == 0
    assert set(answer) == CONTRACT_KEYS
    assert answer["answered"] is True
    assert answer["citation"] == "IRM 8.6.1.4.X.1(3)"
    assert answer["section"] == "x1-3"
    assert len(answer["related"]) <= 3


def test_ask_reads_one_question_per_line_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("co-tdw code?\nwho is my union steward\n"))

    status = main(["ask", "--json", "-"])

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert status == 0
    assert [line["answered"] for line in lines] == [True, False]
    assert lines[0]["citation"] == "IRM 8.6.1.4.X.1(4)"


def test_ask_gives_one_line_per_input_line_and_exits_1_on_a_refused_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asked = "co-tdw code?\n\ntp 123-45-6789 wants sm\nwho is my union steward\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(asked))

    status = main(["ask", "--json", "-"])

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert status == 1
    assert [line["answered"] for line in lines] == [True, False, False, False]
    assert all(set(line) >= CONTRACT_KEYS for line in lines)
    assert ["error" in line for line in lines] == [False, True, True, False]
    assert lines[2]["section"] is lines[2]["citation"] is lines[2]["score"] is None


def test_ask_json_of_a_refused_question_keeps_the_contract_keys(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(["ask", "--json", "tp 123 45 6789 asked about sm"])

    answer = json.loads(capsys.readouterr().out)
    assert status == 2
    assert set(answer) == CONTRACT_KEYS | {"error"}
    assert answer["answered"] is False and "case number" in answer["error"]


@pytest.mark.parametrize("question", ["", "   "])
def test_ask_without_a_question_prints_the_usage_and_exits_2(
    capsys: pytest.CaptureFixture[str], question: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["ask", question])

    assert stopped.value.code == 2
    assert "usage: smbot ask" in capsys.readouterr().err


def test_ask_help_prints_the_command_list(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["ask", "help"])

    out = capsys.readouterr().out
    assert status == 0
    assert "/sm ask QUESTION" in out and "/sm help" in out


def test_ask_refuses_a_taxpayer_id(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["ask", "tp 123 45 6789 asked about sm"])

    assert status == 2
    assert "case number" in capsys.readouterr().err


def test_kb_check_passes_on_the_shipped_knowledge_base(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["kb", "check"])

    assert status == 0
    assert "valid" in capsys.readouterr().out


def test_kb_check_names_the_file_and_field_of_a_fault(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "kb"
    shutil.copytree(KB, broken)
    text = (
        (broken / "x1-4.md")
        .read_text()
        .replace("citation: IRM 8.6.1.4.X.1(4)", "citation: IRM 8.6.1.4.X.1(3)")
    )
    (broken / "x1-4.md").write_text(text)

    status = main(["kb", "check", "--path", str(broken)])

    out = capsys.readouterr().out
    assert status == 1
    assert "x1-4.md" in out and "citation" in out


def test_the_demo_prints_real_cited_answers(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["demo"])

    out = capsys.readouterr().out
    assert status == 0
    assert "IRM 8.6.1.4.X.1(4)" in out
    assert "IRM 8.6.1.4.X.1(5)(a)" in out
    assert "doesn't cover that" in out
    assert "clicks [1]" in out
    assert "⏰ Reminder 1 — case APL-26-0102" in out
    assert "🚨 Escalation — Alex Rivera's case APL-26-0103" in out
    assert "Enter CARATS code CO-TDC dated Mon Aug 31, 2026." in out
    assert "TFA case-file request — case APL-26-0104 (1/4 done)" in out
    assert "the dialog refuses it" in out
    assert "Alex Rivera confirmed the closing export for case APL-26-0101" in out


def test_a_date_that_is_not_one_says_which_form_to_use(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["audit", "export", "--since", "garbage"])

    assert stopped.value.code == 2
    assert "'garbage' is not a date; use the form 2026-12-01" in capsys.readouterr().err


def test_the_demo_refuses_a_store_it_would_replay_onto_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "demo.db"
    store.write_bytes(b"")

    status = main(["demo", "--db", str(store)])

    assert status == 2
    assert "already exists. The demo needs a fresh store" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["export", "closings"], ["audit", "export"], ["purge"]])
def test_reading_a_store_that_is_not_there_says_so_and_makes_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    status = main(command)

    assert status == 2
    assert "There is no store at var/smbot.db" in capsys.readouterr().err
    assert not (tmp_path / "var").exists()
