"""A typed async client for the AI Horde v2 text API; it does not import discord.

``from bot.horde import HordeClient``; models and errors are re-exported here.
"""

from bot.horde._base import ANONYMOUS_API_KEY, DEFAULT_BASE_URL, DEFAULT_CLIENT_AGENT
from bot.horde._generation import ProgressCallback, SubmitOptions
from bot.horde.client import SEED_RESOURCES, HordeClient
from bot.horde.errors import (
    Forbidden,
    GenerationFaulted,
    GenerationTimeout,
    HordeError,
    HordeUnavailable,
    HordeValidationError,
    InvalidAPIKey,
    KudosError,
    MaintenanceMode,
    NotFound,
    RateLimited,
    TooManyPrompts,
)
from bot.horde.models import (
    ActiveModel,
    GenerationKobold,
    GenerationMetadataKobold,
    GenerationPayloadKobold,
    Heartbeat,
    HordeModes,
    HordePerformance,
    IPTimeout,
    KudosTransferred,
    ModelPayloadKobold,
    Newspiece,
    RequestAsync,
    RequestStatusCheck,
    RequestStatusKobold,
    SimpleResponse,
    TeamDetails,
    UserDetails,
    WorkerDetails,
)
from bot.horde.params import ModelGenerationInputKobold

__all__ = [
    "ANONYMOUS_API_KEY",
    "DEFAULT_BASE_URL",
    "DEFAULT_CLIENT_AGENT",
    "SEED_RESOURCES",
    "ActiveModel",
    "Forbidden",
    "GenerationFaulted",
    "GenerationKobold",
    "GenerationMetadataKobold",
    "GenerationPayloadKobold",
    "GenerationTimeout",
    "Heartbeat",
    "HordeClient",
    "HordeError",
    "HordeModes",
    "HordePerformance",
    "HordeUnavailable",
    "HordeValidationError",
    "IPTimeout",
    "InvalidAPIKey",
    "KudosError",
    "KudosTransferred",
    "MaintenanceMode",
    "ModelGenerationInputKobold",
    "ModelPayloadKobold",
    "Newspiece",
    "NotFound",
    "ProgressCallback",
    "RateLimited",
    "RequestAsync",
    "RequestStatusCheck",
    "RequestStatusKobold",
    "SimpleResponse",
    "SubmitOptions",
    "TeamDetails",
    "TooManyPrompts",
    "UserDetails",
    "WorkerDetails",
]
