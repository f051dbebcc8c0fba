"""Package data (a package so that setuptools ships its files); see SOURCE.txt."""
