"""Markdown from the Horde renders but never pings, and is cut without breaking a link."""

from __future__ import annotations

from bot.ui.safe_markdown import neutralise_mentions, plain, safe_markdown


def test_mentions_are_broken_and_links_kept() -> None:
    text = "Hi @everyone and @Here, <@123> <@!4> <@&5> see [site](https://aihorde.net) **now**"
    out = neutralise_mentions(text)
    for mention in ("@everyone", "@Here", "<@123>", "<@!4>", "<@&5>"):
        assert mention not in out
    assert "[site](https://aihorde.net) **now**" in out


def test_an_email_address_is_left_alone() -> None:
    assert neutralise_mentions("mail db0@aihorde.net") == "mail db0@aihorde.net"


def test_a_cut_never_leaves_half_a_link() -> None:
    text = "Read " + "word " * 10 + "[the announcement](https://aihorde.net/a/very/long/path)"
    out = safe_markdown(text, 70)
    assert len(out) <= 70
    assert out.endswith("…")
    assert "[" not in out
    assert "](" not in out


def test_short_text_is_unchanged() -> None:
    assert safe_markdown("  *short* [x](https://e.org) ", 100) == "*short* [x](https://e.org)"


def test_plain_escapes_markdown_and_mentions() -> None:
    out = plain("**bold** @everyone")
    assert out.startswith("\\*\\*bold\\*\\*")
    assert "@everyone" not in out
