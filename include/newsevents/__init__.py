"""newsevents: news articles to an event data set.

Stages, one module each, data flowing one way:
``sources`` → ``clean`` → ``dedupe`` → ``events`` → ``lake``.
``pipeline`` wires them over staged Parquet files for the CLI and the Airflow DAGs;
``schema`` defines every record and lake table.
"""

__version__ = "0.1.0"
