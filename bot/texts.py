"""Every sentence the bot shows a person, in one place so wording stays consistent.

Listeners, the console and the tests import from here; nothing user-visible is
composed elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.mrkdwn import escape
from reminders.case_actions import CAR_ENTRY_NAMES

# --- usage and help -------------------------------------------------------

USAGE = "Usage: `/sm help` · `/sm ask QUESTION`"

HELP = (
    "*Secure Messaging assistant*\n"
    "• `/sm ask QUESTION` — what the Secure Messaging procedure says, with its citation "
    "(or send me a DM, or mention me).\n"
    "• `/sm received CASE [WHEN]` · `/sm replied CASE [WHEN]` — track a secure message and "
    "its reply; I remind you before a reply is late.\n"
    "• `/sm contact CASE phone|letter [resolved]` · `/sm discontinued CASE` — the CAR entries "
    "these call for.\n"
    "• `/sm tfa CASE` · `/sm poa CASE` — step-by-step checklists.\n"
    "• `/sm close CASE` — the closing-export confirmation.\n"
    "• `/sm case CASE` — everything I know about a case; "
    "`/sm case CASE origin lbi|tege|art|other [bmf]` records where it came from.\n"
    "• `/sm profile` — your eGain number, access and training; set them with "
    "`/sm profile egain NUMBER`, `access DATE`, `training DATE`, `supervisor-training DATE`.\n"
    "• `/sm invite [phone|letter]` — the invitation text for a taxpayer.\n"
    "• `/sm digest [full]` — your team's late and missing items (managers and admins); "
    "`/sm digest at 07:45`, `days mon-fri`, `on`, `off` set when yours comes.\n"
    "• `/sm help` — this list."
)

COMMAND_AS_MESSAGE = (
    "That reached me as a message, not as a command: Slack runs `/sm …` only when it is "
    "typed at the start of the message box and sent as the command. Try it again, or ask "
    "me your question in plain words."
)

EMPTY_ASK = "Ask a question after `ask`, for example `/sm ask when do I record CO-TDC?`"


def unknown_subcommand(word: str) -> str:
    """Answer a subcommand the bot does not know with the usage line."""
    shown = word if len(word) <= 40 else word[:39] + "…"
    return f"I don't know `{shown}`. {USAGE}"


def question_too_long(length: int, limit: int) -> str:
    """Refuse a question longer than the limit, saying how to fix it."""
    return (
        f"That question is {length:,} characters long; the limit is {limit:,}. "
        "Ask about one step of the procedure at a time."
    )


TAXPAYER_ID_REFUSED = (
    "That text looks like it contains a taxpayer identification number (SSN, ITIN or EIN). "
    "I did not keep it. Taxpayer data never goes into chat: refer to the case by its "
    "case number only, and ask again."
)

SLACK_FAILED = (
    "I couldn't post my answer because Slack returned an error. Please try again in a minute."
)

INTERNAL_ERROR = "Sorry, something went wrong on my side. It has been logged; please try again."

# --- timely replies -------------------------------------------------------

BUTTON_REPLIED = "Replied"
BUTTON_NO_REPLY = "No reply needed"
SNOOZE_PLACEHOLDER = "Snooze…"


def snooze_option(hours: int) -> str:
    """Label one snooze choice."""
    return f"{hours} working hour{'s' if hours != 1 else ''}"


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """Say a count with its noun in the right number (1 message, 2 messages)."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def day(calendar_day: Any) -> str:
    """Say a calendar date the way a person reads it: "Mon Sep 14, 2026"."""
    return f"{calendar_day:%a %b} {calendar_day.day}, {calendar_day.year}"


def business_days(days: float) -> str:
    """Say an amount of business days the way people do (1 business day, 2.5 business days)."""
    shown = f"{days:.1f}".rstrip("0").rstrip(".")
    return f"{shown} business day{'' if shown == '1' else 's'}"


def when(instant_local: datetime) -> str:
    """Show a local instant as e.g. Tue Dec 1, 09:40 CST."""
    return instant_local.strftime("%a %b %-d, %H:%M %Z")


def reminder(case: str, received: str, waited: float, level: int, next_step: str) -> str:
    """Remind an ATE of an unanswered secure message."""
    return (
        f"⏰ *Reminder {level}* — case *{case}*: a secure message came in {received} "
        f"and has waited {business_days(waited)} for a reply.\n{next_step}"
    )


def next_reminder(at: str) -> str:
    """Say when the next reminder comes."""
    return f"Next reminder: {at}."


def next_escalation(at: str) -> str:
    """Say when the manager hears of it."""
    return f"If it is still unanswered, your manager is told {at}."


NO_NEXT_STEP = "This is the last reminder before your manager is told."
ESCALATING_NOW = "It is overdue: your manager is being told now."


def escalation(ate: str, case: str, received: str, waited: float) -> str:
    """Tell a manager that a secure message on their team is late."""
    return (
        f"🚨 *Escalation* — {escape(ate)}'s case *{case}*: a secure message that came in "
        f"{received} has waited {business_days(waited)} without a reply."
    )


def delivery_failed(person: str, case: str | None, error: str) -> str:
    """Tell a manager that a DM to someone on their team could not be delivered."""
    about = f" about case *{case}*" if case else ""
    return (
        f"⚠️ I couldn't deliver a message{about} to {escape(person)}: Slack answered `{error}`. "
        "Please make sure they hear of it, and check their Slack account."
    )


REPLIED_DONE = "Marked as replied. The clock on this case is stopped."


def replied_recorded(case: str, settled: int, still_waiting: int = 0) -> str:
    """Confirm a reply was recorded, and say what on the case still waits (a message that
    came in after the reply's time)."""
    if settled == 0:
        done = f"Reply on *{case}* recorded. Nothing before it was waiting for one."
    else:
        stopped = counted(settled, "waiting message")
        done = f"Reply on *{case}* recorded; the clock stopped for {stopped}."
    if still_waiting:
        later = counted(still_waiting, "message", "messages")
        done += (
            f" {later} that came in after it still {'waits' if still_waiting == 1 else 'wait'}."
        )
    return done


