r"""Interactive views for the notebooks, each a thin layer over a pure, tested function.

Every widget comes in three parts:

* a *state* function (``softmax_state``, ``jacobian_explorer_state``, ...): numbers in, a dict of
  numbers out, no drawing; pytest calls it directly;
* a *draw* function (``draw_softmax``, ...) that plots a state with matplotlib; the notebook calls
  it once for the static figure of the default state, which is what a reader without a kernel sees;
* a *render* function (``render_softmax``, ...) that draws the same picture as SVG, and a *widget*
  function (``softmax_widget``, ...) that wires sliders and toggles to the state and render
  functions and shows the result with a verdict line; nothing is printed, so nbval sees no stray
  output.
"""

from functools import lru_cache
from html import escape

import numpy as np

from . import mismatch, plotting, svg
from .gradcheck import numerical_gradient, rel_error
from .softmax import log_softmax, softmax, softmax_jacobian, softmax_vjp

DEFAULT_LOGITS = (2.0, 1.0, 0.1, -1.0)
# The fixed upstream gradient dL/dh that the Jacobian explorer and the VJP stepper push back.
DEFAULT_UPSTREAM = np.array([1.0, -0.5, 0.75, -1.25])
GRADCHECK_TOL = 1e-7


def _tempered(z, temperature):
    """``z / T``, refusing a temperature that is not positive."""
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    return z / temperature


def _logits(z):
    return np.asarray(z, dtype=np.float64)


# --- 00: one MNIST digit ---------------------------------------------------------------------


def mnist_digit_state(X, y, index):
    """One row of the MNIST batch ``X`` (N, 784) as an image, its label and pixel statistics."""
    index = int(index)
    if not 0 <= index < len(X):
        raise ValueError(f"index must be in [0, {len(X)}), got {index}")
    row = np.asarray(X[index])
    return {
        "index": index,
        "label": int(y[index]),
        "image": row.reshape(28, 28),
        "lit": int(np.count_nonzero(row)),
        "border_lit": int(np.count_nonzero(row.reshape(28, 28)[[0, -1], :]))
        + int(np.count_nonzero(row.reshape(28, 28)[:, [0, -1]])),
    }


def describe_mnist_digit(state):
    return (
        f"X[{state['index']}] is one row of 784 pixels; label y[{state['index']}] = "
        f"{state['label']}; {state['lit']} of 784 pixels are not blank "
        f"({state['border_lit']} on the border)"
    )


def draw_mnist_digit(state):
    fig = _figure(3.2, 3.2)
    ax = fig.subplots()
    plotting.plot_digit(state["image"], ax, title=f"X[{state['index']}], label {state['label']}")
    return fig


# --- 01: softmax and temperature -------------------------------------------------------------


def softmax_state(z, temperature=1.0):
    """Softmax of logits ``z`` (C,) at a temperature: ``h = softmax(z / T)``, with summaries."""
    z = _logits(z)
    scaled = _tempered(z, temperature)
    h = softmax(scaled)
    log_h = log_softmax(scaled)
    return {
        "z": z,
        "temperature": float(temperature),
        "h": h,
        "argmax": int(np.argmax(h)),
        "max_prob": float(h.max()),
        "entropy": float(-np.sum(h * log_h)),
        "max_entropy": float(np.log(z.size)),
    }


def describe_softmax(state):
    return (
        f"T = {state['temperature']:.2f}: the largest probability is "
        f"{state['max_prob']:.3f} (class {state['argmax']}); entropy "
        f"{state['entropy']:.3f} of at most log C = {state['max_entropy']:.3f}; "
        f"Σh = {state['h'].sum():.3f}"
    )


def draw_softmax(state):
    fig = _figure(7, 2.8)
    ax_z, ax_h = fig.subplots(1, 2)
    plotting.plot_vector(
        state["z"] / state["temperature"], ax_z, ylabel="z_j / T", title="logits divided by T"
    )
    plotting.plot_probabilities(state["h"], ax_h, title=f"h = softmax(z / T), T = {state['temperature']:.2f}")
    return fig


# --- 02: the Jacobian explorer ---------------------------------------------------------------


