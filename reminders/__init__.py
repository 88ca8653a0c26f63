"""Time: the business-hours clock, policies and scheduling. Knows nothing about Slack."""