def received_after_closing(case: str) -> str:
    """Warn that a message came in on a case whose closing export was already confirmed."""
    return (
        f"\n⚠️ The closing export of *{case}* was already confirmed: this message is not in "
        "the PDF attached in ACDS. Save and attach it too, or check the case number."
    )


def received_recorded(case: str, due: str | None, *, overdue: bool = False) -> str:
    """Confirm an inbound message was recorded, and say what happens next."""
    recorded = f"Secure message on *{case}* recorded."
    if due is None:
        return f"{recorded} A reply after it is already on record, so its clock is stopped."
    if overdue:
        return f"{recorded} Its first reminder is already due, so it goes out now."
    return f"{recorded} First reminder {due} if it is still unanswered."


def no_reply_recorded(reason: str) -> str:
    """Confirm a message was marked as needing no reply."""
    shown = escape(reason)
    return f"Marked as needing no reply ({shown}). The clock on this message is stopped."


def already_settled(how: str, when_text: str) -> str:
    """Answer a click on a message that was settled before."""
    label = {
        "replied": "answered",
        "no_reply_needed": "marked as needing no reply",
        "case_closed": "settled when the case was closed",
    }.get(how, how)
    return f"Nothing to do: that message was already {label} {when_text}."


def snoozed(at: str) -> str:
    """Confirm a snooze."""
    return f"Snoozed. The next reminder comes {at}."


NO_REPLY_TITLE = "No reply needed"
NO_REPLY_LABEL = "Why does this message need no reply?"
NO_REPLY_HINT = "A few words, e.g. 'taxpayer only confirmed receipt'. No taxpayer data."
NO_REPLY_SUBMIT = "Stop the clock"


def reason_too_long(limit: int) -> str:
    """Refuse a No-reply reason over the limit."""
    return f"Keep the reason under {limit} characters; a few words are enough."


NO_REPLY_EMPTY = "Give a short reason, e.g. 'acknowledgement only'."
CANCEL = "Cancel"
NOT_YOUR_MESSAGE = (
    "That message belongs to another ATE's case; only they or their manager can act on it."
)
UNKNOWN_MESSAGE = "I have no record of that message any more. Check `/sm case CASE`."
UNKNOWN_EMPLOYEE = (
    "You are not on the office roster yet, so I can't track cases for you. "
    "Ask an admin to add you (smbot roster import)."
)
USAGE_RECEIVED = "Usage: `/sm received CASE [WHEN]`, e.g. `/sm received APL-26-0001 09:40`"
USAGE_REPLIED = "Usage: `/sm replied CASE [WHEN]`, e.g. `/sm replied APL-26-0001 yesterday 15:10`"


# --- case actions (CAR entries, checklists, closing) ----------------------

BUTTON_RECORDED = "Recorded in CAR"
BUTTON_STEP_DONE = "Done"
BUTTON_CONFIRM_CLOSING = "Confirm closing export"

CAR_ENTRIES: dict[str, tuple[str, str, str]] = {
    "CO-TDC": (
        "Enter CARATS code *CO-TDC* dated *{date}*.",
        "When the taxpayer or representative starts a Secure Messaging conversation, its "
        "date goes in the CAR as CO-TDC (this office records the first secure message on a "
        "case either way); later messages take the other CARATS codes that fit.",
        "IRM 8.6.1.4.X.1(3)",
    ),
    "CO-TDW": (
        "Enter CARATS code *CO-TDW* dated *{date}*, the day they asked.",
        "A request to stop communicating through Secure Messaging is recorded with CO-TDW.",
        "IRM 8.6.1.4.X.1(4)",
    ),
    "SM-OFFERED": (
        "Note in the CAR that you offered Secure Messaging on the call of *{date}*, and review "
        "Publication 5437 with them (or point them to irs.gov/forms-instructions, or fax or "
        "mail it).",
        "A first contact by phone must include the Secure Messaging offer, documented in the CAR.",
        "IRM 8.6.1.4.X.1(1)(b)",
    ),
    "SM-NOT-OFFERED": (
        "Note in the CAR why Secure Messaging was not offered: the call of *{date}* fully "
        "resolved the case.",
        "No offer is needed when the first call settles the case, but the reason must be on "
        "record.",
        "IRM 8.6.1.4.X.1(1)(c)",
    ),
}

LETTER_CONTACT = (
    "Nothing to record for a first contact by letter: the initial contact letters already "
    "invite the taxpayer to Secure Messaging (IRM 8.6.1.4.X.1(1)(a))."
)


def car_prompt(
    case: str, code: str, date_text: str, repeat: bool, *, corrected: bool = False
) -> str:
    """Ask the ATE to make a CAR entry: what, dated when, and why (or to correct one whose
    date an earlier record, backfilled, has moved)."""
    what, why, citation = CAR_ENTRIES[code]
    opener = "Reminder: still to record" if repeat else "To record in the CAR"
    if corrected:
        opener = "Correction: an earlier message turned up"
        why = f"an entry made with a later date should be changed to this one. {why}"
    return (
        f"📝 *{opener}* — case *{case}*\n{what.format(date=date_text)}\n_Why:_ {why} ({citation})"
    )


def car_name(code: str) -> str:
    """Name a CAR entry as people know it (a CARATS code, or what the note is about)."""
    return CAR_ENTRY_NAMES.get(code, code)


def car_recorded(code: str, when_text: str) -> str:
    """Confirm that a CAR entry was marked as recorded."""
    return f"✅ {car_name(code)} marked as recorded in the CAR ({when_text})."


def car_already(code: str, when_text: str) -> str:
    """Answer a second click on a CAR prompt."""
    return f"Nothing to do: {car_name(code)} was already marked as recorded {when_text}."


CAR_PROMPT_COMING = "I'll send you what to record in the CAR."


def discontinued_recorded(case: str) -> str:
    """Confirm a request to stop using Secure Messaging was recorded."""
    return (
        f"Request to stop using Secure Messaging on *{case}* recorded. "
        "I'll send you the CO-TDW entry."
    )