def jacobian_explorer_state(z, diagonal_only=False, g=None):
    """The softmax Jacobian at ``z`` (C,), the learner's diagonal-only version, and a gradient check.

    The check pushes a fixed upstream gradient ``g = dL/dh`` back through the Jacobian shown
    (``dz = g J``) and compares it with central differences of ``L = <g, softmax(z)>``.
    """
    z = _logits(z)
    g = DEFAULT_UPSTREAM[: z.size] if g is None else np.asarray(g, dtype=np.float64)
    J_true = softmax_jacobian(z)
    J_shown = np.diag(np.diag(J_true)) if diagonal_only else J_true
    z_work = z.copy()
    numerical = numerical_gradient(lambda: float(np.dot(g, softmax(z_work))), z_work)
    analytic = g @ J_shown
    err = rel_error(analytic, numerical)
    return {
        "z": z,
        "g": g,
        "h": softmax(z),
        "diagonal_only": bool(diagonal_only),
        "J_true": J_true,
        "J": J_shown,
        "numerical": numerical,
        "analytic": analytic,
        "rel_error": err,
        "passes": bool(err <= GRADCHECK_TOL),
    }


def describe_jacobian(state):
    which = "diagonal only, h_j(1 − h_j)" if state["diagonal_only"] else "full, h_i(δ_ij − h_j)"
    if state["passes"]:
        verdict = f"gradient check PASSES (relative error below {GRADCHECK_TOL:.0e})"
    else:
        verdict = (
            f"gradient check FAILS: relative error {state['rel_error']:.3f}, "
            "the off-diagonal −h_i h_j terms are missing"
        )
    return f"Jacobian: {which}. {verdict}"


def draw_jacobian(state):
    fig = _figure(8.4, 3.3)
    ax_j, ax_g = fig.subplots(1, 2, width_ratios=[1, 1.3])
    vmax = np.abs(state["J_true"]).max()
    title = "J, diagonal only" if state["diagonal_only"] else "J = diag(h) − h hᵀ"
    plotting.plot_matrix(state["J"], ax_j, title=title, vmax=vmax)
    C = state["z"].size
    x = np.arange(C)
    ax_g.bar(x - 0.2, state["numerical"], width=0.4, color=plotting.COLORS["numerical"], label="numerical")
    ax_g.bar(
        x + 0.2,
        state["analytic"],
        width=0.4,
        color=plotting.COLORS["analytic" if state["passes"] else "wrong"],
        label="g J",
    )
    ax_g.axhline(0, color="black", linewidth=0.8)
    ax_g.set_xticks(x, plotting.class_labels(C))
    ax_g.set_xlabel("logit j")
    ax_g.set_ylabel("dL/dz_j")
    ax_g.legend(fontsize=8)
    verdict = "passes" if state["passes"] else f"fails, rel. error {state['rel_error']:.2f}"
    ax_g.set_title(f"gradient check {verdict}")
    return fig


# --- 03: spectrum of the Jacobian ------------------------------------------------------------


def jacobian_spectrum_state(z, temperature=1.0):
    """Eigenvalues of ``J = diag(h) − h hᵀ`` at ``h = softmax(z / T)``: all >= 0, one is 0."""
    z = _logits(z)
    scaled = _tempered(z, temperature)
    h = softmax(scaled)
    J = softmax_jacobian(scaled)
    eig = np.linalg.eigvalsh(J)
    # The zero eigenvalue comes out as ±1e-17; keep it the exact 0 it is, for display.
    eig = np.where(np.abs(eig) < 1e-12, 0.0, eig)
    return {
        "h": h,
        "J": J,
        "temperature": float(temperature),
        "eigenvalues": eig,
        "rank": int(np.count_nonzero(eig)),
        "null_residual": float(np.abs(J @ np.ones(z.size)).max()),
        "trace": float(np.trace(J)),
    }


def describe_spectrum(state):
    eig = state["eigenvalues"]
    null = "J·1 = 0 to round-off" if state["null_residual"] < 1e-12 else "J·1 ≠ 0"
    return (
        f"eigenvalues {', '.join(f'{e:.4f}' for e in eig)}; rank {state['rank']} of "
        f"{eig.size}; trace = Σ h(1 − h) = {state['trace']:.4f}; {null}"
    )


def draw_spectrum(state):
    fig = _figure(8.4, 3.0)
    ax_h, ax_m, ax_e = fig.subplots(1, 3, width_ratios=[1, 1, 1])
    plotting.plot_probabilities(state["h"], ax_h, title="h")
    plotting.plot_matrix(state["J"], ax_m, title="J", annotate=False)
    eig = state["eigenvalues"]
    ax_e.bar(np.arange(eig.size), eig, color=plotting.COLORS["analytic"])
    ax_e.set_xticks(np.arange(eig.size), [f"λ{k + 1}" for k in range(eig.size)])
    ax_e.set_ylabel("eigenvalue")
    ax_e.set_ylim(0, 1.2 * max(eig.max(), 1e-3))
    ax_e.set_title(f"spectrum: rank {state['rank']}")
    return fig


