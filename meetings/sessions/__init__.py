"""Changing sessions and meetings once published: reschedule, cancel (each notifies everyone concerned)."""