def discontinued_already(case: str) -> str:
    """Answer a second discontinuation on a case."""
    return (
        f"Nothing new: a request to stop using Secure Messaging on *{case}* is already recorded."
    )


def checklist_sent(title: str, case: str) -> str:
    """Say where the checklist went."""
    return (
        f"The {title} checklist for *{case}* is in your direct messages with me; tick steps there."
    )


def contact_recorded(case: str, method: str) -> str:
    """Confirm the initial contact was recorded."""
    return f"First contact on *{case}* by {method} recorded."


CHECKLIST_TITLES = {"tfa": "TFA case-file request", "poa": "POA revocation"}
CHECKLIST_STEPS: dict[str, dict[str, str]] = {
    "tfa": {
        "a": "Upload Letter 6271 to ACDS — *signed but undated*, addressed to whoever asked for "
        "the file — before you submit the STARS request. Letter 6270 is not needed: files sent "
        "through Secure Messaging need no password. (X.1(5)(a))",
        "b": "Fill in the STARS request following the TFA File Request instructions, with "
        "*Secure Messaging* as the delivery method (you will send the file yourself); don't "
        "submit it yet. (X.1(5)(b))",
        "c": "Attach the completed TFA File Request to the STARS Service Request, then submit "
        "the request to STARS. (X.1(5)(c))",
        "d": "When the redactor has put the redacted file and Letter 6271 in ACDS, send both "
        "through Secure Messaging; change the letter's date to the day you send it if needed. "
        "(X.1(5)(d))",
    },
    "poa": {
        "access": "Remove the representative's access to the taxpayer's messages, following the "
        "POA Revocation Instructions on the Secure Messaging page of the Appeals website. "
        "(X.1(6))",
    },
}


def checklist_heading(kind: str, case: str, done: int, total: int) -> str:
    """Head a checklist message."""
    return f"{CHECKLIST_TITLES[kind]} — case {case} ({done}/{total} done)"


def checklist_step_done(step: str, text: str, who: str, when_text: str) -> str:
    """Show a ticked step."""
    label = f"({step}) " if len(step) == 1 else ""
    return f"✅ {label}{text}\n_done by {who}, {when_text}_"


def checklist_step_open(step: str, text: str) -> str:
    """Show a step still to do."""
    label = f"({step}) " if len(step) == 1 else ""
    return f"☐ {label}{text}"


def checklist_complete(kind: str, case: str) -> str:
    """Close a finished checklist."""
    return f"🎉 {CHECKLIST_TITLES[kind]} on *{case}* is complete."


def checklist_stalled(kind: str, case: str, step: str, days: float, text: str) -> str:
    """Remind the ATE of a checklist step that has not moved."""
    label = f"step ({step})" if len(step) == 1 else "its step"
    return (
        f"⏳ The {CHECKLIST_TITLES[kind]} on case *{case}* has waited {business_days(days)} "
        f"at {label}:\n{text}"
    )


def checklist_step_already(when_text: str) -> str:
    """Answer a click on a step ticked before."""
    return f"Nothing to do: that step was already ticked {when_text}."


GROUP_MAILBOX_HINT = (
    "💡 This is a business (BMF) case from LB&I, TE/GE or Art Appraisal: the business support "
    "staff (BSP) can set up a customer group mailbox in Secure Messaging so several authorized "
    "people can use it. See the Secure Messaging page on the Appeals website. "
    "(IRM 8.6.1.4.X.1(7))"
)


def origin_recorded(case: str, origin: str, business: bool) -> str:
    """Confirm the case's origin was recorded."""
    kind = "business (BMF) entity" if business else "case"
    return f"Recorded: *{case}* is a {kind} from {ORIGIN_NAMES.get(origin, origin)}."


ORIGIN_NAMES = {
    "lbi": "LB&I",
    "tege": "TE/GE",
    "art": "Art Appraisal",
    "other": "another function",
}
USAGE_CONTACT = "Usage: `/sm contact CASE phone|letter [resolved] [WHEN]`"
USAGE_DISCONTINUED = "Usage: `/sm discontinued CASE [WHEN]`"
USAGE_CASE = (
    "Usage: `/sm case CASE` to see it, or `/sm case CASE origin lbi|tege|art|other [bmf]` to "
    "record where it came from"
)
USAGE_CHECKLIST = "Usage: `/sm tfa CASE` or `/sm poa CASE`"
USAGE_CLOSE = "Usage: `/sm close CASE`"

CLOSING_TITLE = "Closing export"
CLOSING_SUBMIT = "Confirm"
CLOSING_ITEMS: dict[str, str] = {
    "pdf_saved": "I saved a PDF of all Secure Messaging communication on this case",
    "attached_in_acds": "I attached that PDF to the case in ACDS",
    "closed_in_sm": "I closed the case in Secure Messaging",
}
CLOSING_ITEM_MISSING = "Tick this before the case goes to closing (IRM 8.6.1.4.X.1(8))."
CLOSING_NOTE_LABEL = "Note (no taxpayer data)"
CLOSING_WARNINGS = {
    "unanswered": "⚠️ A secure message on this case is still waiting for a reply.",
    "co-tdc": "⚠️ CO-TDC has not been marked as recorded in the CAR.",
}


def closing_prompt(case: str) -> str:
    """Ask for the closing export when a case goes to closing."""
    return (
        f"📦 Case *{case}* is going to closing. Before it goes to your manager, save a PDF of "
        "all Secure Messaging communication, attach it in ACDS, close the case in Secure "
        "Messaging, and confirm here. (IRM 8.6.1.4.X.1(8))"
    )


def closing_confirmed(case: str, when_text: str) -> str:
    """Confirm the closing export was stored."""
    return f"✅ Closing export for *{case}* confirmed ({when_text}). Your manager has been told."


def closing_already(case: str, who: str, when_text: str) -> str:
    """Answer a second closing confirmation."""
    return f"Nothing to do: the closing export for *{case}* was confirmed by {who} {when_text}."


def note_too_long(limit: int) -> str:
    """Refuse a note over the limit."""
    return f"Keep the note under {limit} characters."