# --- 04: the reduction, step by step ---------------------------------------------------------

VJP_STEPS = (
    ("g = dL/dh", "the upstream gradient, one entry per output"),
    ("h = softmax(z)", "the forward output, kept from the forward pass"),
    ("g ⊙ h", "elementwise products g_i h_i"),
    ("⟨g, h⟩", "their sum: one number per sample"),
    ("g − ⟨g, h⟩", "subtract it from every entry of g"),
    ("dz = h ⊙ (g − ⟨g, h⟩)", "scale by h: the answer, equal to g J"),
)


def vjp_steps(z, g):
    """The reduction ``dz = h ⊙ (g − <g, h>)`` for one sample, one intermediate vector per step.

    Returns a list of dicts ``name, note, value`` (value a (C,) array; the scalar <g, h> is
    repeated C times so that every step draws the same way) and, last, the full-Jacobian result.
    """
    z, g = _logits(z), np.asarray(g, dtype=np.float64)
    h = softmax(z)
    gh = g * h
    dot = gh.sum()
    values = [g, h, gh, np.full_like(g, dot), g - dot, h * (g - dot)]
    steps = [{"name": n, "note": note, "value": v} for (n, note), v in zip(VJP_STEPS, values)]
    return {"steps": steps, "via_jacobian": g @ softmax_jacobian(z), "vjp": softmax_vjp(z, g)}


def describe_vjp_step(state, k):
    step = state["steps"][k]
    text = f"step {k + 1} of {len(state['steps'])}: {step['name']}, {step['note']}"
    if k == len(state["steps"]) - 1:
        err = rel_error(step["value"], state["via_jacobian"])
        text += f". Same as g J built the long way: {'yes' if err < 1e-12 else 'NO'}"
    return text


def draw_vjp_step(state, k):
    fig = _figure(8.4, 2.8)
    axes = fig.subplots(1, 3)
    shown = state["steps"][max(0, k - 2) : k + 1]
    for ax in axes[len(shown) :]:
        ax.axis("off")
    top = max(np.abs(s["value"]).max() for s in state["steps"]) * 1.3
    for ax, step in zip(axes, shown):
        last = step is state["steps"][k]
        plotting.plot_vector(
            step["value"],
            ax,
            title=step["name"],
            ylim=(-top, top),
            color=plotting.COLORS["analytic" if last else "neutral"],
        )
    return fig


# --- 05: fused gradient vs the Jacobian route ------------------------------------------------


def fused_gradient_state(gap, smoothing=0.0, dtype="float64", C=4):
    """Three routes to dL/dz for one sample whose true class trails the leader by ``gap`` logits.

    ``z = (0, gap, 0, ...)`` in ``dtype`` and the label is class 0, smoothed: ``t = (1 − s) onehot
    + s / C``. Routes: fused ``h − t``; the long way ``(−t / h) J``, which turns to inf and NaN once
    ``1/h_0`` overflows (a gap near 89 in float32, 710 in float64); and the general ``h Σt − t``.
    """
    dt = np.dtype(dtype)
    if dt not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    if not 0 <= smoothing < 1:
        raise ValueError(f"smoothing must be in [0, 1), got {smoothing}")
    z = np.zeros(C, dtype=dt)
    z[1] = gap
    t = np.full(C, smoothing / C, dtype=dt)
    t[0] += 1 - smoothing
    h = softmax(z)
    fused = h - t
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        long_way = (-t / h) @ softmax_jacobian(z)
    general = h * t.sum() - t
    return {
        "z": z,
        "t": t,
        "h": h,
        "gap": float(gap),
        "dtype": dt.name,
        "fused": fused,
        "long_way": long_way,
        "general": general,
        "long_way_finite": bool(np.all(np.isfinite(long_way))),
        "h_true_class": float(h[0]),
    }


def describe_fused(state):
    head = f"{state['dtype']}, gap {state['gap']:.0f}: h of the true class = {state['h_true_class']:.3g}. "
    if state["long_way_finite"]:
        err = rel_error(state["long_way"], state["fused"])
        agree = "to round-off" if err < 1e-10 else f"to a relative error of {err:.1e}"
        return head + f"The −t/h route agrees with h − t {agree}."
    if state["h_true_class"] == 0:
        why = "h underflowed to 0, so −t/h = −inf"
    else:
        why = f"1/h overflows {state['dtype']}, so −t/h = −inf"
    return head + f"The −t/h route breaks (inf and NaN): {why}. h − t is fine."


