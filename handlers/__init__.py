"""The chat surface: slash commands, buttons, modals and events, each with register(app)."""
