"""The committed prediction (course_utils/notebooks/_prediction.py): its verdict and its widget."""

import pytest

from course_utils.notebooks._prediction import Prediction, describe_prediction, prediction_state

CHOICES = ("(N, C)", "(N, 1)", "(C, C)")


def test_the_verdict_compares_the_committed_guess_with_the_answer():
    right = prediction_state(CHOICES, 0, guess=0)
    assert right["recorded"] and right["right"]
    assert describe_prediction(right).startswith("✓") and "(N, C)" in describe_prediction(right)
    wrong = prediction_state(CHOICES, 0, guess=1)
    assert wrong["recorded"] and not wrong["right"]
    text = describe_prediction(wrong, "because each row keeps its C entries")
    assert text.startswith("✗") and "(N, 1)" in text and "(N, C)" in text
    assert text.endswith("because each row keeps its C entries")


def test_with_no_guess_the_answer_shows_alone():
    state = prediction_state(CHOICES, 2)
    assert not state["recorded"] and not state["right"]
    text = describe_prediction(state)
    assert "No guess" in text and "(C, C)" in text and "✓" not in text and "✗" not in text


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: prediction_state(("only",), 0), "at least two choices"),
        (lambda: prediction_state(("a", "a"), 0), "differ"),
        (lambda: prediction_state(CHOICES, 3), "answer must be the index"),
        (lambda: prediction_state(CHOICES, True), "answer must be the index"),
        (lambda: prediction_state(CHOICES, 0, guess=-1), "guess must be the index"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_the_widget_records_one_guess_and_locks():
    p = Prediction(CHOICES)
    box = p.widget()
    options, button, status = box.children
    assert button.disabled  # nothing chosen yet: nothing to commit
    button.click()
    assert p.guess is None
    options.value = "(N, 1)"
    assert not button.disabled
    button.click()
    assert p.guess == 1 and options.disabled and button.disabled and "(N, 1)" in status.value
    options.disabled = False  # even if the view were unlocked, the guess stays as committed
    options.value = "(N, C)"
    button.click()
    assert p.guess == 1
    with pytest.raises(ValueError, match="already committed"):
        p.commit(0)
    assert p.state(0)["recorded"] and not p.state(0)["right"]


def test_reveal_prints_the_verdict(capsys):
    p = Prediction(CHOICES)
    p.reveal(0)
    assert "No guess" in capsys.readouterr().out
    p.commit(0)
    p.reveal(0, "why")
    assert capsys.readouterr().out.startswith("✓")
