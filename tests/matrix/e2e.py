"""The bot on Matrix, end to end: the real bot binary against a real
Synapse, with a real matrix-nio client playing the person in an ENCRYPTED
direct chat (the way Element opens one).

The person opens the chat; the bot accepts the invitation. A whole check
follows, answered by tapping the poll the bot sends for a question and by
typing; it reaches self-care, ending with the signs to call for help on.
A twitch diary is switched on from its offer and logged by a tap and by
words; ``!diary`` sends its chart as an encrypted image the person decrypts
to a PNG. Then ``!summary`` (a message, the chart, and ``summary.html`` with
the chart inside as an encrypted file the person decrypts), ``!forget``, and the bot's own events are counted on the
server (nothing repeated). A stroke sign typed mid-check is caught and
leads to the emergency advice; a whole check runs in Spanish after
``!language``; commands are shown as ``!check``, the way Matrix people type
them; a group room the bot is kicked from has its replies owed dropped and
its settings deleted; the bot killed mid-check and started again, and
Synapse stopped mid-check, lose and repeat nothing; so does killing the
syncing one of two replicas on one Redis (the other, standing by, takes
over and reads the encrypted chat); and killing the bot just after a send
reached Synapse, before it heard back, repeats nothing either (the send
goes again under its transaction id), nor does a restart after a batch
was synced but not stored (it is taken in again, and the replies' ids
are new). The stroke screen's signs come one a
line in a message before its poll (Element runs a poll question's lines
together). Every message the bot sends must be
``m.room.encrypted`` on the server. Prints
the transcript as the client saw it; exits non-zero naming the step that
failed, with the bot's log.

    $(bash scripts/matrix-env | tail -1)/bin/python tests/matrix/e2e.py target/debug/nasal-twitch-bot
"""

import asyncio
import glob
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import homeserver  # noqa: E402
from lossy import LossyProxy  # noqa: E402
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
        """The next ``count`` events from the bot, each checked to be encrypted
        on the server when the room is."""
        got = await self.person.next_messages(self.room, self.bot, count, timeout=60)
        encrypted = self.person.client.rooms[self.room].encrypted
        for m in got:
            raw = await self.person.raw_event(self.room, m.event_id)
            expect(raw["type"] == "m.room.encrypted" or not encrypted,
                   f"the bot's {m.type} is {raw['type']} on the server, not encrypted")
            kind = {POLL_START: "[poll]", POLL_END: "[poll ended]"}.get(m.type, "")
            if m.msgtype in ("m.file", "m.image"):
                kind = f"[{m.msgtype[2:]} {m.content.get('filename') or m.body}]"
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
    """Whether ``m`` is a question with options to tap."""
    return m.type == POLL_START


