"""The offline extractive answerer and its heuristics (see :mod:`.answerer`)."""
