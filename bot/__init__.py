"""Secure Messaging assistant: assembly, settings, CLI, console, stand-in and answers."""
