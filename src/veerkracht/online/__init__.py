"""Fetching the official sources online: CBS OData, PDOK, Leefbaarometer.

Everything here ends in files in a download folder that go through the normal
``ingest.import_file`` path, so online data is read, hashed and imported exactly like
a file the user downloaded by hand.
"""
