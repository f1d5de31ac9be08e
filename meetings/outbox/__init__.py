"""Notifications that are never lost: the transactional outbox, its delivery, reminders and webhooks.

Operations write outbox rows in the same transaction as the change that causes them (nothing is sent
before commit). A delivery worker claims due rows, sends them through the transports of
``notifications`` and records the outcome, retrying with back-off.
"""
