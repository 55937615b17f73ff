"""What a checker says: a verdict, a message, and the section of a notebook that explains the mistake."""

from dataclasses import dataclass
from html import escape

from ..i18n import _

_ICONS = {"correct": "✓", "wrong": "✗", "error": "✗", "not implemented": "…"}


@dataclass(frozen=True)
class Section:
    """A heading of a notebook that explains a mistake, as a relative link the learner can follow."""

    notebook: str  # "04_chain_rule_reduction"
    heading: str  # the heading's text, exactly as in the notebook, without the leading #s

    @property
    def shown_heading(self):
        """The heading in the current language (the Chinese notebooks' headings are translated)."""
        return _(self.heading)

    @property
    def link(self):
        return f"{self.notebook}.ipynb#{self.shown_heading.replace(' ', '-')}"

    def __str__(self):
        return f"{self.notebook[:2]} · {self.shown_heading}"


def see(notebook, heading):
    """The section ``heading`` of ``notebook`` (checked against the notebooks by the tests)."""
    return Section(notebook, heading)


# The section that explains labels and gradients shaped (N, 1) where (N, C) is meant.
N_BY_ONE = see("04_chain_rule_reduction", "(N, C) or (N, 1)? The learner's equation 1")


@dataclass(frozen=True)
class Feedback:
    """What a checker found: ``status`` is correct, wrong, error or not implemented.

    ``see`` is the section that explains the mistake, when one does; notebooks show it as a link.
    ``generic`` marks the bare reply that names no mistake ("not the expected values: the largest
    difference is at ..."): tests use it to count how many wrong answers a checker cannot name.
    """

    exercise: str
    status: str
    message: str
    see: Section | None = None
    generic: bool = False

    @property
    def passed(self):
        return self.status == "correct"

    def __repr__(self):
        where = _(" (see {section}: {link})").format(section=self.see, link=self.see.link) if self.see else ""
        said = _("{exercise}: {message}").format(exercise=self.exercise, message=self.message)
        return f"{_ICONS[self.status]} {said}{where}"

    __str__ = __repr__

    def _repr_html_(self):
        see = _("See {section}.").format(section=escape(str(self.see))) if self.see else ""
        where = f' <a href="{escape(self.see.link)}">{see}</a>' if self.see else ""
        text = escape(self.message).replace("\n", "<br>")
        said = _("{exercise}: {message}").format(exercise=f"<b>{escape(self.exercise)}</b>", message=text)
        return f"<p>{_ICONS[self.status]} {said}{where}</p>"