class Bot:
    """The bot binary on Matrix, with its store in ``d``: started, stopped,
    killed with SIGKILL and started again on the same store."""

    def __init__(self, binary: str, hs: homeserver.Homeserver, d: str, name: str,
                 account: dict | None = None, storage: str | None = None,
                 url: str | None = None):
        self.binary, self.d = binary, d
        # A replica shares another's account (``account``), with a device and
        # a MATRIX_STORE of its own.
        self.account = account or hs.register(name, "bot-password")
        self.user_id = self.account["user_id"]
        self.env = dict(os.environ)
        self.env.pop("TELOXIDE_TOKEN", None)
        self.env.update({
            "MATRIX_HOMESERVER": url or hs.url,
            "MATRIX_USER": self.user_id,
            "MATRIX_PASSWORD": "bot-password",
            "MATRIX_STORE": os.path.join(d, "bot-matrix"),
            "BOT_STORAGE": storage or f"sqlite://{os.path.join(d, 'bot.sqlite')}",
            "BOT_DIALOGUES": os.path.join(REPO, "dialogues"),
            "BOT_LOCALES": os.path.join(REPO, "locales"),
            "BOT_FOLLOW_UP_AFTER": "2s",
            "RUST_LOG": self.env.get("RUST_LOG", "info,matrix_sdk=warn,matrix_sdk_crypto=warn"),
        })
        self.process = None
        self.start()

    def start(self) -> None:
        """Starts the binary (appending to its log)."""
        self.log = open(os.path.join(self.d, "bot.log"), "a")
        self.process = subprocess.Popen([self.binary, "run"], env=self.env, stdout=self.log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def logged(self) -> str:
        """What the bot has logged so far."""
        with open(os.path.join(self.d, "bot.log")) as f:
            return f.read()

    async def until_logged(self, text: str, timeout: float = 60) -> None:
        """Waits until the bot's log holds ``text``."""
        deadline = time.monotonic() + timeout
        while text not in self.logged():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise TimeoutError(f"the bot did not log {text!r}")
            await asyncio.sleep(0.2)

    def kill9(self) -> None:
        """SIGKILL: no chance to finish anything."""
        self.process.kill()
        self.process.wait(10)
        self.log.close()

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not stop within 20 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


async def nothing_repeated_or_lost(chat: Chat) -> list[Message]:
    """The bot's events in the chat, checked: none repeated, and the server
    holds as many as the person received (wait for the bot's last event
    first)."""
    mine = chat.person.messages(chat.room, chat.bot)
    expect(distinct(mine), "a message was repeated")
    counts = await chat.person.count_events(chat.room)
    expect(counts.get(chat.bot) == len(mine),
           f"the server holds {counts}, the person received {len(mine)}")
    return mine


def distinct(messages: list[Message]) -> bool:
    """Whether no event of ``messages`` repeats another (same type and content)."""
    seen = [(m.type, str(sorted(m.content.items()))) for m in messages]
    return len(seen) == len(set(seen))


def expect_safety_net(outcome: Message, net: str, numbers: str) -> None:
    """The outcome's guidance ends with the signs to call for help on (``net``,
    the start of the line) and the numbers to call (``numbers``), before the
    disclaimer that follows a blank line."""
    lines = shown(outcome).splitlines()
    at = [i for i, line in enumerate(lines) if line.startswith(net)]
    expect(at, f"no line starting {net!r} in the outcome: {lines}")
    after = lines[at[0] + 1:at[0] + 3]
    expect(after[:1] == [numbers] and after[1:] in ([], [""]),
           f"the safety net is not the end of the guidance, with the numbers: {after}")


def expect_typed_commands(m: Message, phrase: str) -> None:
    """``phrase`` (a command written with ``!``) is in both the plain body and
    the HTML of ``m``, and no command is written with ``/`` in either."""
    for form, text in (("body", m.body or ""), ("formatted_body", m.formatted_body or "")):
        expect(phrase in text, f"{phrase!r} not in the {form}: {text!r}")
        expect("/cancel" not in text and "/check" not in text,
               f"a command with / in the {form}: {text!r}")


async def check(bot: Bot, hs: homeserver.Homeserver, d: str) -> None:
    """A whole encrypted check to self-care, a follow-up, /summary, /export,
    /privacy and /forget."""
    global step
    person = await Person.register(hs.url, "ana", "ana-password", os.path.join(d, "ana"))
    async with person:
        step = "open an encrypted direct chat"
        room = await person.open_dm(bot.user_id, timeout=60)
        chat = Chat(person, room, bot.user_id)
        expect(person.client.rooms[room].encrypted, "the direct chat is not encrypted")

        step = "start the check"
        await chat.type("!check")
        [*_, screen, q1] = await chat.until(is_poll, "first question")
        expect("safety question" in shown(q1), f"first question: {shown(q1)}")
        # Element drops a poll question's line breaks: the screen's signs come
        # one a line in a message, and the poll asks the question's first line.
        expect(len(shown(q1).splitlines()) == 1, f"a poll question of lines: {shown(q1)!r}")
        expect(screen.type == "m.room.message" and screen.body.startswith(shown(q1)),
               f"the screen before its poll: {screen.type} {screen.body!r}")
        signs = [line for line in screen.body.splitlines() if line.startswith("• ")]
        expect(len(signs) == 7 and all(f"<br>{s}" in (screen.formatted_body or "") for s in signs),
               f"the signs, one a line: {screen.formatted_body!r}")

        step = "tap the stroke screen's answer"
        await chat.tap(q1, "No, none of these")
        [end, q2] = await chat.said(2)
        expect(end.type == POLL_END and end.relates_to["event_id"] == q1.event_id
               and "✓ No, none of these" in shown(end), f"answer shown: {end.content}")
        expect(is_poll(q2) and "How often" in shown(q2), f"second question: {shown(q2)}")

        step = "a tap on the answered question changes nothing"
        await chat.tap(q1, "Yes, I have one of these")
        [again] = await chat.said()
        expect(is_poll(again) and shown(again) == shown(q2), f"shown again: {shown(again)}")

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
        expect_safety_net(seen[-1], "🚨 Call an emergency number straight away if, suddenly,",
                          "Emergency numbers: 999 (UK) · 112 (EU) · 911 (US and Canada)")
        offer = (await chat.until(is_poll, "follow-up offer"))[-1]
        diary_offer = (await chat.until(is_poll, "diary offer"))[-1]
        expect("twitch diary" in shown(diary_offer), f"diary offer: {shown(diary_offer)}")

        step = "a follow-up (BOT_FOLLOW_UP_AFTER=2s)"
        await chat.tap(offer, "Check on me in 3 days")
        [*_, accepted] = await chat.until(lambda m: m.type != POLL_END,
                                          "the follow-up's confirmation")
        expect_typed_commands(accepted, "!cancel stops it.")
        due = (await chat.until(is_poll, "the follow-up question"))[-1]
        expect("still there" in shown(due) or "How is" in shown(due), f"follow-up: {shown(due)}")
        await chat.tap(due, due.poll_answers[-1][1])
        await chat.until(lambda m: m.type != POLL_END, "the follow-up's answer")

        step = "a diary: switched on, logged by a tap and by words, drawn as an encrypted image"
        await chat.tap(diary_offer, "Start a diary")
        started = (await chat.until(is_poll, "the diary's log button"))[-1]
        expect("Your diary is on" in shown(started), f"diary on: {shown(started)}")
        await chat.tap(started, "Twitching now")
        # The report, then a poll asking the text's last line (its question).
        [*_, report, logged] = await chat.until(is_poll, "the log's tags")
        expect(shown(report).startswith("✓ Logged: 1 episode")
               and "Did anything come with it?" in shown(logged)
               and any(text == "Stress or worry" for _, text in logged.poll_answers),
               f"logged: {shown(report)} / {shown(logged)} {logged.poll_answers}")
        await chat.type("twitched 3 times this morning")
        [*_, report, logged] = await chat.until(is_poll, "the typed log")
        expect(shown(report).startswith("✓ Logged: 3 episodes"), f"typed log: {shown(report)}")
        await chat.type("!diary")
        chart = (await chat.until(lambda m: m.msgtype == "m.image", "the diary chart"))[-1]
        expect("file" in chart.content and "url" not in chart.content,
               "the chart was not sent encrypted")
        expect(chart.file and chart.file.startswith(b"\x89PNG"),
               f"the chart did not decrypt to a PNG ({chart.file_error})")
        expect("4 episodes on 1 day" in (chart.content.get("body") or "")
               or "4 episodes on 1 day" in json.dumps(chart.content),
               f"chart caption: {chart.content}")

        step = "summary as an encrypted file"
        await chat.type("!summary")
        files = await chat.until(lambda m: m.msgtype == "m.file", "summary.html")
        summary = files[-1]
        expect("file" in summary.content and "url" not in summary.content,
               "summary.html was not sent encrypted")
        expect(summary.file and b"SELF-CARE" in summary.file,
               f"summary.html did not decrypt ({summary.file_error})")
        expect(b"<h2>Twitch diary</h2>" in summary.file and b"data:image/png;base64," in summary.file,
               "summary.html lacks the diary's chart")
        expect(any(m.msgtype == "m.image" and m.file for m in files),
               "/summary did not send the chart as an image")

        step = "export and privacy"
        await chat.type("!export")
        exported = (await chat.until(lambda m: m.msgtype == "m.file", "export.json"))[-1]
        expect(exported.file and b'"check"' in exported.file and b"follow_up" in exported.file,
               f"export.json did not decrypt or lacks the check ({exported.file_error})")
        await chat.type("!privacy")
        [privacy] = await chat.said()
        expect("delete" in shown(privacy).lower(), f"privacy: {shown(privacy)[:80]}")

        step = "forget"
        await chat.type("!forget")
        [gone] = await chat.said()
        expect("deleted everything" in shown(gone), f"forget: {shown(gone)}")

        step = "nothing repeated"
        counts = await person.count_events(room)
        received = len(person.messages(room, bot.user_id))
        expect(counts.get(bot.user_id) == received,
               f"the server holds {counts} events, the person received {received}")


async def group_with_bot(creator: Person, member: Person, bot: Bot, name: str) -> str:
    """A room ``creator`` makes with ``member`` in it (who accepts the
    invitation as they sync), then the bot, invited and joined; its id."""
    room = (await creator.client.room_create(name=name, invite=[member.user_id])).room_id
    await asyncio.gather(creator.wait_joined(room, member.user_id, 60),
                         member.wait_until(lambda: room in member.client.rooms, 60,
                                           "the member in"))
    await creator.client.room_invite(room, bot.user_id)
    await creator.wait_joined(room, bot.user_id, 60)
    return room


async def group(bot: Bot, hs: homeserver.Homeserver, d: str) -> None:
    """A room of three: the bot introduces itself, answers !check with a link
    to a direct chat (never a health question), refuses !settings to a member
    below power level 50 and shows them to the room's creator."""
    global step
    step = "a group room"
    cleo = await Person.register(hs.url, "cleo", "cleo-password", os.path.join(d, "cleo"))
    dan = await Person.register(hs.url, "dan", "dan-password", os.path.join(d, "dan"),
                                auto_join=True)
    async with cleo, dan:
        room = await group_with_bot(cleo, dan, bot, "Twitch support")
        chat = Chat(cleo, room, bot.user_id)
        [intro] = await chat.said()
        expect("everyone" in shown(intro).lower(), f"introduction: {shown(intro)}")

        step = "!check in a group"
        await dan.send_text(room, "!check")
        [link] = await chat.said()
        expect("matrix.to/#/" + bot.user_id in (link.formatted_body or ""),
               f"a link to a direct chat: {link.content}")
        expect(not is_poll(link), "no question in a group")

        step = "!settings below power level 50"
        await dan.send_text(room, "!settings")
        [refused] = await chat.said()
        expect("admin" in shown(refused).lower(), f"refused: {shown(refused)}")

        step = "!settings by the room's creator"
        await cleo.send_text(room, "!settings")
        [listed, settings] = await chat.said(2)
        expect(listed.type == "m.room.message" and "Welcome message for new members: off"
               in listed.body.splitlines(), f"the settings, one a line: {listed.content}")
        expect(is_poll(settings) and shown(settings) == "Settings for this group",
               f"settings to tap: {settings.content}")


async def begin_check(person: Person, bot: str) -> tuple[Chat, Message]:
    """A direct chat with ``bot`` (encrypted, as the harness opens them) and
    ``!check`` in it; returns the chat and the first question."""
    room = await person.open_dm(bot, timeout=60)
    expect(person.client.rooms[room].encrypted, "the direct chat is not encrypted")
    chat = Chat(person, room, bot)
    await chat.type("!check")
    [*_, q1] = await chat.until(is_poll, "first question", 20)
    return chat, q1


async def at_question_3(person: Person, bot: str) -> Chat:
    """A check begun in a direct chat with ``bot``, answered by a tap (no
    stroke sign) and by typing up to the third question."""
    chat, q1 = await begin_check(person, bot)
    await chat.tap(q1, "No, none of these")
    await chat.until(lambda m: is_poll(m) and "How often" in shown(m), "question 2")
    await chat.type("3 times a day")
    await chat.until(lambda m: is_poll(m) and "How long" in shown(m), "question 3")
    return chat


async def red_flag(bot: Bot, hs: homeserver.Homeserver, d: str) -> None:
    """A stroke sign typed mid-check, in an encrypted direct chat: the bot
    asks whether it is happening now, and a yes gets the emergency advice."""
    global step
    step = "a stroke sign typed mid-check"
    ivy = await Person.register(hs.url, "ivy", "ivy-password", os.path.join(d, "ivy"))
    async with ivy:
        chat = await at_question_3(ivy, bot.user_id)
        await chat.type("my left arm suddenly went weak")
        [*_, confirm] = await chat.until(is_poll, "the sign's confirmation")
        asked = shown(confirm)
        expect("You described weakness in an arm or a leg, or down one side of your body."
               in asked and "Is this happening now, or did it start suddenly?" in asked,
               f"the sign's confirmation: {asked}")
        expect([t for _, t in confirm.poll_answers] == ["Yes, it is happening", "No, not now"],
               f"its options: {confirm.poll_answers}")

        step = "yes, it is happening"
        await chat.type("yes")
        [*_, advice] = await chat.until(lambda m: "EMERGENCY" in shown(m), "emergency advice")
        lines = shown(advice).splitlines()
        expect(lines[0].startswith("🚨 EMERGENCY: call emergency services now"),
               f"emergency verdict: {lines[0]}")
        expect("Emergency numbers: 999 (UK) · 112 (EU) · 911 (US and Canada)" in lines,
               f"no emergency numbers line in {lines}")
        transcript.append("red flag: a weak arm typed at question 3 was caught; "
                          "yes → EMERGENCY with the numbers")


async def spanish(bot: Bot, hs: homeserver.Homeserver, d: str) -> None:
    """``!language`` → Español, then a whole check in Spanish to see a doctor,
    the outcome ending with the Spanish safety net and numbers."""
    global step
    step = "!language: Español"
    paz = await Person.register(hs.url, "paz", "paz-password", os.path.join(d, "paz"))
    async with paz:
        room = await paz.open_dm(bot.user_id, timeout=60)
        chat = Chat(paz, room, bot.user_id)
        await chat.type("!language")
        [*_, menu] = await chat.until(is_poll, "the language menu")
        await chat.tap(menu, "Español")
        [*_, told] = await chat.until(lambda m: m.type != POLL_END, "the language's confirmation")
        expect("te escribiré en español" in shown(told), f"language set: {shown(told)}")

        step = "a check in Spanish"
        await chat.type("!check")
        [*_, q1] = await chat.until(is_poll, "first question")
        expect("Primero, una pregunta de seguridad" in shown(q1), f"screen: {shown(q1)}")
        expect([t for _, t in q1.poll_answers] == ["Sí, tengo alguno", "No, ninguno"],
               f"screen options: {q1.poll_answers}")
        await chat.type("no")
        [end, *_] = await chat.until(is_poll, "question 2")
        expect(end.type == POLL_END and shown(end).startswith("Primero, una pregunta de seguridad"),
               f"the screen closed: {shown(end)[:80]}")
        doctor = "CONSULTA A UN MÉDICO"
        asked = []
        # A change in sight ("sí") brings the sudden-sight safety question;
        # "poco a poco" (gradually) is a clear no to it.
        for answer in ["varias veces al día", "2 semanas", "no", "sí", "poco a poco", "sí",
                       "me duele un poco la cabeza", "no"]:
            await chat.type(answer)
            seen = await chat.until(lambda m: is_poll(m) or doctor in shown(m),
                                    "next question or outcome")
            asked.extend(shown(m) for m in seen if is_poll(m))
            if not is_poll(seen[-1]):
                break
        expect(any("¿El cambio en la vista apareció de repente" in q for q in asked),
               f"the sudden-sight question was not asked: {[q[:40] for q in asked]}")
        outcome = seen[-1]
        expect(shown(outcome).startswith("🩺 " + doctor), f"outcome: {shown(outcome)[:80]}")
        expect("me duele un poco la cabeza" in shown(outcome), "their own words are not in it")
        expect("Notaste cambios en la vista o en el oído" in shown(outcome),
               "the gradual change of sight is not in the outcome")
        expect_safety_net(outcome, "🚨 Llama a emergencias de inmediato si, de repente",
                          "Números de emergencia: 112 (España, UE y muchos otros países) · "
                          "911 (México, EE. UU. y gran parte de Latinoamérica)")
        transcript.append("spanish: !language → Español; a check in Spanish, sight changed "
                          "\"poco a poco\" at the sudden-sight question, to CONSULTA A UN "
                          "MÉDICO, ending with the Spanish safety net")


def chat_id(room_id: str, private: bool) -> int:
    """The store's chat id of ``room_id``, as src/matrix/rooms.rs makes it."""
    h = 0xcbf29ce484222325
    for byte in room_id.encode():
        h = ((h ^ byte) * 0x100000001b3) % 2**64
    base = 1 << 52
    return (base + h % base) * (1 if private else -1)


def stored(d: str, sql: str, *args) -> int:
    """One number from the bot's SQLite store (read only, beside the bot)."""
    db = sqlite3.connect(f"file:{os.path.join(d, 'bot.sqlite')}?mode=ro", uri=True, timeout=10)
    try:
        return db.execute(sql, args).fetchone()[0]
    finally:
        db.close()


async def kicked(bot: Bot, hs: homeserver.Homeserver, d: str) -> None:
    """A group room with settings and replies still owed (the bot paces a
    room at one message a second after a burst): the bot is kicked. Nothing
    more arrives in the room, its queue and settings are gone from the
    store, and the bot still answers someone else."""
    global step
    step = "a group room to be kicked from"
    kim = await Person.register(hs.url, "kim", "kim-password", os.path.join(d, "kim"))
    lou = await Person.register(hs.url, "lou", "lou-password", os.path.join(d, "lou"),
                                auto_join=True)
    async with kim, lou:
        room = await group_with_bot(kim, lou, bot, "Kick test")
        chat = Chat(kim, room, bot.user_id)
        await chat.said()  # the introduction
        await kim.send_text(room, "!settings")
        [_, menu] = await chat.said(2)  # the settings, then their poll
        await chat.tap(menu, "Welcome on")
        await chat.until(lambda m: "Saved" in shown(m) or "Welcome message" in shown(m),
                         "the setting saved")
        group = chat_id(room, False)
        await kim.wait_until(
            lambda: stored(d, "SELECT count(*) FROM groups WHERE chat_id = ?", group),
            30, "the group's settings in the store")

        step = "replies owed when the bot is kicked"
        base = len(kim.messages(room, bot.user_id))
        for who in (kim, lou):
            for command in ("!help", "!about", "!tips", "!check"):
                await who.send_text(room, command)
        await chat.said()
        await kim.client.room_kick(room, bot.user_id, reason="e2e: kicked with replies owed")
        note("kim", "kicks the bot")
        await kim.wait_until(lambda: bot.user_id not in kim.client.rooms[room].users, 30,
                             "the bot out of the room")
        before = len(kim.messages(room, bot.user_id))
        owed = lambda: stored(d, "SELECT count(*) FROM outbox WHERE chat_id = ?", group)
        left = lambda: stored(d, "SELECT count(*) FROM groups WHERE chat_id = ?", group)
        await kim.wait_until(lambda: owed() == 0 and left() == 0, 30,
                             "the room's queue and settings dropped")
        # Longer than any retry pause would be at this point.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            await kim.sync(1000)
        after = len(kim.messages(room, bot.user_id))
        expect(after == before, f"{after - before} bot events arrived after the kick")
        counts = await kim.count_events(room)
        expect(counts.get(bot.user_id) == after, f"server {counts}, received {after}")
        sent = after - base
        expect(sent < 8, f"all {sent} replies went out before the kick; nothing was owed")

        step = "the bot serves others after the kick"
        other = Chat(lou, await lou.open_dm(bot.user_id, timeout=60), bot.user_id)
        await other.type("!help")
        [helped] = await other.said()
        expect_typed_commands(helped, "!check")
        transcript.append(f"kicked: {sent} of 8 replies went out before the kick; the rest "
                          "dropped, the room's settings deleted, nothing sent after; "
                          "others still served")


async def kill9(bot: Bot, hs: homeserver.Homeserver, d: str) -> None:
    """SIGKILL mid-check, then a restart on the same store: the check goes on
    where it was; nothing is lost, nothing applied twice, nothing repeated."""
    global step
    step = "kill -9 mid-check"
    eve = await Person.register(hs.url, "eve", "eve-password", os.path.join(d, "eve"))
    async with eve:
        chat, _ = await begin_check(eve, bot.user_id)
        room = chat.room
        await chat.type("no")
        await chat.said(2)
        bot.kill9()
        await chat.type("3 times a day")
        await chat.type("2 days")
        bot.start()
        step = "after the restart"
        seen = await chat.until(lambda m: is_poll(m) and "pain" in shown(m), "question 4", 8)
        expect([m.type for m in seen].count(POLL_END) == 2,
               f"both answers taken once: {[shown(m)[:40] for m in seen]}")
        for answer in ["no", "no", "no", "no"]:
            await chat.type(answer)
            seen = await chat.until(lambda m: is_poll(m) or "SELF-CARE" in shown(m), "next")
        expect("SELF-CARE" in shown(seen[-1]), f"outcome: {shown(seen[-1])}")
        await chat.until(is_poll, "follow-up offer")
        mine = eve.messages(room, bot.user_id)
        expect(distinct(mine), "a message was repeated")
        counts = await eve.count_events(room)
        expect(counts.get(bot.user_id) == len(mine),
               f"the server holds {counts}, the person received {len(mine)}")
        transcript.append(f"kill -9: {len(mine)} bot events, none repeated, none lost")


class Redis:
    """A throwaway redis-server on a free port of 127.0.0.1, for replicas."""

    def __init__(self, d: str):
        self.port = homeserver.free_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", d],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while subprocess.run(["redis-cli", "-p", str(self.port), "ping"],
                             capture_output=True, text=True).stdout.strip() != "PONG":
            if time.monotonic() > deadline:
                raise TimeoutError("redis-server did not answer PING")
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


