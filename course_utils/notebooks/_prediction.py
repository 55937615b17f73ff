"""A prediction the learner commits to before the result shows, then sees compared with the outcome.

The notebook states the question and its choices in a markdown cell (so a static export shows the
question first), displays :meth:`Prediction.widget` (choose, then press *Commit*: the choice locks),
runs the cell that computes the result, and then calls :meth:`Prediction.reveal` with the choice the
result picks out. ``reveal`` prints the answer, and the learner's committed guess next to it when
there is one; with no guess recorded (a static run, a reader without a kernel) it prints the answer
alone, so stored outputs are the same on every machine.

:func:`prediction_state` and :func:`describe_prediction` are the pure part that pytest checks; the
widget only records a choice.
"""

from ..i18n import _


def _choices(choices):
    choices = tuple(choices)
    if len(choices) < 2 or not all(isinstance(c, str) and c.strip() for c in choices):
        raise ValueError(f"a prediction needs at least two choices, each a non-empty text, got {choices!r}")
    if len(set(choices)) != len(choices):
        raise ValueError(f"the choices must differ from one another, got {choices!r}")
    return choices


def _index(value, choices, role):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < len(choices):
        raise ValueError(f"{role} must be the index of a choice, 0 to {len(choices) - 1}, got {value!r}")
    return value


def prediction_state(choices, answer, guess=None):
    """The outcome of one prediction: which choice was guessed, which is right, and whether they agree.

    Parameters
    ----------
    choices : sequence of str
        The possible answers, as the question lists them (at least two, all different).
    answer : int
        Index of the choice the result picks out.
    guess : int or None
        Index of the choice the learner committed to, or None when nothing was recorded.

    Returns
    -------
    dict
        ``choices``, ``answer``, ``guess``, ``recorded`` (a guess exists) and ``right`` (the guess is
        the answer; False when nothing was recorded).
    """
    choices = _choices(choices)
    answer = _index(answer, choices, "answer")
    if guess is not None:
        guess = _index(guess, choices, "guess")
    return {
        "choices": choices,
        "answer": answer,
        "guess": guess,
        "recorded": guess is not None,
        "right": guess is not None and guess == answer,
    }


def describe_prediction(state, why=""):
    """The verdict in words: the answer, and the committed guess beside it when there is one."""
    answer = state["choices"][state["answer"]]
    if not state["recorded"]:
        text = _("No guess was committed in this run. The answer: {answer}.").format(answer=answer)
    elif state["right"]:
        text = _("✓ Your committed guess, {guess}, is the answer.").format(guess=answer)
    else:
        text = _("✗ You committed to {guess}; the answer is {answer}.").format(
            guess=state["choices"][state["guess"]], answer=answer
        )
    # Chinese sentences end in a full-width stop and take no space before the next one.
    gap = "" if text.endswith(("。", "！", "？", "；", "：")) else " "
    return f"{text}{gap}{why}".rstrip()


class Prediction:
    """One question with its choices; records the learner's committed guess.

    ``Prediction(choices)``, then ``.widget()`` in the cell before the result, ``.reveal(answer,
    why)`` in the cell after it.
    """

    def __init__(self, choices):
        self.choices = _choices(choices)
        self.guess = None

    def commit(self, index):
        """Record a guess once; a second commit is refused (the point is to commit before seeing)."""
        index = _index(index, self.choices, "guess")
        if self.guess is not None:
            raise ValueError("a guess is already committed; it cannot change after the fact")
        self.guess = index

    def state(self, answer):
        return prediction_state(self.choices, answer, self.guess)

    def reveal(self, answer, why=""):
        """Print the answer, with the committed guess compared with it."""
        print(describe_prediction(self.state(answer), why))

    def widget(self):
        """Radio buttons and a *Commit* button; committing locks the choice."""
        import ipywidgets as w

        options = w.RadioButtons(options=list(self.choices), value=None, layout=w.Layout(width="auto"))
        button = w.Button(description=_("Commit my guess"), disabled=True)
        status = w.HTML(_("Choose one, then commit before you run the next cell."))

        def chosen(change):
            button.disabled = change["new"] is None or self.guess is not None

        def commit(_button):
            if options.value is None or self.guess is not None:
                return
            self.commit(self.choices.index(options.value))
            options.disabled = button.disabled = True
            status.value = _("Committed: {guess}. Now run the next cell.").format(guess=options.value)

        options.observe(chosen, names="value")
        button.on_click(commit)
        return w.VBox([options, button, status])
