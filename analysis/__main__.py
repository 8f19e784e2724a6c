import sys

from analysis.cli import console_main

sys.exit(console_main())
