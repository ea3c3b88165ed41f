"""/chat without Discord: instruct formats, prompt building, the model reference, queues.

- :mod:`bot.chat.formats` — ``InstructFormat`` data for ChatML, Alpaca, Vicuna, Mistral,
  Llama 2, Llama 3, Gemma, Metharme, Command-R, Phi-3, Zephyr; ``find_format(name)`` (any
  spelling, family variants), ``strip_backend(model)``, ``PLAIN`` (``Name: text``).
- :mod:`bot.chat.prompt` — ``build_prompt(fmt, system, turns, bot_name=, budget_tokens=,
  continue_last=) -> BuiltPrompt(prompt, stop_sequences, kept, dropped)``: oldest turns
  dropped to fit, persona never cut; ``trim_reply(text, stops, bot_name=)``.
- :mod:`bot.chat.reference` — ``ModelReference(url, clock=).lookup(model) -> ModelInfo``
  (instruct format + recommended settings from the Horde's text model reference, cached).
- :mod:`bot.chat.capacity` — ``WorkerCapacity(workers).for_model(model)``: the context
  size and reply length most of the model's workers accept.
- :mod:`bot.chat.service` — ``ChatService``: per-conversation queues (stored pending
  turns), one generation at a time through the engine (``JobKind.CHAT``), ``finish`` stores
  the reply; the Discord side implements ``ReplyDriver``.
- :mod:`bot.chat.personas`, :mod:`bot.chat.transcript` — persona validation, ``.txt`` export.
"""
