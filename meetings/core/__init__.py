"""The shared core: database, errors, vocabulary, input rules, form kit, labels, time, links, actor, audit.

Every feature imports it; it imports no feature (``tests/test_layers.py`` enforces this).
"""
