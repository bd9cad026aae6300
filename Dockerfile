# The floorwatch image: one image for every floorwatch service (worker, simulator, ingest),
# chosen by the command (see docker-compose.yml and deploy/helm/floorwatch).
#
# Two stages: the first builds a virtual environment; the final image holds that environment
# and the Python runtime only, no pip, setuptools or build cache, and runs as uid 10001.

FROM python:3.11-slim AS build

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/floorwatch
WORKDIR /src
# Dependencies first, at the exact versions the test suite ran with (constraints.txt) and
# without the dev extras, so a code change does not reinstall them.
COPY pyproject.toml constraints.txt ./
RUN /opt/floorwatch/bin/pip install --constraint constraints.txt \
    $(python -c "import tomllib; print(' '.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))")
COPY README.md ./
COPY floorwatch ./floorwatch
COPY streams ./streams
COPY services ./services
COPY dashboards ./dashboards
COPY deploy ./deploy
# Not editable: the package is copied into the environment, then the installers leave it.
RUN /opt/floorwatch/bin/pip install --no-deps . \
 && /opt/floorwatch/bin/pip uninstall --yes pip setuptools wheel \
 && find /opt/floorwatch -name '__pycache__' -prune -exec rm -rf {} +


FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/floorwatch/bin:$PATH

# Services run as an unprivileged user; only its data folder is writable (Kubernetes mounts
# an emptyDir there and at /tmp over a read-only root filesystem). The base image's own pip
# and setuptools go too: nothing is installed at run time.
RUN groupadd --system --gid 10001 floorwatch \
 && useradd --system --uid 10001 --gid floorwatch --home-dir /home/floorwatch --create-home floorwatch \
 && install -d -o floorwatch -g floorwatch /var/lib/floorwatch \
 && python -m pip uninstall --yes --root-user-action=ignore pip setuptools wheel \
 && rm -rf /root/.cache

COPY --from=build /opt/floorwatch /opt/floorwatch

# Numeric, so Kubernetes' runAsNonRoot can verify it without a passwd lookup.
USER 10001:10001
WORKDIR /home/floorwatch
# The worker's /metrics and /health (FLOORWATCH_WEB_PORT).
EXPOSE 6066
CMD ["floorwatch", "worker"]
