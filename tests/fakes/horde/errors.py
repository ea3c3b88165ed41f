"""The Horde's error shapes: ``{"message", "rc"}`` and flask-restx payload validation."""

from __future__ import annotations

from aiohttp import web


class HordeError(Exception):
    """A Horde error answer: HTTP status plus ``rc`` (shape 1 of horde-api.md)."""

    def __init__(self, status: int, rc: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.rc = rc
        self.message = message

    def response(self) -> web.Response:
        return web.json_response({"message": self.message, "rc": self.rc}, status=self.status)


class PayloadValidationError(Exception):
    """A payload validation failure: 400 with ``errors`` and no ``rc`` (shape 2)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("Input payload validation failed")
        self.errors = errors

    def response(self) -> web.Response:
        body = {"message": "Input payload validation failed", "errors": self.errors}
        return web.json_response(body, status=400)


def missing_header(name: str) -> PayloadValidationError:
    return PayloadValidationError({name: "Missing required parameter in the HTTP headers"})


def invalid_key() -> HordeError:
    return HordeError(
        401,
        "InvalidAPIKey",
        "No user matching sent API Key. Have you remembered to register at "
        "https://aihorde.net/register ?",
    )


def not_moderator() -> HordeError:
    return HordeError(403, "NotModerator", "You are not a moderator of this Horde.")


def not_found(rc: str, what: str) -> HordeError:
    return HordeError(404, rc, f"{what} not found.")


def html_page(status: int, title: str, text: str) -> web.Response:
    """An HTML error page, as flask (unknown route) or a proxy (502/503/504) sends."""
    body = (
        "<!doctype html>\n<html lang=en>\n"
        f"<title>{status} {title}</title>\n<h1>{title}</h1>\n<p>{text}</p>\n"
    )
    return web.Response(status=status, text=body, content_type="text/html")


def rate_limited(message: str, retry_after: int) -> web.Response:
    """The rate limiter's 429: ``{"message": "2 per 1 second"}``, Retry-After, no rc (shape 3)."""
    return web.json_response(
        {"message": message}, status=429, headers={"Retry-After": str(max(1, retry_after))}
    )
