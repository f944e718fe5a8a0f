"""Mailchimp: `client` (the one gateway every call goes through), `reads` (paging, times, sent statuses),
`records` (the names welcome-gen writes there), `mergetags` (the renderer). The emulator is `welcome_gen.emulator`."""