def closing_to_manager(ate: str, case: str, note: str | None, unanswered: int = 0) -> str:
    """Tell the manager a closing export was confirmed (and what was left unanswered)."""
    extra = f"\nNote: {escape(note)}" if note else ""
    if unanswered:
        extra += (
            f"\n⚠️ {counted(unanswered, 'secure message')} on the case had no reply when it "
            "was closed; closing stopped their reminders."
        )
    return (
        f"✅ {escape(ate)} confirmed the closing export for case *{case}*: PDF of all Secure "
        "Messaging "
        f"saved, attached in ACDS, case closed in Secure Messaging.{extra}"
    )


# --- /sm case -------------------------------------------------------------

CASE_MESSAGES = "*Secure messages*"
CASE_NO_MESSAGES = "_No secure messages recorded._"


def case_earlier_messages(hidden: int) -> str:
    """Count the settled history left out of a case summary."""
    return f"_{counted(hidden, 'earlier message')} (all settled) not shown._"


CASE_CAR = "*CAR entries*"


def case_heading(number: str, owner: str, case: Any) -> str:
    """Head the case summary: owner, first contact, origin."""
    facts = [f"ATE: {escape(owner)}"]
    if case.contact_method:
        facts.append(f"first contact by {case.contact_method}")
    if case.origin:
        business = " (BMF)" if case.business_entity else ""
        facts.append(f"from {ORIGIN_NAMES.get(case.origin, case.origin)}{business}")
    return f"*Case {number}* — " + ", ".join(facts)


def case_message_line(message: Any, shown: Callable[[datetime], str], upcoming: Any) -> str:
    """Show one secure message and where it stands."""
    if message.direction == "out":
        return f"• ↗ reply {shown(message.at)}"
    if message.settled_at is not None:
        how = {
            "replied": "answered",
            "no_reply_needed": "no reply needed",
            "case_closed": "case closed",
        }.get(message.settled_how, message.settled_how)
        note = f" ({escape(message.settled_note)})" if message.settled_note else ""
        return f"• ↘ in {shown(message.at)} — {how} {shown(message.settled_at)}{note}"
    step = f"; next: {upcoming.kind} {shown(upcoming.due_at)}" if upcoming else ""
    return f"• ↘ in {shown(message.at)} — *waiting for a reply*{step}"


def case_car_line(prompt: Any, shown: Callable[[datetime], str]) -> str:
    """Show one CAR entry and whether it was recorded."""
    state = (
        f"recorded {shown(prompt.confirmed_at)}" if prompt.confirmed_at else "*not yet recorded*"
    )
    return f"• {car_name(prompt.code)} dated {day(prompt.record_date)} — {state}"


def case_checklist_line(kind: str, done: int, total: int) -> str:
    """Show a checklist's progress."""
    return f"• {CHECKLIST_TITLES[kind]}: {done}/{total} steps done"


def case_closing_line(case: Any, closing: Any, shown: Callable[[datetime], str]) -> str:
    """Show where the closing export stands."""
    if closing is not None:
        return f"*Closing export*: confirmed {shown(closing.confirmed_at)}"
    if case.closing_at is not None:
        return f"*Closing export*: *not yet confirmed* (closing since {shown(case.closing_at)})"
    return ""


# --- digests ----------------------------------------------------------------

DIGEST_SECTIONS = {
    "overdue": "*Replies waiting past a reminder*",
    "escalations": "*Escalations since the last digest*",
    "car": "*CAR entries not confirmed after 2 business days*",
    "closing": "*Cases in closing without the export confirmation*",
    "checklists": "*TFA and POA checklists stalled*",
    "readiness": "*Readiness gaps*",
    "questions": "*Questions the bot could not answer*",
    "feedback": "*Answers marked not helpful*",
}
DIGEST_SHORT = {  # what each section's count counts: (one, several)
    "overdue": ("overdue", "overdue"),
    "escalations": ("escalated", "escalated"),
    "car": ("CAR entry", "CAR entries"),
    "closing": ("closing", "closings"),
    "checklists": ("stalled checklist", "stalled checklists"),
    "readiness": ("readiness gap", "readiness gaps"),
    "questions": ("unanswered question", "unanswered questions"),
    "feedback": ("👎", "👎"),
}
DIGEST_ALL_CLEAR = "✅ All clear: nothing is late or missing."
DIGEST_NOT_FOR_ATES = (
    "Digests are for managers (their team) and admins (the office). "
    "Your own open items are on the bot's Home tab."
)
USAGE_DIGEST = (
    "Usage: `/sm digest` for a preview, `/sm digest full` for every item; "
    "`/sm digest at 07:45`, `/sm digest days mon-fri`, `/sm digest on|off` to set yours"
)


def digest_preferences(enabled: bool, at: str, days: str) -> str:
    """Confirm a manager's digest settings."""
    if not enabled:
        return "Your daily digest is off. `/sm digest on` turns it back on."
    return f"Your daily digest comes at {at} your time on {days}, skipping holidays."


def digest_title(name: str, office: bool, day: datetime) -> str:
    """Title a digest."""
    whose = "Office" if office else f"{name}'s team"
    return f"Daily digest — {whose}, {day:%a %b} {day.day}"


def digest_totals(counts: dict[str, int]) -> str:
    """Put the totals first."""
    parts = [counted(n, *DIGEST_SHORT[name]) for name, n in counts.items() if n]
    return f"*{sum(counts.values())} to look at:* " + " · ".join(parts)


def digest_fallback(title: str, total: int, counts: dict[str, int]) -> str:
    """Give the plain-text version a notification shows."""
    return f"{title}: {DIGEST_ALL_CLEAR}" if total == 0 else f"{title}. {digest_totals(counts)}"


def digest_item(owner: str, case: str | None, what: str, age: float, level: int | None) -> str:
    """Show one digest line: whose, which case, what, how old."""
    where = f" — {case}" if case else ""
    step = f", level {level}" if level else ""
    old = f", {business_days(age)}" if age else ""
    return f"• {escape(owner)}{where} — {what}{step}{old}"


def digest_more(hidden: int) -> str:
    """Count the items left out."""
    return f"_…and {hidden} more — `/sm digest full` lists them all._"


