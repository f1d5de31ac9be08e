"""The transport of messages that are never lost: queue, claim, compose, send, retry.

Features write outbox rows in the same transaction as the change that causes them (nothing is sent
before commit); an e-mail row records what happened and to whom, and names the composer its feature
registered (:mod:`meetings.outbox.composing`). A delivery worker in the scheduler process claims due
rows, composes each e-mail at send time, sends it through the transports of ``notifications`` and
records the outcome, retrying with back-off. Webhooks go through their own job and pool of workers.
"""
