import sys

from sozialbericht.cli import main

sys.exit(main())
