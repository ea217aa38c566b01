"""Gathering papers from arXiv: the only part of the tool that uses the network (`python -m builder refresh`).

`client` talks to the arXiv API politely and survives its hiccups, `refresh` fills the paper store and writes
one lock per report, `lock` lets offline builds resolve queries from those locks, and `fulltext` turns PDFs
into sections and sentences.
"""