def digest_continued(heading: str) -> str:
    """Head the continuation of a long section."""
    return f"{heading} _(continued)_"


def digest_footer(when: datetime) -> str:
    """Say when the digest was composed."""
    return f"As of {when:%a %b} {when.day}, {when:%H:%M %Z}. `/sm digest full` for every item."


def digest_full_sent(messages: int) -> str:
    """Say the full digest went to the DMs."""
    return f"The full digest is in your direct messages with me ({counted(messages, 'message')})."


def quote(text: str, limit: int = 160) -> str:
    """Quote what someone typed, briefly, so that Slack shows it as typed (no mentions or
    links of its own)."""
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return f"“{escape(shown)}”"


# --- App Home -------------------------------------------------------------

HOME_TITLE = "Your open items"
HOME_NOT_ON_ROSTER = (
    "You are not on the office roster yet, so there are no cases here for you. You can "
    "still ask me what the procedure says: `/sm ask …` or a direct message. To have your "
    "cases tracked, ask an admin to add you with `smbot roster import`."
)
HOME_NOTHING_OPEN = (
    "✅ Nothing open: no message waits for a reply, no CAR entry or checklist is pending."
)
HOME_MESSAGES = "*Secure messages waiting for a reply*"
HOME_CAR = "*CAR entries to record*"
HOME_CHECKLISTS = "*Open checklists*"


def home_message(case: str, received: str, due: str | None) -> str:
    """Show one waiting message on the Home tab."""
    step = f" · next reminder {due}" if due else ""
    return f"*{case}* — came in {received}{step}"


def home_more(hidden: int) -> str:
    """Count the items a Home section left out."""
    return f"_…and {hidden:,} more; `/sm case CASE` shows any one case in full._"


def home_car(case: str, code: str, on: str) -> str:
    """Show one pending CAR entry on the Home tab."""
    return f"*{case}* — {car_name(code)} dated {on}"


def home_checklist(kind: str, case: str, step: str) -> str:
    """Show one open checklist and its next step."""
    label = f"next: step ({step})" if len(step) == 1 else "to confirm"
    return f"*{case}* — {CHECKLIST_TITLES[kind]}, {label}"


# --- roster, readiness, profile, invite -----------------------------------

ROSTER_COLUMNS = ("user", "name", "role", "manager", "tz", "job_series", "egain")
ROSTER_EMPTY = (
    "The roster file is empty. Its first row names the columns: "
    "user,name,role,manager,tz,job_series,egain; then one row per person."
)


def roster_missing_columns(missing: list[str]) -> str:
    """Refuse a roster file whose header lacks required columns."""
    return (
        f"The roster file has no {', '.join(missing)} column. Its first row must name the "
        "columns: user,name,role,manager,tz,job_series,egain (manager, tz, job_series and "
        "egain may be left empty)."
    )


def line_problem(number: int, reason: str) -> str:
    """Name a refused line of an input file and why."""
    return f"line {number}: {reason}"


def not_utf8_text(path: object, line: int | None) -> str:
    """Refuse an input file that is neither UTF-8 nor UTF-16 with a byte-order mark."""
    where = f" (line {line} has a character that isn't)" if line else ""
    return (
        f"{path} is not UTF-8 text{where}, and I don't guess encodings. Save it as UTF-8 and "
        "try again: in Excel, File → Save As → 'CSV UTF-8 (Comma delimited)'; in another "
        "editor or program, choose the UTF-8 encoding. (UTF-16 with a byte-order mark is "
        "read too.)"
    )


ROSTER_NO_USER = "the user column is empty: give the Slack user id (U…) or the email address"
ROSTER_NO_NAME = "the name column is empty"
ROSTER_OWN_MANAGER = (
    "a person can't be their own manager; leave manager empty for the top of the chain"
)


def roster_bad_user(value: str) -> str:
    """Refuse a user cell that is neither a Slack id nor an email address."""
    return f"'{value}' is neither a Slack user id (like U0ABC) nor an email address"


def roster_name_control(character: str) -> str:
    """Refuse a name with a line break (a quoted cell over several lines) or a control code."""
    if character in "\n\r\v\f\x85\u2028\u2029":
        return "the name runs over more than one line; write it on one line"
    return f"the name holds a control character (U+{ord(character):04X}); remove it"


def roster_unknown_role(value: str) -> str:
    """Refuse an unknown role."""
    shown = f"'{value}'" if value else "(empty)"
    return f"unknown role {shown}; use ate, manager or admin"


def roster_bad_zone(value: str) -> str:
    """Refuse a time zone that is not an IANA name."""
    return f"unknown time zone '{value}'; use an IANA name like America/Chicago"


def roster_bad_egain(value: str) -> str:
    """Refuse a malformed eGain number."""
    return f"eGain number '{value}' is not 3 to 10 digits"


def roster_egain_taken(egain: str, holder: str) -> str:
    """Refuse an eGain number someone else already has."""
    return f"eGain number {egain} already belongs to {holder}; each person has their own"


def roster_bad_series(value: str) -> str:
    """Refuse a job series that is not a series number."""
    return f"job series '{value}' is not a series number like 0930"


def roster_duplicate(user_id: str, lines: list[int]) -> str:
    """Refuse every row of a person listed more than once."""
    listed = ", ".join(str(n) for n in lines)
    return f"{user_id} is on more than one row (lines {listed}); keep one row per person"


def roster_unknown_manager(manager: str) -> str:
    """Refuse a manager who is neither in the file nor on the roster."""
    return f"unknown manager {manager}: not in this file and not on the roster"


def roster_manager_rejected(manager: str, line: int) -> str:
    """Refuse a row whose manager's own row was rejected."""
    return f"manager {manager} is on line {line}, which was rejected; fix that row first"


def roster_egain_twice(egain: str, lines: list[int]) -> str:
    """Refuse rows that give two people the same eGain number."""
    listed = ", ".join(str(n) for n in lines)
    return f"eGain number {egain} is given to more than one person (lines {listed})"


