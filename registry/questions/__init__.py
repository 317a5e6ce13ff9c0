"""Stewards' questions about AI systems and management's answers, kept on record."""
