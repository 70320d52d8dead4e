"""The bot on Matrix under load, through a real Synapse: N people (default
100), each in their own direct chat with the bot (unencrypted: a plain HTTP
client per person, so the people's side costs little), all start a check at
once and type each answer as soon as the bot's next question arrives, to
self-care. Prints one JSON line: checks/s, p50/p99/max reply latency (a
person's message sent -> the bot's first event after it, as seen through
the person's own /sync), and the CPU seconds (user + system, from
/proc/<pid>/stat) the bot and Synapse used during the checks, per update
the people sent (and the CPU of this process, which plays the people).

With ``--encrypted`` each person is instead a matrix-nio client with its own
keys in an encrypted direct chat, as in the e2e: the bot decrypts every
message and encrypts every reply, and the people's side costs much more.

    $(bash scripts/matrix-env | tail -1)/bin/python bench/matrix.py BOT_BINARY [--people 100] [--encrypted] [--limit SECONDS]

If the checks do not all end within the limit (default: 15 minutes, or 3 s a
person if that is longer), the figures are those of the checks that did end,
with "finished": false and the count of checks that ended.
"""

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from urllib.parse import quote

import aiohttp

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "matrix"))
import homeserver  # noqa: E402
from e2e import Bot  # noqa: E402
from person import Person as ClientPerson  # noqa: E402

ANSWERS = ["no", "3 times a day", "2 days", "no", "no", "no", "no"]
POLL_START = "org.matrix.msc3381.poll.start"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class Person:
    """One simulated person: an access token, a direct chat with the bot and
    a /sync loop that queues the bot's events in that chat."""

    def __init__(self, session: aiohttp.ClientSession, url: str, account: dict, bot: str):
        self.s, self.url, self.bot = session, url, bot
        self.headers = {"Authorization": f"Bearer {account['access_token']}"}
        self.room = None
        self.since = None
        self.events: asyncio.Queue = asyncio.Queue()
        self.bot_joined = asyncio.Event()
        self.txn = 0

    async def call(self, method: str, path: str, body=None) -> dict:
        async with self.s.request(method, f"{self.url}/_matrix/client/v3{path}",
                                  json=body, headers=self.headers) as r:
            text = await r.text()
            if r.status >= 400:
                raise RuntimeError(f"{method} {path}: {r.status} {text}")
            return json.loads(text)

    async def open_chat(self) -> None:
        """A direct chat with the bot (it accepts the invitation)."""
        made = await self.call("POST", "/createRoom", {
            "is_direct": True, "preset": "trusted_private_chat", "invite": [self.bot]})
        self.room = made["room_id"]

    async def sync_forever(self) -> None:
        flt = quote(json.dumps({"room": {"timeline": {"limit": 100}},
                                "presence": {"not_types": ["*"]}}))
        while True:
            query = f"?timeout=30000&filter={flt}" + (f"&since={self.since}" if self.since else "")
            got = await self.call("GET", f"/sync{query}")
            self.since = got["next_batch"]
            room = got.get("rooms", {}).get("join", {}).get(self.room or "", {})
            for e in room.get("state", {}).get("events", []) + room.get("timeline", {}).get("events", []):
                if e.get("sender") != self.bot:
                    continue
                if e["type"] == "m.room.member":
                    if e.get("content", {}).get("membership") == "join":
                        self.bot_joined.set()
                elif "state_key" not in e:
                    self.events.put_nowait((time.monotonic(), e))

    async def say(self, text: str) -> float:
        self.txn += 1
        await self.call("PUT", f"/rooms/{quote(self.room)}/send/m.room.message/t{self.txn}",
                        {"msgtype": "m.text", "body": text})
        return time.monotonic()

    async def next_question_or_outcome(self) -> dict:
        while True:
            _, e = await self.events.get()
            if ends_a_turn(e["type"], e.get("content", {})):
                return e

    async def check(self, latencies: list[float]) -> None:
        """``!check``, then each answer once the next question (a poll) came;
        the first bot event after each message times the reply."""
        for text in ["!check"] + ANSWERS:
            sent_at = time.monotonic()
            await self.say(text)
            arrived, first = await self.events.get()
            latencies.append(arrived - sent_at)
            e = first
            while not ends_a_turn(e["type"], e.get("content", {})):
                e = await self.next_question_or_outcome()
        if "SELF-CARE" not in e.get("content", {}).get("body", ""):
            raise RuntimeError(f"the check ended with {e['type']}, not self-care")


def ends_a_turn(kind: str, content: dict) -> bool:
    """Whether a bot event is the next question (a poll) or the outcome."""
    return kind == POLL_START or "SELF-CARE" in content.get("body", "")