def draw_fused(state):
    fig = _figure(8.4, 2.8)
    ax_h, ax_f, ax_l = fig.subplots(1, 3)
    plotting.plot_probabilities(state["h"], ax_h, target=state["t"], title="h and t")
    plotting.plot_vector(
        state["fused"], ax_f, title="fused: h − t", ylim=(-1.2, 1.2), color=plotting.COLORS["analytic"]
    )
    plotting.plot_vector(
        state["long_way"],
        ax_l,
        title="long way: (−t/h) J",
        ylim=(-1.2, 1.2),
        color=plotting.COLORS["analytic" if state["long_way_finite"] else "wrong"],
    )
    return fig


# --- 06: the step size of a finite difference ------------------------------------------------

EPS_GRID = 10.0 ** np.arange(-12, -0.24, 0.25)
_EPS_LOGITS = np.array([[0.5, -1.2, 2.0, 0.3, -0.7]])
_EPS_LABEL = np.array([2])


def finite_difference_errors(dtype="float64", method="central", eps_grid=EPS_GRID):
    """Relative error of a finite-difference gradient of a cross-entropy, for each step ``eps``.

    The loss is the cross-entropy of five fixed logits, evaluated in ``dtype``; the exact gradient
    ``h - t`` is computed in float64. A step too small to change a float32 logit gives NaN.
    """
    dt = np.dtype(dtype)
    if dt not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    if method not in ("central", "forward"):
        raise ValueError(f"method must be 'central' or 'forward', got {method!r}")
    from .losses import cross_entropy, cross_entropy_grad

    exact = cross_entropy_grad(_EPS_LOGITS, _EPS_LABEL)[0]
    z = _EPS_LOGITS.astype(dt)
    base = float(cross_entropy(z, _EPS_LABEL))
    errors = []
    for eps in eps_grid:
        grad = np.empty(z.shape[1])
        for j in range(z.shape[1]):
            up, down = z.copy(), z.copy()
            up[0, j] += dt.type(eps)
            down[0, j] -= dt.type(eps)
            if method == "central":
                step = float(up[0, j]) - float(down[0, j])
                diff = float(cross_entropy(up, _EPS_LABEL)) - float(cross_entropy(down, _EPS_LABEL))
            else:
                step = float(up[0, j]) - float(z[0, j])
                diff = float(cross_entropy(up, _EPS_LABEL)) - base
            grad[j] = diff / step if step != 0 else np.nan
        errors.append(rel_error(grad, exact) if np.all(np.isfinite(grad)) else np.nan)
    return np.array(errors)


@lru_cache(maxsize=4)
def _curves(dtype):
    return finite_difference_errors(dtype, "central"), finite_difference_errors(dtype, "forward")


def epsilon_state(eps, dtype="float64"):
    """Error curves of forward and central differences in ``dtype``, and the errors at ``eps``."""
    central, forward = _curves(np.dtype(dtype).name)
    at = {m: float(finite_difference_errors(dtype, m, [eps])[0]) for m in ("central", "forward")}
    best = int(np.nanargmin(central))
    return {
        "eps": float(eps),
        "dtype": np.dtype(dtype).name,
        "grid": EPS_GRID,
        "central": central,
        "forward": forward,
        "at": at,
        "best_eps": float(EPS_GRID[best]),
        "best_error": float(central[best]),
    }


def describe_epsilon(state):
    c, f = state["at"]["central"], state["at"]["forward"]
    if not np.isfinite(c):
        return (
            f"{state['dtype']}, ε = {state['eps']:.0e}: the step is lost to rounding "
            f"(z + ε = z), so the difference quotient is 0/0"
        )
    return (
        f"{state['dtype']}, ε = {state['eps']:.0e}: central error {c:.1e}, forward {f:.1e}. "
        f"The best central step here is ε ≈ {state['best_eps']:.0e} (error {state['best_error']:.0e})"
    )