async def replicas(binary: str, hs: homeserver.Homeserver, d: str) -> None:
    """Two replicas of the bot on one Redis, one account with a device each:
    one syncs, the other stands by (keeping its own device current). The
    one syncing is killed with SIGKILL mid-check; the other takes the sync
    over, and the check in the encrypted chat goes on: nothing lost, nothing
    applied twice, nothing repeated."""
    global step
    step = "two replicas on one Redis"
    redis = Redis(d)
    dirs = [os.path.join(d, f"replica-{i}") for i in (1, 2)]
    for replica_dir in dirs:
        os.makedirs(replica_dir)
    first = Bot(binary, hs, dirs[0], "replicabot", storage=redis.url)
    second = None
    try:
        await first.until_logged("Matrix: logged in")
        await asyncio.sleep(1)  # the first claims the sync before the second starts
        second = Bot(binary, hs, dirs[1], "", account=first.account, storage=redis.url)
        await second.until_logged("this one stands by")
        expect("stands by" not in first.logged(), "the first replica stands by too")
        rex = await Person.register(hs.url, "rex", "rex-password", os.path.join(d, "rex"))
        async with rex:
            chat = await at_question_3(rex, first.user_id)
            first.kill9()
            killed = time.monotonic()
            step = "the standby replica takes the sync over"
            await chat.type("2 days")
            seen = await chat.until(lambda m: is_poll(m) and "pain" in shown(m), "question 4", 4)
            took = time.monotonic() - killed
            expect("this replica syncs now" in second.logged(), "the second replica never synced")
            expect([m.type for m in seen].count(POLL_END) == 1,
                   f"the answer taken once: {[shown(m)[:40] for m in seen]}")
            said = await answer_all(chat, ["no", "no", "no", "no"])
            expect("SELF-CARE" in shown(said[-1]), f"outcome: {shown(said[-1])}")
            await chat.until(is_poll, "follow-up offer")
            mine = await nothing_repeated_or_lost(chat)
            expect(all(m.decrypted for m in mine), "a bot event the person could not decrypt")
            expect(in_order(mine), f"questions out of order: {[shown(m)[:12] for m in mine]}")
            transcript.append(f"replicas: two on one Redis, the syncing one killed -9 at "
                              f"question 3; the other answered {took:.1f} s later (the sync "
                              f"lease lapses after 30 s); {len(mine)} bot events, all "
                              "decrypted, none repeated, none lost")
    finally:
        if second is not None:
            second.stop()
        first.stop()
        redis.stop()


