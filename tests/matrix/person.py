"""A person in Matrix chats, played by matrix-nio's AsyncClient with end-to-end
encryption, for the bot's end-to-end tests.

A Person registers or logs in (its olm/megolm keys live in its own store
folder), opens a direct, encrypted chat with a user, sends text, files,
reactions and poll answers, and collects every event of its rooms, decrypted,
as :class:`Message` objects (files downloaded and decrypted too). It only
learns of events through sync: every wait is a long-polling sync bounded by
a timeout, never a sleep. Errors raise :class:`HarnessError`; a wait that
runs out raises :class:`TimeoutError` naming what it waited for.
"""

import asyncio
import json
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import quote

import aiohttp
from nio import (AsyncClient, AsyncClientConfig, ErrorResponse, MegolmEvent,
                 RoomPreset)
from nio.crypto.attachments import decrypt_attachment
from nio.exceptions import EncryptionError

MEGOLM = "m.megolm.v1.aes-sha2"
# nio warns of normal steps ("Missing session for device" before it claims
# keys); failures show in Message.decrypted and HarnessError instead.
logging.getLogger("nio").setLevel(os.environ.get("PERSON_NIO_LOG", "ERROR"))
SYNC_FILTER = {"room": {"timeline": {"limit": 500}}, "presence": {"not_types": ["*"]}}


class HarnessError(Exception):
    """The homeserver refused a request, or the harness cannot go on."""


@dataclass
class Message:
    """One timeline event as the person sees it: ``type`` and ``content`` are the
    decrypted ones (``encrypted`` tells whether it was ``m.room.encrypted`` on
    the wire; ``decrypted`` is False while its key is missing). ``file`` holds
    the downloaded, decrypted bytes of an attachment (``file_error`` if not)."""

    event_id: str
    sender: str
    type: str
    content: dict
    ts: int = 0
    encrypted: bool = False
    decrypted: bool = True
    state_key: str | None = None
    file: bytes | None = None
    file_error: str | None = None

    @property
    def body(self) -> str | None:
        """The text ``body``, if any."""
        return self.content.get("body")

    @property
    def formatted_body(self) -> str | None:
        """The HTML ``formatted_body``, if any."""
        return self.content.get("formatted_body")

    @property
    def msgtype(self) -> str | None:
        """``m.text``, ``m.notice``, ``m.file``... for ``m.room.message``."""
        return self.content.get("msgtype")

    @property
    def relates_to(self) -> dict | None:
        """The ``m.relates_to`` object (edits, replies, reactions), if any."""
        return self.content.get("m.relates_to")

    @property
    def replaces(self) -> str | None:
        """The event id this edits (``rel_type`` ``m.replace``), else None."""
        rel = self.relates_to or {}
        return rel.get("event_id") if rel.get("rel_type") == "m.replace" else None

    @property
    def new_content(self) -> dict | None:
        """An edit's ``m.new_content``, else None."""
        return self.content.get("m.new_content")

    @property
    def poll_answers(self) -> list[tuple[str, str]]:
        """A poll start's answers as (answer id, text), stable or unstable."""
        start = self.content.get("org.matrix.msc3381.poll.start") or self.content.get("m.poll") or {}
        out = []
        for a in start.get("answers", []):
            text = a.get("org.matrix.msc1767.text") or a.get("m.text")
            if isinstance(text, list):  # stable: [{"body": ...}]
                text = text[0].get("body") if text else None
            out.append((a.get("id") or a.get("m.id"), text))
        return out

    @classmethod
    def from_event(cls, event) -> "Message":
        """Builds one from a nio event (its ``source`` dict)."""
        src = event.source
        return cls(
            event_id=src.get("event_id", ""), sender=src.get("sender", ""),
            type=src.get("type", ""), content=src.get("content", {}),
            ts=src.get("origin_server_ts", 0),
            encrypted=isinstance(event, MegolmEvent) or getattr(event, "decrypted", False),
            decrypted=not isinstance(event, MegolmEvent), state_key=src.get("state_key"),
        )


