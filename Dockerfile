# Horde Text Bot — python -m bot in a slim image, data in a volume, running as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATA_DIR=/app/data \
    DATABASE_URL=sqlite:////app/data/bot.db \
    HEARTBEAT_FILE=/app/data/heartbeat

WORKDIR /app

# Dependencies first, so source edits do not re-download them. The install is the same
# `pip install .` that `make run` performs.
COPY pyproject.toml README.md ./
RUN mkdir -p bot cogs && touch bot/__init__.py cogs/__init__.py \
    && pip install . \
    && pip uninstall -y horde-text-bot

COPY bot ./bot
COPY cogs ./cogs
RUN pip install --no-deps . \
    && useradd --create-home --uid 10001 horde \
    && mkdir -p /app/data && chown horde:horde /app/data

USER horde
VOLUME /app/data

# Healthy while the bot refreshes its heartbeat file (every 30 s while the gateway is up).
HEALTHCHECK --interval=60s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import os, sys, time; p = os.environ['HEARTBEAT_FILE']; sys.exit(0 if os.path.exists(p) and time.time() - os.path.getmtime(p) < 120 else 1)"

CMD ["python", "-m", "bot"]