async def crash_mid_send(binary: str, hs: homeserver.Homeserver, d: str) -> None:
    """The bot killed with SIGKILL just after a send reached Synapse, before
    it heard back (a proxy between them holds the answer back and kills it),
    and started again, three times in one check: each unacknowledged reply
    is sent again under its transaction id, the homeserver answers with the
    event it already stored, and the person sees nothing twice."""
    global step
    step = "crashes mid-send"
    bot_dir = os.path.join(d, "crashing")
    os.makedirs(bot_dir)
    proxy = LossyProxy(hs.url, lose=3)
    bot = Bot(binary, hs, bot_dir, "crashbot", url=await proxy.start())

    def crash() -> None:
        bot.kill9()
        bot.start()

    proxy.crash = crash
    try:
        ned = await Person.register(hs.url, "ned", "ned-password", os.path.join(d, "ned"))
        async with ned:
            chat, _ = await begin_check(ned, bot.user_id)
            room = chat.room
            said = await answer_all(chat, ["no", "3 times a day", "2 days", "no", "no", "no", "no"])
            expect("SELF-CARE" in shown(said[-1]), f"outcome: {shown(said[-1])}")
            await chat.until(is_poll, "follow-up offer")
            mine = await nothing_repeated_or_lost(chat)
            expect(len(proxy.lost) == 3, f"the bot was killed mid-send {len(proxy.lost)} times")
            again = proxy.resent_as_the_same_event()
            expect(again == proxy.lost, f"killed at {proxy.lost}, resent as the same event {again}")
            transcript.append(f"crash mid-send: killed -9 {len(proxy.lost)} times just after a "
                              f"send reached Synapse (of {len(proxy.sends)} sends); after each "
                              f"restart the send went again under its transaction id and "
                              f"Synapse answered with the stored event ({len(again)} of "
                              f"{len(proxy.lost)}); {len(mine)} bot events, none repeated")
    finally:
        bot.stop()
        await proxy.stop()


