"""Background jobs: long work (evaluation runs, document packages for many regions, audits of many
documents, dataset loads, national runs) run by a queue worker (RQ on Redis), tracked in the database
with the cycle it belongs to. Without ``ANJU_WEB_REDIS_URL`` a job runs at once in the request."""
