"""`python -m agent IMAGE ...` is the chat CLI (`python -m agent.chat`); see agent/chat.py for the options."""
import sys

from agent.chat import main

sys.exit(main())
