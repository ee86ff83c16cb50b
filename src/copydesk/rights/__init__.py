"""Acting on what copydesk finds: reviews, findings for the outlets a user owns, alerts,
evidence packs, and the filters shared by the command line, the API and the web app."""
