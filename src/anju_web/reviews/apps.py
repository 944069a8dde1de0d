from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "anju_web.reviews"
    label = "reviews"
    verbose_name = "评价与复核"
