"""Proves the Matrix harness on this machine: a real Synapse and two real
matrix-nio clients talking in an encrypted direct chat.

A opens an encrypted DM with B (who joins invites by himself); A sends
"hello", which must be ``m.room.encrypted`` on the server and reach B
decrypted; B replies with HTML, and A gets it; B sends an encrypted file,
and A downloads and decrypts it; then B edits, A reacts, B starts a poll
that A answers, and both sides' counts are checked. Exits 0 with a one-line
summary (Synapse's readiness time and the whole run's), or non-zero naming
the step that failed and keeping the folder with Synapse's logs.

    $(bash scripts/matrix-env | tail -1)/bin/python tests/matrix/selftest.py
"""

import asyncio
import os
import shutil
import sys
import tempfile
import time
from importlib.metadata import version

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import homeserver  # noqa: E402
from person import Person  # noqa: E402

step = "start"


def expect(cond, what: str) -> None:
    """Fails the current step with ``what`` unless ``cond``."""
    if not cond:
        raise AssertionError(what)


async def conversation(hs: homeserver.Homeserver, d: str) -> None:
    """The two people's exchange; raises at the first thing that is wrong."""
    global step
    step = "register"
    a = await Person.register(hs.url, "alice", "alice-pw", os.path.join(d, "store-a"))
    b = await Person.register(hs.url, "bob", "bob-pw", os.path.join(d, "store-b"), auto_join=True)
    async with a, b:
        step = "open encrypted DM"
        room, _ = await asyncio.gather(
            a.open_dm(b.user_id),
            b.wait_until(lambda: list(b.client.rooms), 30, "joined room"))
        expect(b.client.rooms[room].encrypted, "B's room is not encrypted")
        await b.trust(a.user_id)

        step = "A -> B hello"
        sent = await a.send_text(room, "hello")
        expect((await a.raw_event(room, sent))["type"] == "m.room.encrypted",
               "hello is not m.room.encrypted on the server")
        [got] = await b.next_messages(room, a.user_id)
        expect(got.event_id == sent and got.body == "hello" and got.encrypted,
               f"B got {got}")

        step = "B -> A reply"
        reply = await b.send_text(room, "hi alice", "<b>hi</b> alice")
        [got] = await a.next_messages(room, b.user_id)
        expect(got.event_id == reply and got.formatted_body == "<b>hi</b> alice"
               and got.encrypted, f"A got {got}")

        step = "B -> A encrypted file"
        data = os.urandom(3000) + b"end"
        await b.send_file(room, data, "notes.bin")
        [got] = await a.next_messages(room, b.user_id)
        expect("file" in got.content and "url" not in got.content, "file not sent encrypted")
        expect(got.file == data, f"A's file differs ({got.file_error})")

        step = "edit, reaction, poll"
        await b.send(room, "m.room.message", {
            "msgtype": "m.text", "body": "* hi again", "m.new_content":
            {"msgtype": "m.text", "body": "hi again"},
            "m.relates_to": {"rel_type": "m.replace", "event_id": reply}})
        [edit] = await a.next_messages(room, b.user_id)
        expect(edit.replaces == reply and a.text_of(room, reply) == "hi again", f"edit {edit}")
        await a.react(room, reply, "👍")
        poll = await b.send(room, "org.matrix.msc3381.poll.start", {
            "org.matrix.msc3381.poll.start": {
                "kind": "org.matrix.msc3381.poll.disclosed", "max_selections": 1,
                "question": {"org.matrix.msc1767.text": "Pain?"},
                "answers": [{"id": "yes", "org.matrix.msc1767.text": "Yes"},
                            {"id": "no", "org.matrix.msc1767.text": "No"}]},
            "org.matrix.msc1767.text": "Pain?\n1. Yes\n2. No"})
        [got] = await a.next_messages(room, b.user_id)
        expect(got.poll_answers == [("yes", "Yes"), ("no", "No")], f"poll {got.content}")
        await a.vote(room, poll, ["no"])
        seen = await b.next_messages(room, a.user_id, count=2)
        expect([m.type for m in seen] == ["m.reaction", "org.matrix.msc3381.poll.response"]
               and seen[1].relates_to == {"rel_type": "m.reference", "event_id": poll},
               f"B saw {[(m.type, m.content) for m in seen]}")
        counts = await a.count_events(room)
        expect(counts == {a.user_id: 3, b.user_id: 4}, f"counts {counts}")


def main() -> int:
    """Runs the self-test and prints its one-line verdict."""
    began = time.monotonic()
    d = tempfile.mkdtemp(prefix="matrix-selftest-")
    hs = None
    try:
        hs = homeserver.start(os.path.join(d, "synapse"))
        asyncio.run(asyncio.wait_for(conversation(hs, d), 120))
    except BaseException as e:  # noqa: BLE001 - reported, then exit 1
        print(f"matrix selftest FAILED at step '{step}': {type(e).__name__}: {e}\n"
              f"  (Synapse's logs kept in {d}/synapse)", file=sys.stderr)
        return 1
    finally:
        if hs is not None:
            hs.stop()
    shutil.rmtree(d, ignore_errors=True)
    print(f"matrix selftest ok: Synapse {version('matrix-synapse')} ready in "
          f"{hs.ready_seconds:.1f} s; encrypted DM, text both ways, encrypted file, edit, "
          f"reaction, poll (matrix-nio {version('matrix-nio')}, vodozemac "
          f"{version('vodozemac')}); whole selftest {time.monotonic() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