def draw_epsilon(state):
    fig = _figure(6, 3.4)
    ax = fig.subplots()
    ax.loglog(
        state["grid"],
        state["forward"],
        "o-",
        ms=3,
        color=plotting.COLORS["wrong"],
        label="forward (f(z+ε) − f(z)) / ε",
    )
    ax.loglog(
        state["grid"],
        state["central"],
        "o-",
        ms=3,
        color=plotting.COLORS["analytic"],
        label="central (f(z+ε) − f(z−ε)) / 2ε",
    )
    ax.plot([state["eps"]], [state["at"]["central"]], "o", ms=10, mfc="none", color="black")
    ax.set_xlabel("step ε")
    ax.set_ylabel("relative error of the gradient")
    ax.set_title(f"{state['dtype']}: truncation falls with ε, round-off grows as ε shrinks")
    ax.legend(fontsize=8)
    return fig


def render_epsilon(state):
    return svg.loglog_chart(
        state["grid"],
        [
            ("forward", state["forward"], plotting.COLORS["wrong"]),
            ("central", state["central"], plotting.COLORS["analytic"]),
        ],
        title=f"error against ε, {state['dtype']}",
        marker=(state["eps"], state["at"]["central"]),
        xlabel="step ε",
        ylabel="relative error",
    )


# --- 07: the mismatch lab --------------------------------------------------------------------

MISMATCH_DEFAULTS = dict(
    hidden="sigmoid",
    backprop_derivative="sigmoid",
    output="softmax",
    cost="binary_cross_entropy",
    reg=0.0,
    eps=1e-4,
)
TABLE_ROWS = 10


def mismatch_state(hidden, backprop_derivative, output, cost, reg=0.0, eps=1e-4):
    """The learner's check for one choice of settings, with the explanation and their printed table."""
    result = mismatch.gradient_mismatch(hidden, backprop_derivative, output, cost, reg, eps)
    printed = None
    if (
        (hidden, output) in mismatch.LEARNER_TABLES
        and cost == "binary_cross_entropy"
        and reg == 0
        and eps == mismatch.EPSILON
    ):
        printed = mismatch.LEARNER_TABLES[(hidden, output)]
    return {
        "result": result,
        "explanation": mismatch.explain(result),
        "learner": printed,
        "layer_errors": result.layer_errors,
        "layer_ratios": result.layer_ratios,
    }


def describe_mismatch(state):
    r = state["result"]
    return f"relative error {r.rel_error:.3g}: {state['explanation']}"


def _mismatch_rows(state):
    r = state["result"]
    rows = []
    for k in range(TABLE_ROWS):
        row = [f"{r.numerical[k]:.4e}", f"{r.analytic[k]:.4e}"]
        if state["learner"] is not None and k < len(state["learner"]):
            row += [f"{state['learner'][k][0]:.4e}", f"{state['learner'][k][1]:.4e}"]
        rows.append(row)
    return rows


def draw_mismatch(state):
    fig = _figure(8.4, 3.3)
    ax_s, ax_e = fig.subplots(1, 2)
    r = state["result"]
    plotting.plot_numerical_vs_analytic(
        r.numerical, r.analytic, ax_s, title=f"{r.hidden} hidden, {r.output} output, {r.cost}"
    )
    names = list(state["layer_errors"])
    errors = [max(state["layer_errors"][n], 1e-16) for n in names]
    ax_e.bar(names, errors, color=[plotting.COLORS["wrong" if e > 1e-7 else "analytic"] for e in errors])
    ax_e.set_yscale("log")
    ax_e.set_ylim(1e-16, 10)
    ax_e.axhline(1e-7, color="gray", linestyle="--", linewidth=1)
    ax_e.set_ylabel("relative error")
    ax_e.set_title("per layer (dashed: 1e-7)")
    for k, n in enumerate(names):
        ax_e.text(k, errors[k] * 2, f"ratio {state['layer_ratios'][n]:.3f}", ha="center", fontsize=8)
    return fig


def render_mismatch(state):
    header = ["numerical", "analytic"] + (["learner num.", "learner an."] if state["learner"] else [])
    r = state["result"]
    errors = svg.bar_chart(
        [max(state["layer_errors"][n], 0.0) for n in ("Theta1", "Theta2")],
        title="relative error per layer",
        labels=["Theta1", "Theta2"],
        ylim=(0, 1),
        color=plotting.COLORS["wrong" if r.rel_error > 1e-7 else "analytic"],
    )
    return svg.row(
        svg.table(header, _mismatch_rows(state)),
        svg.scatter(r.numerical, r.analytic, title="analytic vs numerical"),
        errors,
    )


# --- 08: what the trained network says about one test digit ----------------------------------