def roster_not_a_manager(manager: str, role: str) -> str:
    """Refuse a manager cell that names someone who is not a manager."""
    return f"{manager} is on the roster as {role}, not as a manager"


def roster_still_manages(person: str, role: str, reports: list[str]) -> str:
    """Refuse taking a manager's role away while people on the roster still report to them."""
    more = len(reports) - 5
    shown = ", ".join(reports[:5]) + (f" and {more:,} more" if more > 0 else "")
    verb, whom = ("reports", "them") if len(reports) == 1 else ("report", "each of them")
    return (
        f"{person} can't be made {role} while {shown} still {verb} to them; give {whom} "
        "another manager first (a row in this same file will do)"
    )


def roster_cycle(chain: list[str]) -> str:
    """Refuse a row whose management chain comes back to the person."""
    return f"the management chain loops back: {' → '.join(chain)}"


def roster_email_needs_token(email: str) -> str:
    """Refuse an email when there is no Slack token to look it up with."""
    return (
        f"{email} is an email address, and without SLACK_BOT_TOKEN I can't look it up in "
        "Slack; give the Slack user id (U…) or set SLACK_BOT_TOKEN"
    )


def roster_email_unknown(email: str) -> str:
    """Refuse an email no Slack user has."""
    return f"no Slack user has the email {email}"


def roster_email_failed(email: str, error: str) -> str:
    """Refuse an email Slack could not look up just now."""
    return f"couldn't look up {email} in Slack ({error}); run the import again later"


def roster_manager_problem(reason: str) -> str:
    """Prefix a problem found in the manager column."""
    return f"manager: {reason}"


def roster_zone_fallback(user_id: str, zone: str) -> str:
    """Say that a person got the office zone because neither the file nor Slack had one."""
    return f"{user_id}: no time zone in the file or in Slack; using the office zone {zone}"


def roster_summary(added: int, updated: int, rejected: int) -> str:
    """Sum up a roster import."""
    done = f"{counted(added, 'employee')} added, {updated:,} updated"
    return f"{done}, {counted(rejected, 'row')} rejected." + (
        " Fix the rejected rows and import the file again." if rejected else ""
    )


READINESS_CITATION = "IRM 8.6.1.4.X(2)"
GAP_LABELS = {
    "job_series": "Job series",
    "access": "Secure Messaging access",
    "user_training": "User training",
    "supervisor_training": "Supervisor training",
    "egain": "eGain number",
}
GAP_ADVICE = {
    "job_series": "it isn't on the roster, so I can't tell whether the readiness rule covers "
    "you. Ask an admin to add it (`smbot roster import`).",
    "access": "request access to Secure Messaging (the Secure Messaging page on the Appeals "
    "website says how), then record the date: `/sm profile access YYYY-MM-DD`.",
    "user_training": "take the Secure Messaging User Training courses, then record the date: "
    "`/sm profile training YYYY-MM-DD`.",
    "supervisor_training": "as a manager you also take the Supervisor Secure Messaging Training "
    "courses; then record the date: `/sm profile supervisor-training YYYY-MM-DD`.",
    "egain": "add the eGain number taxpayers use to reach you: `/sm profile egain NUMBER`.",
}

USAGE_PROFILE = (
    "Usage: `/sm profile` to see yours, or set one item: `/sm profile egain NUMBER`, "
    "`/sm profile access DATE`, `/sm profile training DATE`, "
    "`/sm profile supervisor-training DATE` (DATE: 2026-11-02, today or yesterday)"
)
ROLE_NAMES = {"ate": "ATE", "manager": "manager", "admin": "admin"}
PROFILE_NOT_RECORDED = "_not recorded_"
PROFILE_TODO = f"*Still to do* ({READINESS_CITATION}):"
PROFILE_READY = f"✅ Everything {READINESS_CITATION} asks of you is on record."
PROFILE_SUPERVISOR_ONLY = (
    "Only managers record the supervisor training. If you now supervise a team, ask an admin "
    "to update your role on the roster."
)
PROFILE_EGAIN_TAKEN = (
    "That eGain number is already on file for someone else. Check the number; if it is "
    "yours, ask an admin to correct the roster."
)


def profile_heading(name: str, role: str, series: str | None) -> str:
    """Head a person's profile: name, role and job series."""
    shown = f", job series {series}" if series else ", job series not on file"
    role_name = ROLE_NAMES.get(role, role)
    return f"*Your Secure Messaging profile* — {escape(name)} ({role_name}{shown})"


def profile_item(label: str, value: str | None) -> str:
    """Show one item of a profile."""
    return f"• {label}: {value or PROFILE_NOT_RECORDED}"


def gap_missing(code: str) -> str:
    """Name a readiness gap as what is missing, for the digest."""
    return f"{GAP_LABELS[code].lower().replace('egain', 'eGain')} missing"


def profile_gap(code: str) -> str:
    """Show one readiness gap and what to do about it."""
    return f"• *{GAP_LABELS[code]}* — {GAP_ADVICE[code]}"


def profile_not_covered(series: str | None) -> str:
    """Say that the readiness rule does not apply to this person."""
    which = f"job series {series} is" if series else "role is"
    return (
        f"Your {which} not one {READINESS_CITATION} covers, so access, training and an "
        "eGain number are not required of you (you may still record them)."
    )


def profile_saved(label: str, value: str) -> str:
    """Confirm a profile item was saved."""
    return f"✅ {label} saved: {value}."


def profile_bad_egain(value: str) -> str:
    """Refuse a malformed eGain number typed in chat."""
    return (
        f"'{value}' is not an eGain number: it is 3 to 10 digits, e.g. `/sm profile egain 40123`."
    )


def profile_bad_date(value: str) -> str:
    """Refuse a date that could not be read."""
    return (
        f"I couldn't read '{value}' as a date. Use a date like 2026-11-02 (or 11/02/2026), "
        "today or yesterday."
    )


def profile_too_early(day: date, earliest: date) -> str:
    """Refuse a date before Secure Messaging existed in Appeals."""
    return (
        f"{day:%Y-%m-%d} is before Secure Messaging came to Appeals; check the year "
        f"(dates from {earliest:%Y-%m-%d} on are taken)."
    )


