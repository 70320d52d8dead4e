"""The bot on Matrix, end to end: the real bot binary against a real
Synapse, with a real matrix-nio client playing the person in an ENCRYPTED
direct chat (the way Element opens one).

The person opens the chat; the bot accepts the invitation. A whole check
follows, answered by tapping the poll the bot sends for a question and by
typing; it reaches self-care. Then ``!summary`` (a message and
``summary.html`` as an encrypted file the person decrypts), ``!forget``, and
the bot's own events are counted on the server (nothing repeated). Every
message the bot sends must be ``m.room.encrypted`` on the server. Prints
the transcript as the client saw it; exits non-zero naming the step that
failed, with the bot's log.

    $(bash scripts/matrix-env | tail -1)/bin/python tests/matrix/e2e.py target/debug/nasal-twitch-bot
"""

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import homeserver  # noqa: E402
from person import Message, Person  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
POLL_START = "org.matrix.msc3381.poll.start"
POLL_END = "org.matrix.msc3381.poll.end"

step = "start"
transcript: list[str] = []


def expect(cond, what: str) -> None:
    """Fails the current step with ``what`` unless ``cond``."""
    if not cond:
        raise AssertionError(what)


def shown(m: Message) -> str:
    """What the person reads in a bot event: a text, a poll, a poll's end, a file."""
    c = m.content
    if m.type == POLL_START:
        return c[POLL_START]["question"]["org.matrix.msc1767.text"]
    if m.type == POLL_END:
        return c.get("org.matrix.msc1767.text", "")
    return m.body or ""


def note(who: str, text: str, extra: str = "") -> None:
    """Adds one line to the transcript."""
    line = f"{who}: {text.splitlines()[0] if text else ''}"
    transcript.append(line[:150] + (f"  {extra}" if extra else ""))


class Chat:
    """The person's side of the direct chat with the bot."""

    def __init__(self, person: Person, room: str, bot: str):
        self.person, self.room, self.bot = person, room, bot

    async def said(self, count: int = 1) -> list[Message]:
        """The next ``count`` events from the bot, each checked to be encrypted."""
        got = await self.person.next_messages(self.room, self.bot, count, timeout=60)
        for m in got:
            raw = await self.person.raw_event(self.room, m.event_id)
            expect(raw["type"] == "m.room.encrypted",
                   f"the bot's {m.type} is {raw['type']} on the server, not encrypted")
            kind = {POLL_START: "[poll]", POLL_END: "[poll ended]"}.get(m.type, "")
            if m.msgtype == "m.file":
                kind = f"[file {m.body}]"
            options = " / ".join(text for _, text in m.poll_answers)
            note("bot", shown(m), f"{kind} {options}".strip())
        return got

    async def until(self, predicate, what: str, limit: int = 12) -> list[Message]:
        """Bot events up to and including the first that ``predicate`` accepts."""
        seen = []
        for _ in range(limit):
            [m] = await self.said()
            seen.append(m)
            if predicate(m):
                return seen
        raise AssertionError(f"no {what} among {[shown(m)[:60] for m in seen]}")

    async def type(self, text: str) -> None:
        """The person types ``text``."""
        note("person", text)
        await self.person.send_text(self.room, text)

    async def tap(self, poll: Message, label: str) -> None:
        """The person taps the option ``label`` of ``poll``."""
        ids = [i for i, text in poll.poll_answers if text == label]
        expect(ids, f"no option {label!r} in {poll.poll_answers}")
        note("person", f"taps “{label}”")
        await self.person.vote(self.room, poll.event_id, ids[:1])


def is_poll(m: Message) -> bool:
    return m.type == POLL_START


