# The floorwatch image: one image for every floorwatch service (worker, simulator, ingest),
# chosen by the command (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Services run as an unprivileged user; only its data folder is writable.
RUN groupadd --system --gid 10001 floorwatch \
 && useradd --system --uid 10001 --gid floorwatch --home-dir /home/floorwatch --create-home floorwatch \
 && install -d -o floorwatch -g floorwatch /var/lib/floorwatch

WORKDIR /src
# Dependencies first, at the exact versions the test suite ran with (constraints.txt) and
# without the dev extras, so a code change does not reinstall them.
COPY pyproject.toml constraints.txt ./
RUN pip install --constraint constraints.txt \
    $(python -c "import tomllib; print(' '.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))")
COPY README.md ./
COPY floorwatch ./floorwatch
COPY streams ./streams
COPY services ./services
COPY dashboards ./dashboards
COPY deploy ./deploy
RUN pip install --no-deps . \
 && rm -rf /src

USER floorwatch
WORKDIR /home/floorwatch
# The worker's /metrics and /health (FLOORWATCH_WEB_PORT).
EXPOSE 6066
CMD ["floorwatch", "worker"]
