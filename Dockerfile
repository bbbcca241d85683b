# model-catalog: one image for the migrate job, the API and the scheduler.
# Python 3.11: the version requirements*.lock is resolved and tested for.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    CATALOG_LOG_FORMAT=json

WORKDIR /app
# The runtime dependencies at the pins (and hashes) the test suite passed with.
COPY requirements-runtime.lock ./
RUN pip install --require-hashes -r requirements-runtime.lock
COPY pyproject.toml README.md alembic.ini ./
COPY catalog ./catalog
COPY harvesters ./harvesters
COPY api ./api
COPY migrations ./migrations
RUN pip install --no-deps . && useradd --create-home --uid 10001 catalog
USER catalog

EXPOSE 8000
# The services set their command: `catalog db upgrade`, `catalog serve`, `catalog scheduler`.
CMD ["catalog", "serve", "--host", "0.0.0.0", "--port", "8000"]
