# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY observatory ./observatory
COPY survey ./survey
COPY dashboards ./dashboards
COPY migrations ./migrations
RUN pip install . && useradd --create-home --uid 10001 observatory
USER observatory
EXPOSE 8000
# No gunicorn access log: it would write paths (place codes, kiosk credentials). The app logs
# each request by route template instead (logger observatory.access, docs/operations.md).
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "4", "observatory.wsgi:app"]
