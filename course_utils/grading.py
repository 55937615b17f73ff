"""The grading command, under the name teachers already use: ``python -m course_utils.grading``.

The code lives in :mod:`course_utils.teaching.grading`; this module only keeps the command stable.
"""

import sys

from .teaching.grading import end_interrupted, main

if __name__ == "__main__":
    sys.exit(end_interrupted(main()))
