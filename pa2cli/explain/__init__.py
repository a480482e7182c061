"""Part B, questions 1-2: render, step through and verify gradient derivations from content/."""
