"""The anchor JupyterLab gives a heading, which the notebooks' links between sections use."""


def slug(text):
    """``The map`` -> ``The-map``, ``课程地图`` stays: spaces become hyphens, nothing else changes."""
    return "-".join(text.split())