def profile_future_date(day: date) -> str:
    """Refuse a date that has not happened yet."""
    return f"{day:%Y-%m-%d} is in the future. Record the date once it has happened."


USAGE_INVITE = "Usage: `/sm invite` (both), `/sm invite phone` or `/sm invite letter`"
INVITE_NO_EGAIN = (
    "The invitation gives the taxpayer your eGain number, and I don't have it yet. "
    "Add it with `/sm profile egain NUMBER`, then ask again."
)
INVITE_SOURCE = "📖 Source: IRM 8.6.1.4.X(3) and 8.6.1.4.X.1(2)"


def invite_phone(egain: str) -> str:
    """A short script an ATE reads out to invite someone to Secure Messaging."""
    return (
        "📞 *To read out on the call*\n"
        f"“You can write to me through Secure Messaging. My eGain number is {egain}. "
        "Go to irs.gov/connect, register and verify who you are, then start a message to me "
        "with that number. If you have trouble registering or signing in with ID.me, "
        "help.id.me can help.”\n"
        "After the call, note the offer in the CAR: `/sm contact CASE phone` "
        "(IRM 8.6.1.4.X.1(1)(b))."
    )


def invite_letter(egain: str) -> str:
    """A paragraph an ATE pastes into a letter or email to invite someone to Secure Messaging."""
    return (
        "✉️ *To paste into your letter*\n"
        "> You are welcome to communicate with me through the IRS Secure Messaging service. "
        "To start, visit www.irs.gov/connect, register and verify your identity, and then "
        f"begin a conversation with me using my eGain number, {egain}. If you run into "
        "problems registering or signing in with ID.me, help is available at help.id.me."
    )


def replay_too_far(at: str, days: int) -> str:
    """Refuse a replay line far past the timeline's start (a mistyped year, most likely)."""
    return (
        f"field 'at': {at} is more than {days} days after the replay's first event; "
        "check the year (a replay covers one stretch of time)"
    )


def no_store(path: str) -> str:
    """Refuse to read a store that is not there."""
    return (
        f"There is no store at {path}. Run this in the folder the bot runs in, or set "
        "DATABASE_URL to its store."
    )


def import_held(held: int) -> str:
    """Say how many overdue DMs an import held back, and where they show instead."""
    return (
        f"{counted(held, 'reminder or prompt', 'reminders and prompts')} already overdue "
        "in this history were not sent as DMs; they show in managers' digests and on Home "
        "tabs, and later steps go out as usual. `--notify-overdue` sends them."
    )


def import_in_future(at: datetime) -> str:
    """Refuse an imported line dated after now."""
    return (
        f"field 'at': {at.isoformat()} is in the future; an import holds what already "
        "happened (check the date, or send live events to the webhook)"
    )


def import_progress(lines: int) -> str:
    """Report how far an import has got."""
    return f"{counted(lines, 'line')} read so far…"


def import_summary(read: int, applied: int, repeated: int, refused: int) -> str:
    """Sum up an import so that it adds up: applied, already seen and refused make the lines."""
    why = {0: "", 1: " (its event id was imported before)"}.get(
        repeated, " (their event ids were imported before)"
    )
    return (
        f"{counted(read, 'line')} read: {counted(applied, 'event')} applied, "
        f"{repeated:,} already seen{why}, {refused:,} refused."
    )


def purge_future_cutoff(day: date, today: date) -> str:
    """Refuse a purge cut-off later than today."""
    return (
        f"--closed-before {day:%Y-%m-%d} is later than today ({today:%Y-%m-%d}); purge only "
        "removes cases closed before a day that has come. Give today's date or an earlier one."
    )


def purge_summary(removed: int, day: date, kept: int = 0) -> str:
    """Say what a purge removed, and how many closed cases it kept for later activity."""
    done = f"Removed the data of {counted(removed, 'case')} closed before {day:%Y-%m-%d}"
    if kept:
        verb = "was" if kept == 1 else "were"
        done += (
            f"; {counted(kept, 'case')} closed before then {verb} kept, as a secure message, "
            "CAR prompt or checklist on it is dated after that day"
        )
    return f"{done}; the audit log is kept."


# --- smbot replay -----------------------------------------------------------

# What each setting of a replay `config` line takes, and an example value as JSON.
REPLAY_SETTINGS: dict[str, tuple[str, str]] = {
    "reminder_days": (
        "a list of business days before each reminder, rising, all before escalation_days",
        "[1, 2]",
    ),
    "escalation_days": ("a number of business days after the last reminder, at most 60", "3"),
    "snooze_hours": ("a list of whole working hours from 1 to 40", "[1, 2, 4]"),
    "work_start": ("a time of day as HH:MM", '"08:00"'),
    "work_end": ("a time of day as HH:MM, later than work_start", '"16:30"'),
    "work_days": ("working days like mon-fri or mon,wed,fri", '"mon-fri"'),
    "office_tz": ("an IANA time zone", '"America/New_York"'),
    "executive_closures": ("true or false", "false"),
}


def replay_bad_setting(name: str, given: str) -> str:
    """Refuse one config setting: what it takes, an example, and what the line gave."""
    expects, example = REPLAY_SETTINGS[name]
    return f'config: {name} must be {expects}, e.g. "{name}": {example} (the line gives {given})'


def replay_settings_clash(names: list[str], reason: str) -> str:
    """Refuse config settings that are each fine alone but do not fit together."""
    examples = ", ".join(f'"{name}": {REPLAY_SETTINGS[name][1]}' for name in names)
    return f"config: {' and '.join(names)} do not fit together ({reason}); e.g. {examples}"


def replay_unknown_setting(name: str) -> str:
    """Refuse a config setting the replay does not know."""
    return f"config: unknown setting {name!r}; the settings are {', '.join(REPLAY_SETTINGS)}"


def replay_manager_cycle(chain: list[str]) -> str:
    """Refuse employee lines whose managers go round in a circle."""
    return (
        f"field 'manager': the managers go round in a circle ({' → '.join(chain)}); "
        "the person at the top of the chain has no manager"
    )


