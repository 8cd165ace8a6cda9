import sys

from newsevents.cli import main

sys.exit(main())
