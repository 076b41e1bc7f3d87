"""reggi's facts: the vocabulary and models of a business profile, and readers for it."""
