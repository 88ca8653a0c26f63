"""Every sentence the bot shows a person, in one place so wording stays consistent.

Listeners, the console and the tests import from here; nothing user-visible is
composed elsewhere.
"""

from __future__ import annotations

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

# --- demo and console -----------------------------------------------------


def demo_banner(people: int) -> str:
    """Open the demo."""
    return (
        "Secure Messaging assistant — offline demo\n"
        f"A sample appeals office of {people} people, a local Slack stand-in and a fresh "
        "SQLite store. Everything below is what the bot sent, as each person would see it."
    )


DEMO_ASK_HEADING = "== Procedure questions (/sm ask, a direct message, feedback) =="

CONSOLE_INTRO = (
    "Offline console. Type `/sm …` for a slash command, `@bot …` to mention the bot, or "
    "anything else as a direct message. A number clicks that button. `:as USER` acts as "
    "another person, `:who` lists the office, `:quit` leaves."
)

CONSOLE_META_USAGE = "Console commands: `:as USER`, `:who`, `:quit`."


def console_acting_as(name: str, user_id: str) -> str:
    """Say who the console speaks as."""
    return f"You are now {name} ({user_id})."


def console_no_button(number: int) -> str:
    """Say that no shown button has this number."""
    return f"There is no button [{number}] on the last message. Pick one of the numbers shown."


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
        f":warning: This guidance expired on {expires:%B} {expires.day}, {expires.year}. "
        "Check IRM 8.6.1 for the current procedure."
    )


def glossary_definition(term: str, expansion: str, meaning: str) -> str:
    """Define a glossary term; arguments are already escaped for mrkdwn."""
    if expansion.lower() == term.lower():
        return f"*{term}*: {meaning}"
    return f"*{term}* stands for *{expansion}*.\n{meaning}"
