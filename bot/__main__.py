"""Allow `python -m bot`."""

from bot.cli import main

# Guarded: the answering worker process (bot.answering) imports this module again.
if __name__ == "__main__":
    raise SystemExit(main())
