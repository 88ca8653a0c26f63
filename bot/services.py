"""What every listener needs, built once and passed into the app factory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine

from bot.answers import AnswerEngine
from bot.settings import Settings
from bot.work import WorkTracker
from models.db import utcnow


@dataclass
class Services:
    """Settings, the store, the answer engine, the clock and the work tracker."""

    settings: Settings
    engine: Engine
    answers: AnswerEngine
    clock: Callable[[], datetime] = utcnow
    work: WorkTracker = field(default_factory=WorkTracker)
