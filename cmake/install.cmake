# installation rules: see issue 2 (filled in by the foundation work)