async def synced_not_stored(bot: Bot, hs: homeserver.Homeserver, d: str) -> None:
    """A sync the bot's SDK processed but whose events never reached the
    inbox (a crash between the two): made by hand, by putting the bot's
    position back and forgetting the event's inbox key while it is stopped.
    Started again, the bot syncs from its own position and must take the
    event in, though the SDK has seen that batch already."""
    global step
    step = "a synced batch that was not stored"
    una = await Person.register(hs.url, "una", "una-password", os.path.join(d, "una"))
    async with una:
        room = await una.open_dm(bot.user_id, timeout=60)
        chat = Chat(una, room, bot.user_id)
        since_file = os.path.join(d, "bot-matrix", "since")
        await una.wait_until(lambda: os.path.exists(since_file), 30, "the bot's position")
        before = open(since_file).read()
        event_id = await una.send_text(room, "!check")
        note("person", "!check")
        await chat.until(is_poll, "first question")
        bot.stop()
        with open(since_file, "w") as f:
            f.write(before)
        db = sqlite3.connect(os.path.join(d, "bot.sqlite"))
        with db:
            gone = db.execute("DELETE FROM seen_keys WHERE key = ?", (f"mx:{event_id}",)).rowcount
        db.close()
        expect(gone == 1, f"the inbox key of the !check event was not found ({gone})")
        bot.start()
        [*_, again] = await chat.until(is_poll, "the check taken in again after the restart")
        expect("safety question" in shown(again), f"asked again: {shown(again)}")
        transcript.append("synced, not stored: the bot's position put back and the event's inbox "
                          "key forgotten; after a restart the !check was taken in again")


