"""Asylum-system topics in English, French and Spanish: a vocabulary of concepts and text matching (pure).

``text`` normalizes words (case, accents, elision, plurals and gender endings), ``vocabulary`` reads
the concepts from ``data/concepts.csv`` and merges terms added by the secretariat, ``matching`` maps
a text to the concept ids it speaks about. Plain strings in, plain values out: no Flask, no database,
so every feature that compares topics (roundtable duplicates, support requests and offers) can use it.
"""
