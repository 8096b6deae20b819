"""Hostile inputs and faults (issue 20): each case asserts what the user sees and that nothing was lost."""
