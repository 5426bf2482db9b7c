# watcher daemon image. Build: docker build -t watcher .
# Run:   docker run -e WATCHER_USER_AGENT="Org you@example.com" \
#          -v $PWD/config.yaml:/etc/watcher/config.yaml:ro -v watcher-data:/var/lib/watcher watcher
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY watcher ./watcher
RUN pip install . && useradd --system --uid 10001 --home /var/lib/watcher watcher \
    && mkdir -p /var/lib/watcher /etc/watcher && chown watcher /var/lib/watcher

USER watcher
WORKDIR /var/lib/watcher
VOLUME ["/var/lib/watcher"]
ENV WATCHER_CONFIG=/etc/watcher/config.yaml
CMD ["watcher", "run"]
