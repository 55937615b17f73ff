"""The companion of notebook 07 · The mismatch lab.

Its widget's state, picture and live view, and its checkers.
"""

import numpy as np
from checking_helpers import expect

from course_utils.notebooks import nb07_mismatch_lab as nb07


def test_mismatch_state_and_widget():
    s = nb07.mismatch_state(**nb07.MISMATCH_DEFAULTS)
    assert s["learner"] is not None and "cost mismatch" in nb07.describe_mismatch(s)
    assert s["result"].table(15) == "\n".join(f"{a:.4e} {b:.4e}" for a, b in s["learner"])
    agree = nb07.mismatch_state("tanh", "tanh", "softmax", "cross_entropy")
    assert agree["learner"] is None and "agree" in nb07.describe_mismatch(agree)
    view = nb07.mismatch_widget()
    first_table = view.chart.value
    assert "-9.4049e-04" in first_table and "learner num." in first_table
    view.controls["cost"].value = "cross_entropy"
    assert "agree" in view.text.value and "-9.4049e-04" not in view.chart.value
    view.controls["hidden"].value = "tanh"
    assert "wrong hidden derivative" in view.text.value


def test_softmax_cost():
    expect(nb07.check_softmax_cost(lambda h, Y: -(Y * np.log(h)).sum() / len(h)), "correct")
    expect(nb07.check_softmax_cost(lambda h, Y: -(Y * np.log(h)).sum()), "wrong", "1/m")
    binary = lambda h, Y: (-Y * np.log(h) - (1 - Y) * np.log(1 - h)).sum() / len(h)  # noqa: E731
    expect(nb07.check_softmax_cost(binary), "wrong", "binary")


def test_sigma2():
    from course_utils import ACTIVATIONS

    def good(s3, T2, z2, hidden):
        return (s3 @ T2)[:, 1:] * ACTIVATIONS[hidden].df(z2)

    expect(nb07.check_sigma2(good), "correct")
    expect(nb07.check_sigma2(lambda s3, T2, z2, hidden: good(s3, T2, z2, "sigmoid")), "wrong", "hard-coded")
    expect(nb07.check_sigma2(lambda s3, T2, z2, hidden: (s3 @ T2)[:, 1:]), "wrong", "derivative is missing")
    expect(
        nb07.check_sigma2(lambda s3, T2, z2, hidden: good(s3, T2, ACTIVATIONS[hidden].f(z2), hidden)),
        "wrong",
        "pre-activation",
    )


def test_a_mean_over_every_entry_is_named_not_a_crash():
    with np.errstate(divide="ignore"):
        fb = nb07.check_softmax_cost(lambda h, Y: -np.mean(Y * np.log(h)))
    assert fb.status == "wrong" and "K times too small" in fb.message
    fb = nb07.check_softmax_cost(lambda h, Y: -np.sum(Y * np.log(h), axis=1) / h.shape[0])
    assert fb.status == "wrong" and "one number per sample" in fb.message
    fb = nb07.check_softmax_cost(lambda h, Y: -np.sum(Y * np.log(h)))
    assert fb.see.heading == "The commented cost"


def test_feedback_and_verdict_in_chinese():
    from course_utils import set_language

    set_language("zh")
    try:
        fb = nb07.check_softmax_cost(lambda h, Y: -np.sum(Y * np.log(h)))
        assert fb.status == "wrong" and "大了 m 倍" in fb.message
        fb = nb07.check_sigma2(lambda s3, T2, z2, hidden: (s3 @ T2)[:, 1:])
        assert fb.status == "wrong" and "缺少激活函数的导数" in fb.message
        text = nb07.describe_mismatch(nb07.mismatch_state(**nb07.MISMATCH_DEFAULTS))
        assert text.startswith("相对误差") and "代价函数不匹配" in text
        both = nb07.mismatch_state("tanh", "sigmoid", "softmax", "binary_cross_entropy")
        assert "；隐藏层导数用错了" in nb07.describe_mismatch(both)
        picture = nb07.draw_mismatch(both).svg
        assert "每层误差 ✗ 未通过" in picture and "解析与数值对照" in picture
    finally:
        set_language("en")
    assert nb07.describe_mismatch(both).startswith("relative error")


def test_mismatch_theory_figures_in_chinese():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_utils import mismatch_theory, set_language

    set_language("zh")
    try:
        axes = mismatch_theory.plot_learner_tables()
        assert axes[0].get_title().startswith("表 1：sigmoid / sigmoid\n✓ 落在 y = x 上")
        assert axes[1].get_xlabel() == "解析梯度（反向传播）"
    finally:
        set_language("en")
        plt.close("all")