def replay_backfill(at: str, clock: str) -> str:
    """Warn about a line whose time is earlier than the replay's clock."""
    return (
        f"warning: {at} is earlier than the replay's clock ({clock}); the line is applied as "
        "a backfill, and what it makes due before the clock is sent now"
    )


def replay_summary(applied: int, refused: int, warned: int, notifications: int) -> str:
    """Close a replay: lines applied and refused, warnings, notifications printed."""
    return (
        f"Replay done: {counted(applied, 'line')} applied, {counted(refused, 'line')} refused, "
        f"{counted(warned, 'warning')}; {counted(notifications, 'notification')}."
    )


# --- demo and console -----------------------------------------------------


def demo_banner(people: int) -> str:
    """Open the demo."""
    return (
        "Secure Messaging assistant — offline demo\n"
        f"A sample appeals office of {people} people, a local Slack stand-in and a fresh "
        "SQLite store. Everything below is what the bot sent, as each person would see it."
    )


DEMO_FORTNIGHT_HEADING = (
    "== A fortnight of secure messages around Labor Day (simulated clock) ==\n"
    "Platform events arrive; reminders, escalations and clicks follow, each at its instant."
)
DEMO_DIGEST_HEADING = "== Monday 08:30: the digest Dana Whitfield finds in her DMs =="
DEMO_ASK_HEADING = "== Procedure questions (/sm ask, a direct message, feedback) =="


def demo_store_exists(path: str) -> str:
    """Refuse to replay the demo onto a store it already ran on."""
    return (
        f"{path} already exists. The demo needs a fresh store: give a new file with --db, "
        "or leave --db out to use a temporary one."
    )


CONSOLE_INTRO = (
    "Offline console. Type `/sm …` for a slash command, `@bot …` to mention the bot, or "
    "anything else as a direct message. A number clicks that button (3.2 picks option 2 of "
    "menu 3); a dialog asks for each field in turn. What an action makes due at once (a CAR "
    "prompt, an overdue reminder) is delivered right away; `:sweep` delivers what has come "
    "due since (record a message from days ago with `/sm received CASE WHEN`). `:as USER` "
    "acts as another person, `:who` lists the office, `:quit` leaves."
)

CONSOLE_META_USAGE = "Console commands: `:as USER`, `:who`, `:sweep`, `:quit`."


def console_acting_as(name: str, user_id: str) -> str:
    """Say who the console speaks as."""
    return f"You are now {name} ({user_id})."


def console_no_button(number: int) -> str:
    """Say that no shown button has this number."""
    return f"There is no button [{number}] on the last message. Pick one of the numbers shown."


def console_pick_option(*, number: int, labels: list[str]) -> str:
    """List a menu's options and how to pick one."""
    listed = "  ".join(f"[{number}.{n}] {label}" for n, label in enumerate(labels, start=1))
    return f"Pick an option: {listed}"


def console_dialog_refused(problem: str) -> str:
    """Show why a dialog refused its input."""
    return f"The dialog says: {problem} Click the button again to retry."


def console_unknown_person(user_id: str) -> str:
    """Refuse to act as someone not in the sample office."""
    return f"{user_id} is not in the sample office. Use one of the ids `:who` lists, e.g. U0ATE1."


# --- answer layout --------------------------------------------------------

BUTTON_HELPFUL = "👍 Helpful"
FEEDBACK_UNKNOWN = "That answer is no longer on record, so I couldn't store your vote. Ask again?"
BUTTON_UNHELPFUL = "👎 Not helpful"


def citation_line(citation: str) -> str:
    """Name the paragraph an answer comes from."""
    return f"📖 Source: {citation}"


def related_line(related: list[tuple[str, str]]) -> str:
    """List related sections as title and citation."""
    return "Related: " + " · ".join(f"{title} ({citation})" for title, citation in related)


# --- answers ---------------------------------------------------------------

from datetime import date  # noqa: E402 - kept inside this section on purpose

FEEDBACK_THANKS_UP = "Thanks — glad that helped."
FEEDBACK_THANKS_DOWN = "Thanks — your feedback goes to the people who keep the procedure text."

NOT_COVERED = (
    "The Secure Messaging procedure doesn't cover that, so I won't guess. "
    "For help, see the *Secure Messaging page* on the Appeals website, "
    "raise the question through your management chain, "
    "or follow *How to Contact an Analyst* (memo AP-08-0824-0017, Contact)."
)


def expired_notice(expires: date) -> str:
    """Warn that the guidance behind an answer has passed its expiration date."""
    return (
        f"⚠️ This guidance expired on {expires:%B} {expires.day}, {expires.year}. "
        "Check IRM 8.6.1 for the current procedure."
    )


def glossary_definition(term: str, expansion: str, meaning: str) -> str:
    """Define a glossary term; arguments are already escaped for mrkdwn."""
    if expansion.lower() == term.lower():
        return f"*{term}*: {meaning}"
    return f"*{term}* stands for *{expansion}*.\n{meaning}"


def glossary_definition_unconfirmed(term: str, expansion: str, meaning: str) -> str:
    """Define a term the memo does not spell out; arguments are already escaped for mrkdwn."""
    return (
        f"The memo does not spell out *{term}*. It is usually read as *{expansion}*, "
        "but that is not the memo's own wording.\n"
        f"{meaning}"
    )


# --- small talk, and `smbot ask` --------------------------------------------

GREETING_REPLY = (
    "Hi! Ask me what the Secure Messaging procedure says, for example "
    "`/sm ask when do I record CO-TDC?`, or type `/sm help` for everything I can do."
)

THANKS_REPLY = (
    "You're welcome! Ask me anything else about the Secure Messaging procedure, "
    "or type `/sm help` for everything I can do."
)

ASK_NO_QUESTION = "give a question, or - to read one question per line from standard input"

ASK_EMPTY_LINE = "This line has no question."

ASK_EXIT_STATUS = (
    "Exit status: 0 when every question was answered or found not covered; 1 when a line of "
    "standard input was refused (its output line says why, in --json under 'error'); "
    "2 when the one question given is refused or missing."
)
