from django.core.mail import send_mail
from django.test import override_settings

from srodesk.core.testing.smtp import smtp_server


def test_roundtrip():
    with smtp_server() as server:
        with override_settings(**server.settings):
            send_mail("Subj", "Body", "a@example.org", ["b@example.org"])
        msgs = server.wait_for(1)
        assert msgs[0]["Subject"] == "Subj"
        assert server.envelopes[0] == ("a@example.org", ["b@example.org"])
        server.stop()
        with override_settings(**server.settings):
            try:
                send_mail("S2", "B", "a@example.org", ["b@example.org"])
                raised = False
            except OSError:
                raised = True
        assert raised