async def answer_all(chat: Chat, answers: list[str]) -> list[Message]:
    """Types ``answers`` one by one, each after the next question (or the
    outcome) arrived; returns what the bot said meanwhile."""
    said = []
    for answer in answers:
        await chat.type(answer)
        said += await chat.until(lambda m: is_poll(m) or "SELF-CARE" in shown(m), "next", 20)
    return said


def in_order(said: list[Message]) -> bool:
    """Whether the questions came in order: Question 1, 2, 3… each once."""
    numbers = [int(shown(m).split()[1].rstrip(".")) for m in said
               if is_poll(m) and shown(m).startswith("Question ")]
    return numbers == list(range(numbers[0], numbers[0] + len(numbers))) if numbers else False


async def outage(bot: Bot, hs: homeserver.Homeserver, d: str) -> homeserver.Homeserver:
    """Synapse stopped mid-check (MATRIX_OUTAGE_SECONDS, default 60), then
    started again on its database: every reply owed arrives, once, in order."""
    global step
    step = "Synapse stopped mid-check"
    seconds = float(os.environ.get("MATRIX_OUTAGE_SECONDS", "60"))
    gil = await Person.register(hs.url, "gil", "gil-password", os.path.join(d, "gil"))
    async with gil:
        chat, _ = await begin_check(gil, bot.user_id)
        room = chat.room
        await chat.type("no")
        await chat.type("3 times a day")
        port = int(hs.url.rsplit(":", 1)[1])
        hs.stop()
        began = time.monotonic()
        await asyncio.sleep(seconds)  # the outage itself is what is tested
        hs = homeserver.start(hs.dir, port=port)
        step = "after the outage"
        said = await chat.until(lambda m: is_poll(m) and "How long" in shown(m), "question 3", 10)
        back = time.monotonic() - began
        said += await answer_all(chat, ["2 days", "no", "no", "no", "no"])
        expect("SELF-CARE" in shown(said[-1]), f"outcome: {shown(said[-1])}")
        # The bot's last event of the check, so the server holds no event of
        # it that this client has not synced yet when the two are counted.
        said += await chat.until(is_poll, "follow-up offer")
        mine = gil.messages(room, bot.user_id)
        expect(distinct(mine), "a message was repeated")
        expect(in_order(mine), f"questions out of order: {[shown(m)[:12] for m in mine]}")
        counts = await gil.count_events(room)
        expect(counts.get(bot.user_id) == len(mine), f"server {counts}, received {len(mine)}")
        transcript.append(f"outage: Synapse down {seconds:.0f} s; the owed replies arrived "
                          f"{back - seconds:.1f} s after it was back; {len(mine)} bot events, "
                          "none repeated, in order")
    return hs


