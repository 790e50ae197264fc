# Production image: gunicorn + WhiteNoise for the web, the same image for Celery.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=khuyencong.settings.production

# Pango for WeasyPrint; Node.js/npm only to fetch the front-end packages at build time.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 nodejs npm \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY . .
RUN bin/vendor python \
 && rm -rf node_modules \
 && DJANGO_SECRET_KEY=build-only DATABASE_URL=postgres://build@localhost/build \
    REDIS_URL=redis://localhost:6379/0 python manage.py collectstatic --noinput

RUN useradd --create-home --uid 1000 portal && mkdir -p /data/media && chown portal /data/media
USER portal
ENV MEDIA_ROOT=/data/media \
    CELERY_BEAT_SCHEDULE_FILENAME=/tmp/celerybeat-schedule

EXPOSE 8000
CMD ["gunicorn", "khuyencong.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
