import sys

from zwgk.cli import main

sys.exit(main())
