"""welcome-gen: a fit-first website and kind email sequences, delivered once through Mailchimp."""

__version__ = "0.1.0"