@dataclass
class Person:
    """A logged-in matrix-nio client and everything it has seen, per room."""

    client: AsyncClient
    auto_join: bool = False
    timeline: dict[str, list[Message]] = field(default_factory=dict)
    _pending: list[tuple[str, MegolmEvent]] = field(default_factory=list)
    _cursors: dict[tuple[str, str | None], int] = field(default_factory=dict)

    # --- logging in -------------------------------------------------------
    @staticmethod
    def _client(url: str, user: str, store_dir: str) -> AsyncClient:
        os.makedirs(store_dir, exist_ok=True)
        config = AsyncClientConfig(encryption_enabled=True, store_sync_tokens=True)
        return AsyncClient(url, user, store_path=store_dir, config=config)

    @classmethod
    async def register(cls, url: str, username: str, password: str, store_dir: str,
                       auto_join: bool = False) -> "Person":
        """Registers ``username`` (``m.login.dummy``), logs in with a new device
        whose keys live in ``store_dir``, uploads its keys; returns the Person."""
        client = cls._client(url, username, store_dir)
        return await cls._start(client, auto_join, client.register(
            username, password, device_name="e2e-test"), f"register {username}")

    @classmethod
    async def login(cls, url: str, user_id: str, password: str, store_dir: str,
                    auto_join: bool = False) -> "Person":
        """Logs in an existing user with a new device (keys in ``store_dir``)."""
        client = cls._client(url, user_id, store_dir)
        return await cls._start(client, auto_join, client.login(
            password, device_name="e2e-test"), f"login {user_id}")

    @classmethod
    async def _start(cls, client: AsyncClient, auto_join: bool, request, what: str):
        try:
            _check(await asyncio.wait_for(request, 60), what)
            person = cls(client, auto_join)
            await asyncio.wait_for(person.sync(0), 60)
            return person
        except BaseException:
            await client.close()
            raise

    @property
    def user_id(self) -> str:
        """This person's Matrix user id."""
        return self.client.user_id

    async def close(self) -> None:
        """Closes the HTTP session (the store stays on disk)."""
        await self.client.close()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.close()

    # --- syncing and waiting ---------------------------------------------
    async def sync(self, timeout_ms: int = 0) -> None:
        """One sync (long-polling up to ``timeout_ms``), then nio's key chores
        (upload, query, claim, to-device), joining invites when ``auto_join``,
        recording timeline events and retrying undecrypted ones."""
        c = self.client
        resp = await c.sync(timeout=timeout_ms, sync_filter=SYNC_FILTER)
        _check(resp, "sync")
        if c.should_upload_keys:
            _check(await c.keys_upload(), "keys_upload")
        if c.should_query_keys:
            _check(await c.keys_query(), "keys_query")
        if c.should_claim_keys:
            _check(await c.keys_claim(c.get_users_for_key_claiming()), "keys_claim")
        await c.send_to_device_messages()
        if self.auto_join:
            for room_id in resp.rooms.invite:
                _check(await c.join(room_id), f"join {room_id}")
        for room_id, info in resp.rooms.join.items():
            for event in info.timeline.events:
                await self._record(room_id, event)
        for room_id, event in list(self._pending):
            try:
                decrypted = c.decrypt_event(event)
            except EncryptionError:
                continue
            self._pending.remove((room_id, event))
            msgs = self.timeline[room_id]
            i = next(i for i, m in enumerate(msgs) if m.event_id == event.event_id)
            msgs[i] = Message.from_event(decrypted)
            await self._fetch_file(msgs[i])

    async def _record(self, room_id: str, event) -> None:
        if not hasattr(event, "source") or "event_id" not in event.source:
            return
        msgs = self.timeline.setdefault(room_id, [])
        if any(m.event_id == event.event_id for m in msgs[-50:]):
            return
        msgs.append(Message.from_event(event))
        if isinstance(event, MegolmEvent):
            self._pending.append((room_id, event))
        else:
            await self._fetch_file(msgs[-1])

    async def _fetch_file(self, m: Message) -> None:
        """Downloads (and decrypts, for an encrypted ``file``) an attachment."""
        info = m.content.get("file")
        mxc = info["url"] if isinstance(info, dict) else m.content.get("url")
        if m.type != "m.room.message" or not isinstance(mxc, str):
            return
        resp = await self.client.download(mxc)
        if isinstance(resp, ErrorResponse):
            m.file_error = f"download {mxc}: {resp}"
            return
        try:
            m.file = (decrypt_attachment(resp.body, info["key"]["k"], info["hashes"]["sha256"],
                                         info["iv"]) if isinstance(info, dict) else resp.body)
        except (EncryptionError, KeyError) as e:
            m.file_error = f"decrypt {mxc}: {e!r}"

    async def wait_until(self, predicate: Callable[[], object], timeout: float = 30.0,
                         what: str = "a condition"):
        """Syncs until ``predicate()`` is truthy and returns its value; raises
        TimeoutError naming ``what`` after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not (value := predicate()):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{self.user_id}: no {what} within {timeout:g} s")
            try:
                await asyncio.wait_for(self.sync(int(min(left, 10) * 1000)), left + 1)
            except asyncio.TimeoutError:
                pass
        return value

    # --- rooms and devices -------------------------------------------------
    async def open_dm(self, user_id: str, timeout: float = 30.0) -> str:
        """Creates a DIRECT, ENCRYPTED (megolm) room, invites ``user_id``, marks
        it in ``m.direct``, waits until they joined and trusts their devices;
        returns the room id."""
        resp = _check(await self.client.room_create(
            is_direct=True, preset=RoomPreset.trusted_private_chat, invite=[user_id],
            initial_state=[{"type": "m.room.encryption", "state_key": "",
                            "content": {"algorithm": MEGOLM}}],
        ), "room_create")
        room_id = resp.room_id
        await self.api("PUT", f"/user/{quote(self.user_id)}/account_data/m.direct",
                       {user_id: [room_id]})
        await self.wait_joined(room_id, user_id, timeout)
        await self.trust(user_id, timeout)
        return room_id

    async def wait_joined(self, room_id: str, user_id: str, timeout: float = 30.0) -> None:
        """Waits until ``user_id`` has joined ``room_id`` (as seen by sync)."""
        def joined():
            room = self.client.rooms.get(room_id)
            return room is not None and user_id in room.users and user_id not in room.invited_users
        await self.wait_until(joined, timeout, f"join of {user_id} to {room_id}")

    async def trust(self, user_id: str, timeout: float = 30.0) -> list[str]:
        """Waits until ``user_id`` has at least one device with keys (they must
        share an encrypted room with us), marks all as verified; returns their ids."""
        store = self.client.device_store
        await self.wait_until(lambda: list(store.active_user_devices(user_id)),
                              timeout, f"device keys of {user_id}")
        devices = list(store.active_user_devices(user_id))
        for device in devices:
            self.client.verify_device(device)
        return [d.id for d in devices]

    # --- sending -------------------------------------------------------------
    async def send(self, room_id: str, event_type: str, content: dict) -> str:
        """Sends any event (encrypted in an encrypted room, except ``m.reaction``,
        which nio sends in the clear); returns its event id."""
        resp = await self.client.room_send(room_id, event_type, content,
                                           ignore_unverified_devices=True)
        return _check(resp, f"send {event_type}").event_id

    async def send_text(self, room_id: str, body: str, formatted_body: str | None = None) -> str:
        """Sends an ``m.text`` message (with HTML when ``formatted_body``); returns its id."""
        content = {"msgtype": "m.text", "body": body}
        if formatted_body is not None:
            content.update(format="org.matrix.custom.html", formatted_body=formatted_body)
        return await self.send(room_id, "m.room.message", content)

    async def send_file(self, room_id: str, data: bytes, filename: str,
                        mimetype: str = "application/octet-stream") -> str:
        """Uploads ``data`` (encrypted when the room is) and sends it as ``m.file``;
        returns the event id."""
        encrypt = self.client.rooms[room_id].encrypted
        resp, keys = await self.client.upload(lambda *_: data, mimetype, filename,
                                              encrypt=encrypt, filesize=len(data))
        url = _check(resp, "upload").content_uri
        content = {"msgtype": "m.file", "body": filename, "filename": filename,
                   "info": {"mimetype": mimetype, "size": len(data)}}
        if encrypt:
            content["file"] = {"url": url, "mimetype": mimetype, **keys}
        else:
            content["url"] = url
        return await self.send(room_id, "m.room.message", content)

    async def react(self, room_id: str, event_id: str, key: str) -> str:
        """Sends an ``m.reaction`` (``m.annotation`` with ``key``) to ``event_id``."""
        rel = {"rel_type": "m.annotation", "event_id": event_id, "key": key}
        return await self.send(room_id, "m.reaction", {"m.relates_to": rel})

    async def vote(self, room_id: str, poll_event_id: str, answer_ids: list[str]) -> str:
        """Answers a poll: ``org.matrix.msc3381.poll.response`` referencing
        ``poll_event_id`` with ``answer_ids``; returns the event id."""
        content = {"m.relates_to": {"rel_type": "m.reference", "event_id": poll_event_id},
                   "org.matrix.msc3381.poll.response": {"answers": list(answer_ids)}}
        return await self.send(room_id, "org.matrix.msc3381.poll.response", content)

    # --- reading -------------------------------------------------------------
    def messages(self, room_id: str, sender: str | None = None,
                 include_state: bool = False) -> list[Message]:
        """Every event collected so far in ``room_id`` (from ``sender`` if given),
        in timeline order; state events only with ``include_state``."""
        return [m for m in self.timeline.get(room_id, [])
                if (sender is None or m.sender == sender)
                and (include_state or m.state_key is None)]

    async def next_messages(self, room_id: str, sender: str | None = None, count: int = 1,
                            timeout: float = 30.0) -> list[Message]:
        """Waits until ``count`` non-state events from ``sender`` (anyone when
        None) arrived after the ones that earlier calls returned (a cursor per
        room and sender), and returns all the new ones (at least ``count``)."""
        key = (room_id, sender)
        seen = self._cursors.get(key, 0)
        await self.wait_until(lambda: len(self.messages(room_id, sender)) >= seen + count,
                              timeout, f"{count} new event(s) from {sender or 'anyone'}")
        new = self.messages(room_id, sender)[seen:]
        self._cursors[key] = seen + len(new)
        return new

    def skip_seen(self, room_id: str, sender: str | None = None) -> None:
        """Marks every event collected so far in ``room_id`` (from ``sender``)
        as returned, so ``next_messages`` waits for newer ones."""
        self._cursors[(room_id, sender)] = len(self.messages(room_id, sender))

    def text_of(self, room_id: str, event_id: str) -> str | None:
        """The body of ``event_id`` after the latest collected edit of it."""
        body = None
        for m in self.messages(room_id):
            if m.event_id == event_id:
                body = m.body
            elif m.replaces == event_id and m.new_content:
                body = m.new_content.get("body")
        return body

    async def raw_event(self, room_id: str, event_id: str) -> dict:
        """The event as the server stores it (``m.room.encrypted`` when it is)."""
        return await self.api("GET", f"/rooms/{quote(room_id)}/event/{quote(event_id)}")

    async def count_events(self, room_id: str, include_state: bool = False) -> dict[str, int]:
        """Counts the room's events per sender, from the server (``/messages``,
        newest to oldest); non-state events only unless ``include_state``."""
        counts: dict[str, int] = {}
        token = None
        while True:
            query = "?dir=b&limit=1000" + (f"&from={quote(token)}" if token else "")
            page = await self.api("GET", f"/rooms/{quote(room_id)}/messages{query}")
            for e in page.get("chunk", []):
                if include_state or "state_key" not in e:
                    counts[e["sender"]] = counts.get(e["sender"], 0) + 1
            token = page.get("end")
            if not page.get("chunk") or not token:
                return counts

    async def api(self, method: str, path: str, body: dict | None = None,
                  timeout: float = 30.0) -> dict:
        """Calls the client-server API (``/_matrix/client/v3`` + ``path``) as this
        person; returns the JSON answer, raises HarnessError on an HTTP error."""
        url = f"{self.client.homeserver}/_matrix/client/v3{path}"
        headers = {"Authorization": f"Bearer {self.client.access_token}"}
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as s:
            async with s.request(method, url, json=body, headers=headers) as r:
                text = await r.text()
                if r.status >= 400:
                    raise HarnessError(f"{method} {path}: HTTP {r.status} {text}")
                return json.loads(text or "{}")


def _check(resp, what: str):
    """Returns ``resp`` unless it is a nio error response, which raises."""
    if isinstance(resp, ErrorResponse):
        raise HarnessError(f"{what}: {resp}")
    return resp
