"""Organizations (stakeholders) and their sign-ups to the four workstreams."""
