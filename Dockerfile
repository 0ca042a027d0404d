FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TRACKER_DATABASE_URL=sqlite:////data/tracker.db \
    TRACKER_FEEDS=/app/feeds.yaml

WORKDIR /app

# Dependencies in a layer of their own: it changes only when pyproject.toml does. The image
# carries the articles extra, so that a mounted feeds.yaml may use fetch_articles.
COPY pyproject.toml README.md ./
# hadolint ignore=DL3013
RUN mkdir tracker && touch tracker/__init__.py \
    && pip install --no-cache-dir '.[articles]' \
    && pip uninstall --yes tracker \
    && rm -rf tracker

COPY alembic.ini feeds.yaml ./
COPY tracker ./tracker
RUN pip install --no-cache-dir --no-deps . \
    && useradd --create-home --uid 10001 tracker \
    && mkdir /data && chown tracker /data

USER 10001
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["tracker", "serve", "--host", "0.0.0.0", "--port", "8000"]
