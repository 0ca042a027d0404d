"""Official lists: an authority's own published list, polled like a feed, as evidence."""
