"""A reverse proxy between the bot and Synapse that loses the homeserver's
answer to some of the bot's event sends, for the Matrix e2e: the send
reaches Synapse and the event is stored, but the answer never reaches the
bot. With ``crash`` set, the bot is killed (and started again) at that
moment: a crash after a send reached the homeserver and before the bot
heard back, the case where Telegram can show a message twice. The bot must
send it again under the same transaction id, and the homeserver then
answers with the event it stored the first time, so the person sees
nothing twice. (Without ``crash`` the bot is answered 502, which matrix-sdk
retries by itself under the same id.)

Everything else (sync, keys, media) passes through unchanged.
"""

import json
import re

import aiohttp
from aiohttp import web
from yarl import URL

import homeserver

# PUT /_matrix/client/v3/rooms/{room}/send/{type}/{txn}
SEND = re.compile(r"/rooms/[^/]+/send/[^/]+/(?P<txn>[^/?]+)")
# Hop-by-hop and length headers aiohttp sets itself.
DROPPED_HEADERS = {"host", "content-length", "transfer-encoding", "content-encoding",
                   "connection"}


class LossyProxy:
    """Forwards to ``upstream``; loses the answer to every ``every``-th send
    until ``lose`` answers are lost, calling ``crash`` each time. ``sends`` maps each transaction id to
    the event ids Synapse answered with, once per attempt."""

    def __init__(self, upstream: str, lose: int, every: int = 3, crash=None):
        self.upstream, self.lose, self.every = upstream.rstrip("/"), lose, every
        self.crash = crash
        self.sends: dict[str, list[str]] = {}
        self.lost: list[str] = []
        self.session = self.runner = None

    async def start(self) -> str:
        """Starts listening on a free port of 127.0.0.1; returns its URL."""
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))
        app = web.Application(client_max_size=256 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self.forward)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        port = homeserver.free_port()
        await web.TCPSite(self.runner, "127.0.0.1", port).start()
        return f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        """Stops listening and closes the upstream session."""
        if self.runner is not None:
            await self.runner.cleanup()
        if self.session is not None:
            await self.session.close()

    async def forward(self, request: web.Request) -> web.StreamResponse:
        """One request, passed on; its answer passed back, or lost."""
        headers = {k: v for k, v in request.headers.items() if k.lower() not in DROPPED_HEADERS}
        url = URL(self.upstream + str(request.rel_url), encoded=True)
        async with self.session.request(request.method, url, headers=headers,
                                        data=await request.read()) as upstream:
            body = await upstream.read()
            status = upstream.status
            answer_headers = {k: v for k, v in upstream.headers.items()
                              if k.lower() not in DROPPED_HEADERS}
        send = SEND.search(request.path) if request.method == "PUT" else None
        if send and status == 200:
            txn = send.group("txn")
            attempts = self.sends.setdefault(txn, [])
            attempts.append(json.loads(body).get("event_id", ""))
            count = len(self.sends)
            if (len(attempts) == 1 and len(self.lost) < self.lose
                    and count % self.every == 0):
                self.lost.append(txn)
                if self.crash is not None:
                    self.crash()
                return web.Response(status=502, text="the answer was lost on the way back")
        return web.Response(body=body, status=status, headers=answer_headers)

    def resent_as_the_same_event(self) -> list[str]:
        """The lost sends that were sent again and answered with the event
        stored the first time (a transaction id Synapse recognised)."""
        return [txn for txn in self.lost
                if len(self.sends[txn]) >= 2 and len(set(self.sends[txn])) == 1]