async def rate_limited(binary: str, d: str) -> None:
    """Synapse's own rate limiting on (rc_message 0.5/s, bursts of 3): every
    reply still arrives, none lost, none repeated."""
    global step
    step = "rate limited"
    hs = homeserver.start(os.path.join(d, "synapse-limited"), message_rate=(0.5, 3))
    bot_dir = os.path.join(d, "limited")
    os.makedirs(bot_dir)
    bot = Bot(binary, hs, bot_dir, "limitedbot")
    try:
        hal = await Person.register(hs.url, "hal", "hal-password", os.path.join(d, "hal"))
        async with hal:
            room = await hal.open_dm(bot.user_id, timeout=60)
            chat = Chat(hal, room, bot.user_id)
            began = time.monotonic()
            await chat.type("!check")
            await chat.until(is_poll, "first question", 20)
            said = await answer_all(chat, ["no", "3 times a day", "2 days", "no", "no", "no", "no"])
            expect("SELF-CARE" in shown(said[-1]), f"outcome: {shown(said[-1])}")
            mine = hal.messages(room, bot.user_id)
            expect(distinct(mine), "a message was repeated")
            counts = await hal.count_events(room)
            expect(counts.get(bot.user_id) == len(mine), f"server {counts}, received {len(mine)}")
            # matrix-sdk waits out a 429 itself (retry_after_ms) before our
            # sender would see it: Synapse's log counts the refusals.
            refused = sum(1 for line in open(os.path.join(hs.dir, homeserver.LOG_FILE))
                          if "{" + bot.user_id + "}" in line
                          and re.search(r'B 429 "PUT \S*/send/', line))
            waits = open(os.path.join(bot_dir, "bot.log")).read().count("asked to wait")
            transcript.append(f"rate limited: {len(mine)} bot events in "
                              f"{time.monotonic() - began:.1f} s; Synapse refused {refused} "
                              f"sends with M_LIMIT_EXCEEDED (the SDK waited them out; "
                              f"{waits} reached our sender); none lost or repeated")
    finally:
        bot.stop()
        hs.stop()