class EncryptedPerson:
    """One simulated person in an ENCRYPTED direct chat: a matrix-nio client
    with its own keys (the e2e's Person), which encrypts what it sends and
    decrypts what the bot sends."""

    def __init__(self, person, bot: str):
        self.p, self.bot, self.room = person, bot, None

    async def open_chat(self) -> None:
        """An encrypted direct chat with the bot, once it joined and its
        device keys are known; what came before the check is skipped."""
        self.room = await self.p.open_dm(self.bot, timeout=600)
        await self.p.sync(0)
        self.p.skip_seen(self.room, self.bot)

    async def check(self, latencies: list[float]) -> None:
        """As Person.check; an event counts when this client has it decrypted."""
        for text in ["!check"] + ANSWERS:
            sent_at = time.monotonic()
            await self.p.send_text(self.room, text)
            timed, done = False, False
            while not done:
                for m in await self.p.next_messages(self.room, self.bot, 1, timeout=900):
                    if not timed:
                        latencies.append(time.monotonic() - sent_at)
                        timed = True
                    done = done or ends_a_turn(m.type, m.content)
        if "SELF-CARE" not in (m.body or ""):
            raise RuntimeError(f"the check ended with {m.type}, not self-care")


async def encrypted_crowd(hs, bot: str, people: int, d: str) -> list[EncryptedPerson]:
    """``people`` nio clients, each with an encrypted direct chat with the bot."""
    crowd = []
    for i in range(people):
        p = await ClientPerson.register(hs.url, f"e{i}", "bench-password",
                                        os.path.join(d, "people", f"e{i}"))
        crowd.append(EncryptedPerson(p, bot))
    await asyncio.gather(*(p.open_chat() for p in crowd))
    return crowd


async def run(binary: str, people: int, limit: float, encrypted: bool, d: str) -> dict:
    hs = homeserver.start(os.path.join(d, "synapse"))
    bot = Bot(binary, hs, d, "benchbot")
    tasks, crowd = [], []
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120),
                                         connector=aiohttp.TCPConnector(limit=0)) as s:
            if encrypted:
                crowd = await encrypted_crowd(hs, bot.user_id, people, d)
            else:
                accounts = [hs.register(f"p{i}", "bench-password") for i in range(people)]
                crowd = [Person(s, hs.url, a, bot.user_id) for a in accounts]
                await asyncio.gather(*(p.open_chat() for p in crowd))
                tasks = [asyncio.create_task(p.sync_forever()) for p in crowd]
                await asyncio.wait_for(asyncio.gather(*(p.bot_joined.wait() for p in crowd)),
                                       300)
                await asyncio.sleep(2)  # the bot's own sync settles
                for p in crowd:
                    while not p.events.empty():
                        p.events.get_nowait()
            latencies: list[float] = []
            bot_cpu, hs_cpu = cpu_seconds(bot.process.pid), cpu_seconds(hs.pid)
            people_cpu = cpu_seconds(os.getpid())
            began = time.monotonic()
            checks = [asyncio.create_task(p.check(latencies)) for p in crowd]
            done, pending = await asyncio.wait(checks, timeout=limit)
            took = time.monotonic() - began
            for c in pending:
                c.cancel()
            for c in done:
                c.result()  # a check that went wrong fails the run
            bot_cpu, hs_cpu = cpu_seconds(bot.process.pid) - bot_cpu, cpu_seconds(hs.pid) - hs_cpu
            people_cpu = cpu_seconds(os.getpid()) - people_cpu
    finally:
        for t in tasks:
            t.cancel()
        if encrypted:
            for p in crowd:
                await p.p.close()
        bot.stop()
        hs.stop()
    if not latencies:
        raise RuntimeError(f"no reply within {limit:.0f} s: nothing to measure")
    latencies.sort()
    ended = len(done)
    # Updates the people sent: every reply timed, whether or not its check ended.
    updates = len(latencies)

    def at(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    return {
        "people": people, "encrypted": encrypted, "checks": ended, "finished": not pending,
        "seconds": round(took, 2), "checks_per_s": round(ended / took, 2), "updates": updates,
        "p50_ms": round(at(0.50), 1), "p99_ms": round(at(0.99), 1),
        "max_ms": round(latencies[-1] * 1000, 1),
        "bot_cpu_s": round(bot_cpu, 2), "synapse_cpu_s": round(hs_cpu, 2),
        "people_cpu_s": round(people_cpu, 2),
        "bot_cpu_ms_per_update": round(bot_cpu * 1000 / updates, 3),
        "synapse_cpu_ms_per_update": round(hs_cpu * 1000 / updates, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--encrypted", action="store_true",
                        help="encrypted direct chats, each person a matrix-nio client")
    parser.add_argument("--limit", type=float, default=None,
                        help="seconds the checks may take (default max(900, 3 × people))")
    args = parser.parse_args()
    limit = args.limit or max(900.0, 3.0 * args.people)
    d = tempfile.mkdtemp(prefix="matrix-bench-")
    result = asyncio.run(run(os.path.abspath(args.binary), args.people, limit, args.encrypted,
                             d))
    shutil.rmtree(d, ignore_errors=True)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
