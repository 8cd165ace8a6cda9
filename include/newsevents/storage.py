"""Where bytes live: local paths and S3-compatible stores behind one pyarrow filesystem.

The bottom layer with ``settings``: the sources read inputs through it and the lake writes
its tables through it, so neither depends on the other for how to reach S3. pyarrow is
imported only when a filesystem is opened: the DAG files import this module and must parse
fast (importing pyarrow.fs takes over a second).
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlparse

if TYPE_CHECKING:
    import pyarrow.fs as pafs

S3_SCHEME = "s3://"


@dataclass(frozen=True)
class S3Options:
    """How to reach an S3-compatible store (from an Airflow connection or the environment)."""

    endpoint_url: str | None = None
    access_key: str | None = None
    secret_key: str | None = None
    region: str | None = None

    def filesystem(self) -> pafs.S3FileSystem:
        import pyarrow.fs as pafs

        scheme, endpoint = None, None
        if self.endpoint_url:
            parsed = urlparse(self.endpoint_url)
            scheme, endpoint = parsed.scheme or "https", parsed.netloc or parsed.path
        return pafs.S3FileSystem(
            access_key=self.access_key,
            secret_key=self.secret_key,
            region=self.region or "us-east-1",
            endpoint_override=endpoint,
            scheme=scheme or "https",
            allow_bucket_creation=False,
        )

    def __repr__(self) -> str:  # never print the secret
        return f"S3Options(endpoint_url={self.endpoint_url!r}, access_key=***, secret_key=***)"


def s3_options_from_env() -> S3Options:
    """S3 settings from the standard AWS variables (the CLI's equivalent of a connection)."""
    return S3Options(
        endpoint_url=os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL"),
        access_key=os.environ.get("AWS_ACCESS_KEY_ID"),
        secret_key=os.environ.get("AWS_SECRET_ACCESS_KEY"),
        region=os.environ.get("AWS_DEFAULT_REGION"),
    )


def open_filesystem(uri: str, s3: S3Options | None = None) -> tuple[pafs.FileSystem, str]:
    """A pyarrow filesystem and the path inside it for a local path or an ``s3://`` URI."""
    import pyarrow.fs as pafs

    if uri.startswith(S3_SCHEME):
        return (s3 or S3Options()).filesystem(), uri[len(S3_SCHEME) :].rstrip("/")
    if "://" in uri:
        raise ValueError(f"unsupported lake URI {uri!r}: use a local path or s3://bucket/prefix")
    return pafs.LocalFileSystem(), posixpath.abspath(uri)
