"""Plot helpers return their axes and draw what they are given."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils import plotting  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_plot_functions_compose_on_given_axes():
    fig, axes = plt.subplots(1, 4)
    assert plotting.plot_probabilities([0.2, 0.8], axes[0], target=[0, 1]) is axes[0]
    assert plotting.plot_vector([1.0, -np.inf, np.nan], axes[1]) is axes[1]
    assert plotting.plot_matrix(np.eye(3), axes[2]) is axes[2]
    assert plotting.plot_numerical_vs_analytic([1, 2], [1, 2.1], axes[3]) is axes[3]
    assert len(axes[0].patches) == 4  # two bars and two target outlines
    assert [t.get_text() for t in axes[1].texts] == ["1", "inf", "NaN"]


def test_plot_functions_make_their_own_axes():
    ax = plotting.plot_digit(np.zeros(784))
    assert ax.images[0].get_array().shape == (28, 28)
