"""Feeds: fetching (httpx, conditional GET, limits) apart from parsing (feedparser)."""
