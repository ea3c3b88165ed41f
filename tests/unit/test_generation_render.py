"""The pure rendering of /generate replies."""

from __future__ import annotations

import dataclasses

from bot.generation import (
    ErrorInfo,
    ErrorKind,
    Generation,
    JobKind,
    JobPhase,
    JobSnapshot,
    JobState,
)
from bot.ui.generation_render import (
    CONTENT_LIMIT,
    EMBED_DESCRIPTION_LIMIT,
    EMBEDS_TOTAL_LIMIT,
    MAX_EMBEDS,
    Buttons,
    RequestFacts,
    describe_job_error,
    render,
)

FACTS = RequestFacts(prompt="Once upon a time", n=1, models=("koboldcpp/x",))
T0 = 1_800_000_000.0


def snap(phase: JobPhase, **changes: object) -> JobSnapshot:
    running = {
        JobPhase.QUEUED_IN_BOT: JobState.PENDING,
        JobPhase.SUBMITTING: JobState.PENDING,
        JobPhase.WAITING_FOR_HORDE: JobState.PENDING,
        JobPhase.QUEUED_ON_HORDE: JobState.SUBMITTED,
        JobPhase.PROCESSING: JobState.SUBMITTED,
    }
    state = running[phase] if phase in running else JobState(phase.value)
    base = JobSnapshot(
        job_id=7,
        kind=JobKind.GENERATE,
        state=state,
        phase=phase,
        bot_position=None,
        queue_position=None,
        wait_time=None,
        is_possible=True,
        kudos=0.0,
        finished=0,
        processing=0,
        waiting=1,
        generations=(),
        error=None,
        created_at=T0,
        submitted_at=None,
        finished_at=None,
        eta=None,
        horde_id=None,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def gen(text: str, **changes: object) -> Generation:
    return dataclasses.replace(
        Generation(text=text, model="koboldcpp/x", worker_name="w1"),
        **changes,  # type: ignore[arg-type]
    )


def test_bot_queue_position_is_shown() -> None:
    out = render(snap(JobPhase.QUEUED_IN_BOT, bot_position=3), FACTS)
    assert "#3 in line" in out.content
    assert out.buttons is Buttons.RUNNING


def test_waiting_for_an_unreachable_horde_says_it_goes_out_by_itself() -> None:
    out = render(snap(JobPhase.WAITING_FOR_HORDE, bot_position=1), FACTS)
    assert "The AI Horde cannot be reached right now" in out.content
    assert "goes out by itself as soon as the Horde is back" in out.content
    assert "error" not in out.content.lower()
    assert out.buttons is Buttons.RUNNING  # it can still be cancelled


def test_horde_queue_position_and_eta_are_discord_timestamps() -> None:
    out = render(snap(JobPhase.QUEUED_ON_HORDE, queue_position=12, eta=T0 + 90.4), FACTS)
    assert "position 12" in out.content
    assert f"ETA <t:{int(T0 + 90.4)}:R>" in out.content
    assert f"started <t:{int(T0)}:R>" in out.content


def test_impossible_request_shows_a_warning_while_running() -> None:
    out = render(snap(JobPhase.QUEUED_ON_HORDE, is_possible=False), FACTS)
    assert "No worker on the Horde can serve this request" in out.content


def test_same_snapshot_renders_equal_and_a_new_position_does_not() -> None:
    first = render(snap(JobPhase.QUEUED_ON_HORDE, queue_position=4), FACTS)
    assert first == render(snap(JobPhase.QUEUED_ON_HORDE, queue_position=4), FACTS)
    assert first != render(snap(JobPhase.QUEUED_ON_HORDE, queue_position=3), FACTS)


def test_done_shows_text_model_worker_and_kudos() -> None:
    out = render(snap(JobPhase.DONE, generations=(gen("Hello there"),), kudos=9.5), FACTS)
    (embed,) = out.embeds
    assert embed.description == "Hello there"
    assert embed.footer == "koboldcpp/x · worker w1 · 9.5 kudos"
    assert embed.title is None
    assert out.attachment is None
    assert out.buttons is Buttons.FINISHED_WITH_TEXT


def test_several_generations_are_labelled() -> None:
    facts = dataclasses.replace(FACTS, n=3)
    gens = (gen("a"), gen("b"), gen("c"))
    out = render(snap(JobPhase.DONE, generations=gens), facts)
    assert [e.title for e in out.embeds] == ["1/3", "2/3", "3/3"]


def test_censored_generation_is_marked() -> None:
    out = render(snap(JobPhase.DONE, generations=(gen("", state="censored"),)), FACTS)
    assert out.embeds[0].title is not None
    assert "Censored" in out.embeds[0].title
    assert out.embeds[0].description == "*(empty)*"


def test_text_over_an_embed_goes_to_a_file_with_a_preview() -> None:
    text = "x" * (EMBED_DESCRIPTION_LIMIT + 1)
    out = render(snap(JobPhase.DONE, generations=(gen(text),)), FACTS)
    assert out.attachment is not None
    assert out.attachment.filename == "generation-7.txt"
    assert text in out.attachment.text
    assert len(out.embeds[0].description) <= 1000


def test_many_generations_fit_the_message_limits() -> None:
    gens = tuple(gen(f"{i} " + "y" * 900) for i in range(15))
    out = render(snap(JobPhase.DONE, generations=gens), dataclasses.replace(FACTS, n=15))
    assert out.attachment is not None
    assert len(out.embeds) == MAX_EMBEDS
    assert sum(e.size() for e in out.embeds) <= EMBEDS_TOTAL_LIMIT
    assert all(f"{i} " in out.attachment.text for i in range(15))
    assert "10 of 15" in out.content


def test_content_never_exceeds_discords_limit() -> None:
    facts = RequestFacts(prompt="p" * 6000)
    out = render(snap(JobPhase.QUEUED_IN_BOT), facts)
    assert len(out.content) <= CONTENT_LIMIT


def test_cancelled_with_partial_text_says_so() -> None:
    out = render(snap(JobPhase.CANCELLED, generations=(gen("half"),)), FACTS)
    assert "Cancelled" in out.content
    assert "Partial result" in out.content
    assert out.embeds[0].description == "half"


def test_failed_without_text_offers_regenerate_but_not_continue() -> None:
    error = ErrorInfo(ErrorKind.MAINTENANCE, "Horde is in maintenance", "MaintenanceMode")
    out = render(snap(JobPhase.FAILED, error=error), FACTS)
    assert "maintenance mode" in out.content
    assert out.buttons is Buttons.FINISHED


def test_kudos_upfront_suggests_what_to_do() -> None:
    text = describe_job_error(ErrorInfo(ErrorKind.KUDOS, "needs kudos", "KudosUpfront"))
    assert "`max_length`" in text
    assert "/login" in text


def test_corrupt_prompt_is_explained() -> None:
    text = describe_job_error(ErrorInfo(ErrorKind.VALIDATION, "bad", "CorruptPrompt"))
    assert "against its terms of use" in text


def test_validation_error_names_the_problem() -> None:
    text = describe_job_error(ErrorInfo(ErrorKind.VALIDATION, "softprompt: too short", None))
    assert "softprompt: too short" in text


def test_expiry_of_an_impossible_request_says_no_worker_could_serve_it() -> None:
    error = ErrorInfo(ErrorKind.EXPIRED, "gone", "RequestNotFound")
    assert "No worker" in describe_job_error(error, was_possible=False)
    assert "expired" in describe_job_error(error, was_possible=True)


def test_unreadable_stored_key_keeps_the_bots_own_words() -> None:
    error = ErrorInfo(ErrorKind.INVALID_API_KEY, "Please `/login` again.", None)
    assert describe_job_error(error) == "Please `/login` again."