def prediction_state(net, X, y, index):
    """The network's softmax output for row ``index`` of ``X`` (N, 784), with its label."""
    index = int(index)
    if not 0 <= index < len(X):
        raise ValueError(f"index must be in [0, {len(X)}), got {index}")
    h = softmax(net.forward(X[index : index + 1])[0])[0]
    pred = int(np.argmax(h))
    return {
        "index": index,
        "image": np.asarray(X[index]).reshape(28, 28),
        "label": int(y[index]),
        "h": h,
        "prediction": pred,
        "confidence": float(h[pred]),
        "correct": pred == int(y[index]),
    }


def describe_prediction(state):
    verdict = "right" if state["correct"] else "WRONG"
    return (
        f"test digit {state['index']}: label {state['label']}, the network says "
        f"{state['prediction']} with probability {state['confidence']:.3f} ({verdict})"
    )


def draw_prediction(state):
    fig = _figure(7, 2.8)
    ax_img, ax_h = fig.subplots(1, 2, width_ratios=[1, 2])
    plotting.plot_digit(state["image"], ax_img, title=f"label {state['label']}")
    target = np.eye(state["h"].size)[state["label"]]
    plotting.plot_probabilities(state["h"], ax_h, target=target, title="h = softmax(z)")
    return fig


def render_prediction(state):
    target = np.eye(state["h"].size)[state["label"]]
    return svg.row(
        svg.image(state["image"], title=f"label {state['label']}"),
        svg.bar_chart(
            state["h"],
            title="h = softmax(z)",
            outline=target,
            ylim=(0, 1),
            color=plotting.COLORS["probability"],
            width=320,
        ),
    )


# --- 09: the bug gallery -----------------------------------------------------------------------


def bug_state(key):
    """The gradient-check report of one catalogued bug and what ``diagnose`` makes of it."""
    from . import bugs

    if key not in bugs.BUGS:
        raise ValueError(f"unknown bug {key!r}; choose one of {', '.join(bugs.BUGS)}")
    report = bugs.check_bug(key)
    return {
        "bug": bugs.BUGS[key],
        "report": report,
        "diagnosis": bugs.diagnose(report),
        "errors": report.errors,
    }


def describe_bug(state):
    b = state["bug"]
    return f"{b.title}. Wrong: {b.wrong}. Fix: {b.fix}. Diagnosis: {state['diagnosis'][0]}"


def draw_bug(state):
    fig = _figure(5.5, 3.0)
    ax = fig.subplots()
    names = list(state["errors"])
    errors = [max(state["errors"][n], 1e-12) for n in names]
    ax.bar(
        names,
        errors,
        color=[plotting.COLORS["analytic" if n not in state["report"].failed else "wrong"] for n in names],
    )
    ax.set_yscale("log")
    ax.set_ylim(1e-12, 10)
    ax.axhline(state["report"].tol, color="gray", linestyle="--", linewidth=1)
    ax.set_ylabel("relative error")
    ax.set_title(state["bug"].title)
    return fig


def render_bug(state):
    r = state["report"]
    rows = [
        [
            n,
            str(t.shape),
            "FAIL" if not t.ok else "ok",
            f"{r.ratios[n]:.3g}" if not t.ok and np.isfinite(r.ratios[n]) else "",
        ]
        for n, t in r.tensors.items()
    ]
    return svg.table(["tensor", "shape", "check", "numerical/analytic"], rows)


# --- the live views: the same pictures as SVG, fast enough to follow a slider -------------------


def render_mnist_digit(state):
    return svg.image(state["image"], title=f"X[{state['index']}], label {state['label']}")


def render_softmax(state):
    return svg.row(
        svg.bar_chart(state["z"] / state["temperature"], title="logits divided by T"),
        svg.bar_chart(
            state["h"],
            title=f"h = softmax(z / T), T = {state['temperature']:.2f}",
            color=plotting.COLORS["probability"],
            ylim=(0, 1),
        ),
    )


def render_jacobian(state):
    vmax = np.abs(state["J_true"]).max()
    title = "J, diagonal only" if state["diagonal_only"] else "J = diag(h) − h hᵀ"
    analytic_color = plotting.COLORS["analytic" if state["passes"] else "wrong"]
    top = max(np.abs(state["numerical"]).max(), np.abs(state["analytic"]).max()) * 1.25
    return svg.row(
        svg.heatmap(state["J"], title=title, vmax=vmax),
        svg.bar_chart(
            state["numerical"], title="numerical dL/dz", color=plotting.COLORS["numerical"], ylim=(-top, top)
        ),
        svg.bar_chart(state["analytic"], title="analytic g J", color=analytic_color, ylim=(-top, top)),
    )


