"""Trimming to the context window, continuing a reply, and cutting replies at stops."""

from __future__ import annotations

from bot.chat.formats import CHATML, MISTRAL, PLAIN
from bot.chat.prompt import CHARS_PER_TOKEN, ChatTurn, build_prompt, estimate_tokens, trim_reply

PERSONA = "You are a patient tutor who explains things simply."


def _turns(count: int) -> list[ChatTurn]:
    turns = []
    for number in range(count):
        turns.append(ChatTurn("user", "alice", f"question {number} " + "x" * 60))
        turns.append(ChatTurn("assistant", "Tutor", f"answer {number} " + "y" * 60))
    return turns


def test_oldest_turns_are_dropped_to_fit_the_budget() -> None:
    built = build_prompt(CHATML, PERSONA, _turns(10), bot_name="Tutor", budget_tokens=200)
    assert estimate_tokens(built.prompt) <= 200
    assert built.dropped > 0
    assert "question 0 " not in built.prompt
    assert "answer 9 " in built.prompt


def test_persona_is_kept_whatever_the_budget() -> None:
    built = build_prompt(CHATML, PERSONA, _turns(10), bot_name="Tutor", budget_tokens=60)
    assert built.prompt.startswith(f"<|im_start|>system\n{PERSONA}<|im_end|>\n")


def test_kept_turns_are_the_newest_in_order() -> None:
    turns = _turns(10)
    built = build_prompt(CHATML, PERSONA, turns, bot_name="Tutor", budget_tokens=300)
    kept = turns[-built.kept :]
    positions = [built.prompt.index(t.text) for t in kept]
    assert positions == sorted(positions)
    assert built.kept + built.dropped == len(turns)


def test_newest_turn_too_long_alone_is_cut_at_its_start() -> None:
    turns = [ChatTurn("user", "alice", "old stuff " * 200 + "THE QUESTION")]
    built = build_prompt(CHATML, PERSONA, turns, bot_name="Tutor", budget_tokens=80)
    assert len(built.prompt) <= 80 * CHARS_PER_TOKEN
    assert "THE QUESTION" in built.prompt
    assert PERSONA in built.prompt


def test_everything_fits_when_the_budget_allows() -> None:
    built = build_prompt(CHATML, PERSONA, _turns(3), bot_name="Tutor", budget_tokens=10_000)
    assert built.dropped == 0
    assert "question 0 " in built.prompt


def test_persona_of_a_format_without_system_role_opens_the_first_kept_user_turn() -> None:
    built = build_prompt(MISTRAL, PERSONA, _turns(10), bot_name="Tutor", budget_tokens=200)
    assert built.prompt.startswith(f"<s>[INST] {PERSONA}\n\nalice: question ")
    assert built.prompt.count(PERSONA) == 1


def test_continue_ends_inside_the_last_reply() -> None:
    turns = [ChatTurn("user", "alice", "Count"), ChatTurn("assistant", "Bot", "One, two,")]
    built = build_prompt(CHATML, "", turns, bot_name="Bot", budget_tokens=1000, continue_last=True)
    assert built.prompt.endswith("<|im_start|>assistant\nOne, two,")


def test_plain_transcript_stops_at_the_speakers_names() -> None:
    built = build_prompt(PLAIN, "", _turns(1), bot_name="Tutor", budget_tokens=1000)
    assert built.stop_sequences == ("\nalice:",)


def test_reply_is_cut_at_the_first_stop() -> None:
    text = "Paris is the capital.<|im_end|>\n<|im_start|>user\nalice: thanks"
    assert trim_reply(text, ("<|im_start|>", "<|im_end|>")) == "Paris is the capital."


def test_reply_loses_an_echoed_bot_name() -> None:
    assert trim_reply("Tutor: Sure thing.\nalice: ok", ("\nalice:",), bot_name="Tutor") == (
        "Sure thing."
    )


def test_reply_without_stops_is_only_stripped() -> None:
    assert trim_reply("  plain answer \n", ()) == "plain answer"


def test_token_estimate_rounds_up() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("abcd") == 2
