"""Message templates: sandboxed Jinja2, autoescaped HTML, overridable from config."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from watcher.clock import SYSTEM_CLOCK
from watcher.messages import Segment, TemplateRenderError, Templates, side_by_side
from watcher.notifiers.email import EmailNotifier

from tests.support.outbox import build_notifier, make_alert

NOW = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)


def test_html_templates_escape_the_filing_text() -> None:
    alert = make_alert(1, NOW)
    alert.payload["changes"][0]["evidence"] = "<script>alert(1)</script> & more"
    html = Templates().render("alert.html.j2", alert=alert.payload)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert "<script>" not in html
    text = Templates().render("alert.txt.j2", alert=alert.payload)
    assert "<script>alert(1)</script> & more" in text  # plain text stays as written


def test_a_template_folder_from_config_replaces_built_in_templates_by_name(
    tmp_path: Path,
) -> None:
    (tmp_path / "alert.subject.j2").write_text("ALERT {{ alert.severity | upper }}: "
                                               "{{ alert.title }}\n")
    (tmp_path / "desk.txt.j2").write_text("desk view of {{ alert.id }}\n")
    notifier = build_notifier({"name": "mail", "kind": "email", "host": "127.0.0.1",
                               "from": "w@acme.example", "to": ["a@acme.example"],
                               "templates": {"alert.txt.j2": "desk.txt.j2"}},
                              SYSTEM_CLOCK, templates={"directory": str(tmp_path)})
    assert isinstance(notifier, EmailNotifier)
    alert = make_alert(1, NOW)
    message = notifier.build(alert)
    assert message["Subject"] == "ALERT HIGH: Example Co: alert number 1"
    text = message.get_body(("plain",))
    assert text is not None and text.get_content() == f"desk view of {alert.id}\n"
    html = message.get_body(("html",))
    assert html is not None and 'class="changes"' in html.get_content()  # still built in


def test_templates_run_in_a_sandbox(tmp_path: Path) -> None:
    (tmp_path / "evil.txt.j2").write_text(
        "{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(TemplateRenderError, match=r"template evil\.txt\.j2"):
        Templates(str(tmp_path)).render("evil.txt.j2")


def test_a_missing_template_is_a_clear_error() -> None:
    with pytest.raises(TemplateRenderError, match=r"template nope\.txt\.j2: TemplateNotFound"):
        Templates().render("nope.txt.j2")


def test_a_template_folder_that_does_not_exist_is_refused_at_load() -> None:
    from watcher.config import parse_config
    from watcher.errors import ConfigError

    with pytest.raises(ConfigError, match=r"templates\.directory: no such folder"):
        parse_config({"templates": {"directory": "/nonexistent/watcher-templates"}},
                     environ={})


def test_side_by_side_marks_dropped_and_added_words_on_each_side() -> None:
    left, right = side_by_side("partners include Alpha and Beta.",
                               "partners include Beta and Gamma.")
    assert "".join(s.text for s in left) == "partners include Alpha and Beta."
    assert "".join(s.text for s in right) == "partners include Beta and Gamma."
    assert [s for s in left if s.op == "del"] and all(s.op != "ins" for s in left)
    assert [s for s in right if s.op == "ins"] and all(s.op != "del" for s in right)
    assert Segment("same", "partners include ") in left
    assert side_by_side(None, "new") == ([], [Segment("ins", "new")])