def render_spectrum(state):
    eig = state["eigenvalues"]
    return svg.row(
        svg.bar_chart(state["h"], title="h", color=plotting.COLORS["probability"], ylim=(0, 1)),
        svg.heatmap(state["J"], title="J", cell=30),
        svg.bar_chart(
            eig,
            title=f"eigenvalues: rank {state['rank']}",
            ylim=(0, 1.2 * max(eig.max(), 1e-3)),
            labels=[f"λ{k + 1}" for k in range(eig.size)],
            color=plotting.COLORS["analytic"],
        ),
    )


def render_vjp_step(state, k):
    top = max(np.abs(s["value"]).max() for s in state["steps"]) * 1.25
    shown = state["steps"][max(0, k - 2) : k + 1]
    return svg.row(
        *[
            svg.bar_chart(
                s["value"],
                title=s["name"],
                ylim=(-top, top),
                color=plotting.COLORS["analytic" if s is state["steps"][k] else "neutral"],
            )
            for s in shown
        ]
    )


def render_fused(state):
    ok = state["long_way_finite"]
    return svg.row(
        svg.bar_chart(
            state["h"],
            title="h, with t dashed",
            outline=state["t"],
            ylim=(0, 1),
            color=plotting.COLORS["probability"],
        ),
        svg.bar_chart(
            state["fused"], title="fused: h − t", ylim=(-1.2, 1.2), color=plotting.COLORS["analytic"]
        ),
        svg.bar_chart(
            state["long_way"],
            title="long way: (−t/h) J",
            ylim=(-1.2, 1.2),
            color=plotting.COLORS["analytic" if ok else "wrong"],
        ),
    )


def _figure(*figsize):
    """A fresh pyplot figure for a notebook cell (the static picture of a widget's state)."""
    import matplotlib.pyplot as plt

    return plt.figure(figsize=figsize, layout="constrained")


class LiveView:
    """Controls over a chart (an ``ipywidgets.HTML`` of SVG) and a verdict line, redrawn on change.

    Every control calls ``redraw()``: compute the state with the pure function, render it, set the
    HTML. Nothing is printed. ``last_state``, ``chart.value`` and ``text.value`` are what tests,
    benchmarks and the browser test read.
    """

    def __init__(self, controls, compute, render, describe):
        import ipywidgets as w

        self.compute, self.render, self.describe = compute, render, describe
        self.controls = controls
        self.chart = w.HTML()
        self.text = w.HTML()
        self.last_state = None
        for c in controls.values():
            c.observe(lambda _change: self.redraw(), names="value")
        box = w.HBox(list(controls.values()), layout=w.Layout(flex_flow="row wrap"))
        self.widget = w.VBox([box, self.chart, self.text])
        self.redraw()

    def values(self):
        return {name: c.value for name, c in self.controls.items()}

    def redraw(self):
        values = self.values()
        state = self.compute(**values)
        self.chart.value = self.render(state, **values)
        self.text.value = f'<b class="verdict">{escape(self.describe(state, **values))}</b>'
        self.last_state = state

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def _slider(description, value, lo, hi, step=0.1):
    import ipywidgets as w

    return w.FloatSlider(
        value=value,
        min=lo,
        max=hi,
        step=step,
        description=description,
        continuous_update=True,
        readout_format=".1f",
        layout=w.Layout(width="260px"),
    )


def _logit_sliders(z, lo, hi):
    return {f"z{j}": _slider(f"z{j}", v, lo, hi) for j, v in enumerate(z)}


def _gather(zs):
    return [zs[f"z{j}"] for j in range(len(zs))]


def mnist_widget(X, y):
    import ipywidgets as w

    controls = {"index": w.IntSlider(value=0, min=0, max=len(X) - 1, description="sample")}
    return LiveView(
        controls,
        compute=lambda index: mnist_digit_state(X, y, index),
        render=lambda s, **_: render_mnist_digit(s),
        describe=lambda s, **_: describe_mnist_digit(s),
    )


def softmax_widget(z=DEFAULT_LOGITS):
    controls = {**_logit_sliders(z, -5, 5), "T": _slider("T", 1.0, 0.1, 5.0)}
    return LiveView(
        controls,
        compute=lambda T, **zs: softmax_state(_gather(zs), T),
        render=lambda s, **_: render_softmax(s),
        describe=lambda s, **_: describe_softmax(s),
    )


