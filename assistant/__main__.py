import sys

from assistant.app.cli import main

if (
    __name__ == "__main__"
):  # ingestion's worker processes import this module again (forkserver): run only here
    sys.exit(main())
