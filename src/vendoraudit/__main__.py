"""`python -m vendoraudit`: the same as the `vendoraudit` command."""

from .cli import main

main()