def jacobian_widget(z=DEFAULT_LOGITS):
    import ipywidgets as w

    controls = {
        **_logit_sliders(z, -4, 4),
        "diagonal_only": w.ToggleButton(
            value=False, description="diagonal only", tooltip="keep only h_j(1 − h_j)"
        ),
    }
    return LiveView(
        controls,
        compute=lambda diagonal_only, **zs: jacobian_explorer_state(_gather(zs), diagonal_only),
        render=lambda s, **_: render_jacobian(s),
        describe=lambda s, **_: describe_jacobian(s),
    )


def spectrum_widget(z=DEFAULT_LOGITS):
    controls = {**_logit_sliders(z, -4, 4), "T": _slider("T", 1.0, 0.1, 5.0)}
    return LiveView(
        controls,
        compute=lambda T, **zs: jacobian_spectrum_state(_gather(zs), T),
        render=lambda s, **_: render_spectrum(s),
        describe=lambda s, **_: describe_spectrum(s),
    )


def vjp_widget(z=DEFAULT_LOGITS, g=None):
    import ipywidgets as w

    state = vjp_steps(z, DEFAULT_UPSTREAM if g is None else g)
    n = len(state["steps"])
    controls = {"step": w.IntSlider(value=n, min=1, max=n, description="step")}
    return LiveView(
        controls,
        compute=lambda step: state,
        render=lambda s, step: render_vjp_step(s, step - 1),
        describe=lambda s, step: describe_vjp_step(s, step - 1),
    )


def fused_widget():
    import ipywidgets as w

    controls = {
        "gap": w.FloatSlider(
            value=5, min=0, max=1000, step=1, description="logit gap", layout=w.Layout(width="360px")
        ),
        "smoothing": _slider("smoothing", 0.0, 0.0, 0.5, step=0.05),
        "dtype": w.ToggleButtons(options=["float64", "float32"], value="float64"),
    }
    return LiveView(
        controls,
        fused_gradient_state,
        render=lambda s, **_: render_fused(s),
        describe=lambda s, **_: describe_fused(s),
    )


def mismatch_widget():
    import ipywidgets as w

    names = ["sigmoid", "tanh", "softplus", "relu", "leaky_relu", "elu"]
    d = MISMATCH_DEFAULTS
    controls = {
        "hidden": w.Dropdown(options=names, value=d["hidden"], description="hidden"),
        "backprop_derivative": w.Dropdown(
            options=names, value=d["backprop_derivative"], description="backprop f'"
        ),
        "output": w.Dropdown(options=list(mismatch.OUTPUTS), value=d["output"], description="output"),
        "cost": w.Dropdown(options=list(mismatch.COSTS), value=d["cost"], description="cost"),
        "reg": w.FloatSlider(value=d["reg"], min=0, max=3, step=0.1, description="λ"),
        "eps": w.FloatLogSlider(value=d["eps"], base=10, min=-8, max=-1, step=1, description="ε"),
    }
    return LiveView(
        controls,
        mismatch_state,
        render=lambda s, **_: render_mismatch(s),
        describe=lambda s, **_: describe_mismatch(s),
    )


def prediction_widget(net, X, y):
    import ipywidgets as w

    controls = {"index": w.IntSlider(value=0, min=0, max=len(X) - 1, description="test digit")}
    return LiveView(
        controls,
        compute=lambda index: prediction_state(net, X, y, index),
        render=lambda s, **_: render_prediction(s),
        describe=lambda s, **_: describe_prediction(s),
    )


def bug_widget():
    import ipywidgets as w

    from . import bugs

    options = [(b.title, k) for k, b in bugs.BUGS.items()]
    controls = {
        "key": w.Dropdown(
            options=options, value=options[0][1], description="bug", layout=w.Layout(width="480px")
        )
    }
    return LiveView(
        controls,
        compute=bug_state,
        render=lambda s, **_: render_bug(s),
        describe=lambda s, **_: describe_bug(s),
    )


def epsilon_widget():
    import ipywidgets as w

    controls = {
        "eps": w.FloatLogSlider(
            value=1e-3, base=10, min=-12, max=-1, step=0.25, description="ε", readout_format=".0e"
        ),
        "dtype": w.ToggleButtons(options=["float64", "float32"], value="float32"),
    }
    return LiveView(
        controls,
        epsilon_state,
        render=lambda s, **_: render_epsilon(s),
        describe=lambda s, **_: describe_epsilon(s),
    )
