"""The shared reply layer, as the second newcomer review of issue 19 found it: the in-place reply names
the learner's own parameter, and the grader's reading of the code flags only a course function the
answer can run (not one named inside a nested function it never calls, nor one read for its __doc__).
"""

import numpy as np

from course_utils.notebooks import nb00_start_here as nb00
from course_utils.notebooks import nb03_kronecker_delta as nb03
from course_utils.teaching import detect


def test_the_in_place_reply_names_the_learners_parameter_through_a_recording_checker():
    def one_hot(labels, C):
        t = np.zeros((len(labels), C))
        t[np.arange(len(labels)), labels] = 1
        labels[0] = 0
        return t

    fb = nb00.check_one_hot(one_hot)
    assert "`labels`" in fb.message and "`args`" not in fb.message, fb

    def batched(logits):
        logits -= logits.max(axis=1, keepdims=True)
        h = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        return h[:, :, None] * (np.eye(h.shape[1]) - h[:, None, :])

    fb = nb03.check_batched_jacobian(batched)
    assert "`logits`" in fb.message and "`args`" not in fb.message, fb


IMPORTS = "import numpy as np\nfrom course_utils.notebooks import nb06_gradient_checking as nb06\n"
HEAD = "def my_gradient_check(f, x, grad, entries, directions, eps):\n"


def _flags(body):
    targets = detect.forbidden("06_gradient_checking")["my_gradient_check"]
    return detect.calls_course_answer([IMPORTS + HEAD + body], "my_gradient_check", targets)


def test_the_grader_does_not_flag_a_course_function_the_answer_cannot_run():
    spare = "    def spare():\n        return nb06._my_check(f, x, grad, entries, directions, eps)\n"
    never_called = spare + "    return x\n"
    assert _flags(never_called) == set()
    only_its_doc = "    print(nb06._my_check.__doc__)\n    return x\n"
    assert _flags(only_its_doc) == set()


def test_the_grader_still_flags_a_call_through_a_nested_function():
    spare = "    def spare():\n        return nb06._my_check(f, x, grad, entries, directions, eps)\n"
    called = spare + "    return spare()\n"
    assert any(name.endswith("_my_check") for name in _flags(called))
    direct = "    return nb06._my_check(f, x, grad, entries, directions, eps)\n"
    assert any(name.endswith("_my_check") for name in _flags(direct))
