"""Mailchimp: `client` (the one gateway every call goes through), `mergetags` (the renderer), `emulator/` (a local API)."""
