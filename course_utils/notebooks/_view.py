"""What the notebooks' widgets share: the live view that redraws a picture, sliders, default logits.

A widget is three pure functions of its companion module (``*_state`` computes numbers, ``draw_*``
turns them into an SVG :class:`~course_utils.svg.Picture`, ``describe_*`` says the verdict in
words) wired to controls by :class:`LiveView`. The notebook shows ``draw_*`` of the default state
first, as a static figure, then the live widget, which calls the same ``draw_*`` on every change.
"""

from html import escape

import numpy as np

DEFAULT_LOGITS = (2.0, 1.0, 0.1, -1.0)
# The fixed upstream gradient dL/dh that the Jacobian explorer and the VJP stepper push back; for
# another number of classes the same pattern is repeated or cut (see ``upstream``).
DEFAULT_UPSTREAM = np.array([1.0, -0.5, 0.75, -1.25])
GRADCHECK_TOL = 1e-7


def upstream(C):
    """The default upstream gradient for ``C`` classes: ``DEFAULT_UPSTREAM`` repeated and cut, (C,)."""
    return np.resize(DEFAULT_UPSTREAM, int(C))


def tempered(z, temperature):
    """``z / T``, refusing a temperature that is not a positive finite number."""
    if not (np.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature must be a positive number, got {temperature}")
    return z / temperature


def logits(z):
    """Logits of one sample as a float64 vector (C,), C >= 2, every entry finite."""
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 1 or z.size < 2:
        raise ValueError(f"logits must be a vector of at least 2 classes, got shape {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError(f"logits must be finite, got {z}")
    return z


class LiveView:
    """Controls over a picture (an ``ipywidgets.HTML`` holding SVG) and a verdict line.

    Every control calls ``redraw()``: compute the state with the pure function, draw it, describe
    it. Nothing is printed. ``last_state``, ``chart.value`` and ``text.value`` are what tests,
    benchmarks and the browser test read.
    """

    def __init__(self, controls, compute, draw, describe):
        import ipywidgets as w

        self.compute, self.draw, self.describe = compute, draw, describe
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
        self.chart.value = self.draw(state, **values).svg
        self.text.value = f'<b class="verdict">{escape(self.describe(state, **values))}</b>'
        self.last_state = state

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def slider(description, value, lo, hi, step=0.1):
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


def logit_sliders(z, lo, hi):
    """One slider per logit, named ``z0``, ``z1``, ...; ``gather`` turns their values back into z."""
    return {f"z{j}": slider(f"z{j}", v, lo, hi) for j, v in enumerate(z)}


def gather(zs):
    return [zs[f"z{j}"] for j in range(len(zs))]
