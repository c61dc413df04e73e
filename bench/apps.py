from django.apps import AppConfig


class BenchConfig(AppConfig):
    """`manage.py bench`: time the main pages on a large synthetic data set. No models,
    no URLs in the site: its one view is reachable only from the bench's own urlconf."""

    name = "bench"
    verbose_name = "Benchmark"
