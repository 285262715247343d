"""moto's SES keeps every email it sent, attachments included, in memory (one invoice PDF each): the local stack
keeps the last SENT_MAIL_KEPT of them, which is what tests and people look at; the count stays exact."""

from __future__ import annotations

from typing import Any

SENT_MAIL_KEPT = 200


class RecentList(list):
    """A list that forgets its oldest entries beyond `limit` on append."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def append(self, item: Any) -> None:
        super().append(item)
        if len(self) > self.limit:
            del self[: len(self) - self.limit]


def install() -> None:
    from moto.ses.models import SESBackend

    if getattr(SESBackend.__init__, "_recent_mail", False):
        return
    moto_init = SESBackend.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        moto_init(self, *args, **kwargs)
        self.sent_messages = RecentList(SENT_MAIL_KEPT)

    __init__._recent_mail = True  # type: ignore[attr-defined]
    SESBackend.__init__ = __init__  # type: ignore[method-assign]
