"""The author's preview: the site and the email previews served locally, rebuilt and reloaded on every save."""

from .server import EMAILS_PATH, DevServer

__all__ = ["DevServer", "EMAILS_PATH"]
