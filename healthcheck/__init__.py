"""healthcheck: the Social Work Health Check report, built from data into a Jupyter Book."""

__version__ = "0.1.0"
