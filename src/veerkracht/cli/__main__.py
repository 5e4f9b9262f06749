import sys

from veerkracht.cli import main

sys.exit(main())
