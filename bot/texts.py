"""Every sentence the bot shows a person, in one place so wording stays consistent.

Listeners, the console and the tests import from here; nothing user-visible is
composed elsewhere.
"""

from __future__ import annotations

from datetime import datetime

# --- usage and help -------------------------------------------------------

USAGE = "Usage: `/sm help` · `/sm ask QUESTION`"

HELP = (
    "*Secure Messaging assistant*\n"
    "• `/sm ask QUESTION` — what the Secure Messaging procedure says, with its citation.\n"
    "  You can also send me a direct message or mention me in a channel.\n"
    "• `/sm help` — this list."
)

EMPTY_ASK = "Ask a question after `ask`, for example `/sm ask when do I record CO-TDC?`"


def unknown_subcommand(word: str) -> str:
    """Answer a subcommand the bot does not know with the usage line."""
    return f"I don't know `{word}`. {USAGE}"


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
        f"🚨 *Escalation* — {ate}'s case *{case}*: a secure message that came in "
        f"{received} has waited {business_days(waited)} without a reply."
    )


def delivery_failed(person: str, case: str | None, error: str) -> str:
    """Tell a manager that a DM to someone on their team could not be delivered."""
    about = f" about case *{case}*" if case else ""
    return (
        f"⚠️ I couldn't deliver a message{about} to {person}: Slack answered `{error}`. "
        "Please make sure they hear of it, and check their Slack account."
    )


REPLIED_DONE = "Marked as replied. The clock on this case is stopped."


def replied_recorded(case: str, settled: int) -> str:
    """Confirm a reply was recorded."""
    if settled == 0:
        return f"Reply on *{case}* recorded. Nothing on that case was waiting for one."
    return f"Reply on *{case}* recorded; the clock stopped for {settled} waiting message(s)."


def received_recorded(case: str, due: str) -> str:
    """Confirm an inbound message was recorded."""
    return f"Secure message on *{case}* recorded. First reminder {due} if it is still unanswered."


def no_reply_recorded(reason: str) -> str:
    """Confirm a message was marked as needing no reply."""
    return f"Marked as needing no reply ({reason}). The clock on this message is stopped."


def already_settled(how: str, when_text: str) -> str:
    """Answer a click on a message that was settled before."""
    label = {"replied": "answered", "no_reply_needed": "marked as needing no reply"}.get(how, how)
    return f"Nothing to do: that message was already {label} {when_text}."


def snoozed(at: str) -> str:
    """Confirm a snooze."""
    return f"Snoozed. The next reminder comes {at}."


NO_REPLY_TITLE = "No reply needed"
NO_REPLY_LABEL = "Why does this message need no reply?"
NO_REPLY_HINT = "A few words, e.g. 'taxpayer only confirmed receipt'. No taxpayer data."
NO_REPLY_SUBMIT = "Stop the clock"
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
DEMO_ASK_HEADING = "== Procedure questions (/sm ask, a direct message, feedback) =="

CONSOLE_INTRO = (
    "Offline console. Type `/sm …` for a slash command, `@bot …` to mention the bot, or "
    "anything else as a direct message. A number clicks that button (3.2 picks option 2 of "
    "menu 3); a dialog asks for each field in turn. `:sweep` delivers the reminders that "
    "are due (record a message from days ago with `/sm received CASE WHEN`). `:as USER` acts as "
    "another person, `:who` lists the office, `:quit` leaves."
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
