"""What every process that changes the register installs once, before its first change: where events
go (an `EventSink`, the webhooks' outbox in the served app) and what follows each change of an AI
system (its obligations). The app, the CLI and the tests call `compose`. (The webhook worker, which
changes no AI system, installs only its sink.)"""

from __future__ import annotations

from registry.events import EventSink, use_sink
from registry.mail import MailSink, use_mail_sink
from registry.obligations.following import Obligations
from registry.systems.followers import use_follower


def compose(sink: EventSink) -> None:
    use_sink(sink)
    use_follower(Obligations())
    # The outbox that carries the events carries the mail too (webhooks/outbox.py, webhooks/mail.py).
    use_mail_sink(sink if isinstance(sink, MailSink) else None)
