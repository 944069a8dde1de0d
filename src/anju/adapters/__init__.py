"""Adapters: Excel, Word, charts. Each depends on the engine, never the reverse."""
