"""Teacher tooling: learner copies of the notebooks (``classroom``) and grading hand-ins (``grading``).

    python -m course_utils.teaching.classroom build
    python -m course_utils.grading NOTEBOOK SUBMISSION... -o grades.csv

Nothing in the topic modules or the notebook companions imports from here.
"""
