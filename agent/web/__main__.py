import sys

from agent.web.cli import main

sys.exit(main())
