"""Registration for global meetings: pages, operations and input rules."""