async def check(hs: homeserver.Homeserver, d: str, binary: str) -> None:
    """The whole scenario; raises at the first thing that is wrong."""
    global step
    step = "accounts"
    bot_account = hs.register("twitchbot", "bot-password")
    env = dict(os.environ)
    env.pop("TELOXIDE_TOKEN", None)
    env.update({
        "MATRIX_HOMESERVER": hs.url,
        "MATRIX_USER": bot_account["user_id"],
        "MATRIX_PASSWORD": "bot-password",
        "MATRIX_STORE": os.path.join(d, "bot-matrix"),
        "BOT_STORAGE": f"sqlite://{os.path.join(d, 'bot.sqlite')}",
        "BOT_DIALOGUES": os.path.join(REPO, "dialogues"),
        "BOT_LOCALES": os.path.join(REPO, "locales"),
        "RUST_LOG": env.get("RUST_LOG", "info,matrix_sdk=warn,matrix_sdk_crypto=warn"),
    })
    log = open(os.path.join(d, "bot.log"), "w")
    bot = subprocess.Popen([binary, "run"], env=env, stdout=log, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL)
    try:
        person = await Person.register(hs.url, "ana", "ana-password", os.path.join(d, "ana"))
        async with person:
            step = "open an encrypted direct chat"
            room = await person.open_dm(bot_account["user_id"], timeout=60)
            chat = Chat(person, room, bot_account["user_id"])
            expect(person.client.rooms[room].encrypted, "the direct chat is not encrypted")

            step = "start the check"
            await chat.type("!check")
            [*_, q1] = await chat.until(is_poll, "first question")
            expect("safety question" in shown(q1), f"first question: {shown(q1)}")

            step = "tap the stroke screen's answer"
            await chat.tap(q1, "No, none of these")
            [end, q2] = await chat.said(2)
            expect(end.type == POLL_END and end.relates_to["event_id"] == q1.event_id
                   and "✓ No, none of these" in shown(end), f"answer shown: {end.content}")
            expect(is_poll(q2) and "How often" in shown(q2), f"second question: {shown(q2)}")

            step = "type the other answers"
            for answer in ["3 times a day", "2 days", "no", "no", "no", "no"]:
                await chat.type(answer)
                seen = await chat.until(
                    lambda m: is_poll(m) or "SELF-CARE" in shown(m) or "SEE A DOCTOR" in shown(m),
                    "next question or outcome")
                expect(seen[0].type == POLL_END, f"the answered question is closed first: {seen[0].content}")
                if not is_poll(seen[-1]):
                    break
            expect("SELF-CARE" in shown(seen[-1]), f"outcome: {shown(seen[-1])}")
            offer = (await chat.until(is_poll, "follow-up offer"))[-1]

            step = "decline the follow-up"
            await chat.tap(offer, "No, thanks")
            [declined] = await chat.said()
            expect(declined.type == POLL_END and "No, thanks" in shown(declined),
                   f"the offer is closed with the answer: {declined.content}")

            step = "summary as an encrypted file"
            await chat.type("!summary")
            files = await chat.until(lambda m: m.msgtype == "m.file", "summary.html")
            summary = files[-1]
            expect("file" in summary.content and "url" not in summary.content,
                   "summary.html was not sent encrypted")
            expect(summary.file and b"SELF-CARE" in summary.file,
                   f"summary.html did not decrypt ({summary.file_error})")

            step = "forget"
            await chat.type("!forget")
            [gone] = await chat.said()
            expect("deleted everything" in shown(gone), f"forget: {shown(gone)}")

            step = "nothing repeated"
            counts = await person.count_events(room)
            received = len(person.messages(room, bot_account["user_id"]))
            expect(counts.get(bot_account["user_id"]) == received,
                   f"the server holds {counts} events, the person received {received}")
    finally:
        bot.terminate()
        try:
            bot.wait(20)
        except subprocess.TimeoutExpired:
            bot.kill()
        log.close()


def main() -> int:
    """Runs the scenario and prints the transcript and a verdict."""
    global step
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    began = time.monotonic()
    d = tempfile.mkdtemp(prefix="matrix-e2e-")
    hs = None
    try:
        step = "start Synapse"
        hs = homeserver.start(os.path.join(d, "synapse"))
        asyncio.run(asyncio.wait_for(check(hs, d, binary), 300))
    except BaseException as e:  # noqa: BLE001 - reported, then exit 1
        print("\n".join(transcript), file=sys.stderr)
        print(f"matrix e2e FAILED at step '{step}': {type(e).__name__}: {e}", file=sys.stderr)
        try:
            with open(os.path.join(d, "bot.log")) as f:
                print("--- bot log (last 40 lines) ---\n" + "".join(f.readlines()[-40:]),
                      file=sys.stderr)
        except OSError:
            pass
        print(f"(Synapse's logs kept in {d}/synapse)", file=sys.stderr)
        return 1
    finally:
        if hs is not None:
            hs.stop()
    shutil.rmtree(d, ignore_errors=True)
    print("\n".join(transcript))
    print(f"matrix e2e ok: an encrypted check to self-care by tapping and typing, "
          f"summary.html decrypted, /forget; {time.monotonic() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
