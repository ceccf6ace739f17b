"""Exact arithmetic where a figure meets a threshold: 25% left must be 25%, not 24.99999999999997%."""

from fractions import Fraction


def exact(fraction: float) -> Fraction:
    """The decimal the user wrote (0.999 is 999/1000, not the nearest binary float)."""
    return Fraction(repr(fraction))
