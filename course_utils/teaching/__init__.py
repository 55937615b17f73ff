"""Teacher tooling: learner copies, the learner release, slides, and grading hand-ins.

    python -m course_utils.teaching.classroom build       # notebooks/learner/ from the solutions
    python -m course_utils.teaching.release               # build/release/: what a class gets
    python -m course_utils.teaching.slides                # build/slides/: decks of the learner copies
    python -m course_utils.grading NOTEBOOK SUBMISSION... -o grades.csv

Grading is split by where code runs: ``grading`` (the runs of a hand-in, the command),
``scoring`` (points per part) and ``report`` (CSV, feedback files) run in the grader's process;
``worker`` is the process a submission runs in, inside the operating-system sandbox that
``confine`` builds with bubblewrap; ``sandbox`` starts it and calls into it, ``protocol`` is the
plain-value wire between them, and ``detect`` reads a submission's code for calls and copies of
the course's own answers.

Nothing in the topic modules or the notebook companions imports from here.
"""
