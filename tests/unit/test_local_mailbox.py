"""Mailbox.collect (infra/invoicing_infra/local/mailbox.py): new mail is numbered on from the files already in the
folder, which is listed once, not again for every new mail."""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace

from invoicing_infra.local import mailbox


def message(identifier: str) -> SimpleNamespace:
    return SimpleNamespace(id=identifier, raw_data=f"Subject: {identifier}\n\nbody\n")


def test_new_mail_is_numbered_after_the_saved_files_which_are_listed_once(tmp_path, monkeypatch):
    (tmp_path / "00001-20260101T000000Z-old1.eml").write_text("x")
    (tmp_path / "00002-20260101T000000Z-old2.eml").write_text("x")
    backend = SimpleNamespace(sent_messages=[])
    monkeypatch.setattr(mailbox, "_backend", lambda account, region: backend)
    listings = []
    glob = Path.glob
    monkeypatch.setattr(Path, "glob", lambda self, pattern: listings.append(pattern) or glob(self, pattern))
    box = mailbox.Mailbox(tmp_path, "123456789012", "eu-central-1", threading.Event())

    backend.sent_messages.append(message("a"))
    assert box.collect() == 1
    backend.sent_messages += [message("b"), message("c")]
    assert box.collect() == 2
    assert box.collect() == 0

    names = sorted(path.name.split("-")[0] + "-" + path.name.rsplit("-", 1)[1] for path in tmp_path.iterdir())
    assert names == ["00001-old1.eml", "00002-old2.eml", "00003-a.eml", "00004-b.eml", "00005-c.eml"]
    assert listings == ["*.eml"]
    assert (tmp_path / next(p.name for p in tmp_path.iterdir() if p.name.endswith("-b.eml"))).read_text().startswith(
        "Subject: b")
