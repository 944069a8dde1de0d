"""One ninja router per area of the API; :mod:`anju_web.api.api` mounts them all."""