async def scenarios(binary: str, hs: homeserver.Homeserver, d: str) -> homeserver.Homeserver:
    """Every scenario: one homeserver and one bot for most, a rate-limited
    homeserver for the last; returns the (restarted) main homeserver."""
    bot = Bot(binary, hs, d, "twitchbot")
    try:
        await check(bot, hs, d)
        await red_flag(bot, hs, d)
        await spanish(bot, hs, d)
        await group(bot, hs, d)
        await kicked(bot, hs, d)
        await kill9(bot, hs, d)
        await synced_not_stored(bot, hs, d)
        hs = await outage(bot, hs, d)
    finally:
        bot.stop()
    await replicas(binary, hs, d)
    await crash_mid_send(binary, hs, d)
    await rate_limited(binary, d)
    return hs


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
        hs = asyncio.run(asyncio.wait_for(scenarios(binary, hs, d), 900))
    except BaseException as e:  # noqa: BLE001 - reported, then exit 1
        print("\n".join(transcript), file=sys.stderr)
        print(f"matrix e2e FAILED at step '{step}': {type(e).__name__}: {e}", file=sys.stderr)
        for log in sorted(glob.glob(os.path.join(d, "**", "bot.log"), recursive=True)):
            with open(log) as f:
                print(f"--- {os.path.relpath(log, d)} (last 40 lines) ---\n"
                      + "".join(f.readlines()[-40:]), file=sys.stderr)
        print(f"(Synapse's logs kept in {d}/synapse)", file=sys.stderr)
        return 1
    finally:
        if hs is not None:
            hs.stop()
    shutil.rmtree(d, ignore_errors=True)
    print("\n".join(transcript))
    print(f"matrix e2e ok: an encrypted check to self-care by tapping and typing, a follow-up, "
          f"summary.html decrypted, a diary with its chart as an encrypted image, /forget; a stroke sign caught mid-check; a check in "
          f"Spanish; commands as !check; a group (link, settings by power level); "
          f"kicked with replies owed: dropped; "
          f"kill -9 mid-check; Synapse stopped mid-check; two replicas, the syncing one killed; "
          f"killed mid-send three times (nothing repeated); a synced batch not stored taken "
          f"in after a restart; "
          f"Synapse's rate limits; "
          f"{time.monotonic() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
