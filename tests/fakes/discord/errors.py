"""Discord's REST error answers: raised by the fake's handlers, sent as JSON by the server."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answer of the REST API (raised by handlers, turned into JSON by the server)."""

    def __init__(
        self, status: int, code: int, message: str, errors: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors is not None:
            data["errors"] = self.errors
        return data


def unknown(what: str) -> ApiError:
    codes = {"Channel": 10003, "Message": 10008, "User": 10013, "Webhook": 10015}
    return ApiError(404, codes.get(what, 0), f"Unknown {what}")


def missing_access() -> ApiError:
    """What Discord answers when the bot calls a channel or guild it is not in."""
    return ApiError(403, 50001, "Missing Access")
