"""Slides: built from the learner copy, they scroll, and the guide names every host they load from."""

from urllib.parse import urlparse

from course_utils.teaching import classroom, slides


def test_a_deck_is_built_from_the_learner_copy_and_scrolls(tmp_path):
    (path,) = slides.build(["02_softmax_jacobian"], tmp_path)
    html = path.read_text()
    assert path == tmp_path / "02_softmax_jacobian.slides.html"
    assert "var scroll = true" in html
    assert "NotImplementedError" in html and "Your copy" in html and "BEGIN SOLUTION" not in html
    hosts = {urlparse(u).netloc for u in slides.network_assets(html)}
    assert hosts, "a deck loads reveal.js from somewhere"
    guide = (classroom.ROOT / "notebooks" / "TEACHER_GUIDE.md").read_text()
    assert all(host in guide for host in hosts), hosts
