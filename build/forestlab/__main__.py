import sys

from forestlab.cli import main

sys.exit(main())
