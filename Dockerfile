# watcher daemon image: slim, non-root, configuration mounted read-only, data on a volume.
#
#   docker build -t watcher .
#   docker run -d --name watcher \
#     -e WATCHER_USER_AGENT="Your Organisation you@your-domain.example" \
#     -v "$PWD/config.yaml:/etc/watcher/config.yaml:ro" \
#     -v watcher-data:/var/lib/watcher \
#     watcher
#
# The HEALTHCHECK runs `watcher health`: it reads the same config, asks the daemon's own
# /healthz on server.listen (a wildcard address is reached on loopback) with the bearer token
# from server.token_env, and exits 0 (healthy) or 1 (unhealthy, or no answer).
# `docker stop` sends SIGTERM: in-flight filings get server.shutdown_grace (30 s) to finish,
# so give the container more than that (docker stop -t 45; compose: stop_grace_period).
# Several instances sharing PostgreSQL: compose.yaml.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY watcher ./watcher
# Every dependency ships wheels (lxml, psycopg-binary): no compiler in either stage.
RUN python -m venv /opt/watcher && /opt/watcher/bin/pip install .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/watcher/bin:$PATH \
    WATCHER_CONFIG=/etc/watcher/config.yaml \
    XDG_CACHE_HOME=/var/lib/watcher/cache
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/watcher \
        --shell /usr/sbin/nologin watcher \
    && mkdir -p /var/lib/watcher /etc/watcher \
    && chown watcher:watcher /var/lib/watcher
COPY --from=build /opt/watcher /opt/watcher
# A working default (SQLite on the volume, endpoint on loopback); mount yours over it, :ro.
COPY config.yaml /etc/watcher/config.yaml
USER watcher:watcher
WORKDIR /var/lib/watcher
VOLUME ["/var/lib/watcher"]
EXPOSE 8787
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["watcher", "health", "--timeout", "5"]
CMD ["watcher", "run"]
