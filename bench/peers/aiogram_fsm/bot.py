"""Benchmark peer: the nasal-twitching check as an aiogram 3 bot.

The framework most bot authors would pick: a finite-state machine
(`StatesGroup`) with `MemoryStorage`, long polling, pointed at the load
generator's fake Bot API through `TelegramAPIServer.from_base(API_URL)`.
It asks the same questions and sends the same replies with the same Bot API
calls as the data-driven bot (`bench/run` compares what both send). It is
not a product: no persistence, no /back, no flood control.

    API_URL=http://127.0.0.1:8081 TELOXIDE_TOKEN=1:x python bot.py
"""

import asyncio
import html
import os

from aiogram import Bot, Dispatcher, F
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message


class Check(StatesGroup):
    red_flags = State()
    frequency = State()
    duration = State()
    pain = State()
    vision_hearing = State()
    other_symptoms = State()
    other_details = State()
    stress = State()


YES_NO = [("Yes", ["yes", "y", "yeah", "yep"]), ("No", ["no", "n", "nope", "not really"])]

# Each question: number, text, optional line under it, (button label, words
# that may be typed instead).
QUESTIONS = {
    Check.red_flags: (1, "First, a safety question. Right now, do you have ANY of these: one side of your face drooping or suddenly weak; trouble speaking, slurred words or trouble understanding others; sudden numbness, or sudden confusion?", None,
                      [("Yes, I have one of these", ["yes", "i have", "i do"]),
                       ("No, none of these", ["no", "none", "none of these", "none of them"])]),
    Check.frequency: (2, "How often does the twitching around your nose happen?", None,
                      [("Almost all the time", ["constantly", "all the time", "always"]),
                       ("Several times a day", ["often", "daily", "every day", "a lot"]),
                       ("A few times a week", ["weekly", "sometimes", "now and then"]),
                       ("Once in a while", ["rarely", "seldom", "occasionally"])]),
    Check.duration: (3, "How long has it been going on? Tap an answer, or type it, for example “3 days” or “2 weeks”.", "Or type how long, e.g. “3 days”.",
                     [("It started today", ["today", "started today"]),
                      ("1 to 3 days", ["1-3 days", "a day or two"]),
                      ("4 to 7 days", ["4-7 days", "most of a week"]),
                      ("1 to 4 weeks", ["1-4 weeks", "several weeks"]),
                      ("More than a month", ["over a month", "months", "longer"])]),
    Check.pain: (4, "Does the twitching come with pain or discomfort?", None, YES_NO),
    Check.vision_hearing: (5, "Have you noticed any change in your vision or your hearing?", None, YES_NO),
    Check.other_symptoms: (6, "Any other unusual symptoms? For example twitching spreading to other parts of your face, weakness, or feeling generally unwell.", None, YES_NO),
    Check.other_details: (7, "In a few words, what else have you noticed? It can help you describe it to a doctor. Tap “Skip” if you would rather not say.", None,
                          [("Skip", ["skip", "rather not say", "pass"])]),
    Check.stress: (7, "Last question: have you been under stress or feeling anxious lately?", None, YES_NO),
}
DURATION_DAYS = [0, 3, 7, 28, 60]

INTRO = "Hi! I can walk you through a short check about twitching around your nose and face. At the end I will tell you how urgent it looks and what may help."
DISCLAIMER = "<i>⚠ This check is general information, not medical advice and not a diagnosis. If you are worried about your health, talk to a doctor.</i>"
EMERGENCY = "<b>🚨 EMERGENCY: call emergency services now (999 in the UK, 112 in the EU, 911 in the US).</b>\n\n• A face that droops or goes weak on one side, trouble speaking, or sudden numbness or confusion can be signs of a stroke. A stroke is a medical emergency: every minute counts.\n\n• Call even if the signs seem to fade or you are not sure. Do not wait to see whether they pass, and do not drive yourself to hospital."
SEE_DOCTOR = "<b>🩺 SEE A DOCTOR: book an appointment with your doctor (GP) to have this checked.</b>"
CAUSES = "• Most twitching is harmless. Now and then it goes with a condition of the nerves, such as epilepsy, multiple sclerosis or Tourette syndrome, or of the muscles, such as dystonia or myoclonus. These are only possibilities to talk over with your doctor; this check cannot tell whether any of them applies to you."
SELF_CARE = "<b>🌿 SELF-CARE: this sounds like the kind of twitching that is usually harmless and settles by itself.</b>\n\n• Brief twitches around the nose are common and tend to fade without treatment.\n\n• See a doctor if it keeps going for more than a few days, or if pain, changes in your vision or hearing, or other new symptoms appear.\n\n• Stress and anxiety can make twitching worse, so easing stress is one of the most useful things you can do."
TIPS_TITLE = "Ways to ease stress, which can make twitching worse"
TIPS_LEAD = "You said you have been stressed or anxious lately. Stress can feed twitching, so these may help you most:"
TIPS = "• Try mindfulness meditation: a few quiet minutes a day paying attention to your breathing.\n• Move regularly: a walk, a swim or any exercise you enjoy.\n• Look after everyday habits that keep you well; healthy routines can make symptoms ease.\n• You do not have to manage alone: a support group or a therapist can offer practical advice and emotional support."

dp = Dispatcher(storage=MemoryStorage())


def choose(state, answer):
    """Which option a button label or typed answer names, or None."""
    answer = answer.strip().lower()
    for i, (label, words) in enumerate(QUESTIONS[state][3]):
        if label.lower() == answer or answer in words:
            return i
    return None


def typed_days(answer):
    """'3 days', '2 weeks', '1 month': (days, how to say them), or None."""
    words = answer.strip().lower().split()
    if len(words) < 2 or not words[0].isdigit():
        return None
    n, unit = int(words[0]), words[1].rstrip("s")
    per = {"day": 1, "week": 7, "month": 30}.get(unit)
    if per is None:
        return None
    return n * per, f"{n} {unit}{'' if n == 1 else 's'}"


async def ask(bot, chat, fsm, state, answers):
    number, prompt, note, options = QUESTIONS[state]
    text = f"<b>Question {number}.</b> {prompt}"
    if note:
        text += f"\n<i>{note}</i>"
    keyboard = InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=label, callback_data=label)] for label, _ in options])
    sent = await bot.send_message(chat, text, reply_markup=keyboard)
    await fsm.set_state(state)
    await fsm.set_data({"shown": sent.message_id, "answers": answers})


async def answered(bot, chat, shown, state, answer):
    """Replaces a question's message with the question and its answer."""
    await bot.edit_message_text(f"{QUESTIONS[state][1]}\n\n✓ <b>{answer}</b>", chat_id=chat, message_id=shown)


async def outcome(bot, chat, a):
    if a["days"] > 3 or a["pain"] or a["vision_hearing"] or a["other_symptoms"]:
        lines = [SEE_DOCTOR]
        if a["days"] > 3:
            lines.append(f"• You said it has been going on for {a['duration']}. Twitching that keeps coming back for more than a few days is worth a check-up.")
        if a["pain"]:
            lines.append("• You mentioned pain or discomfort with the twitching; that is a reason to have it looked at.")
        if a["vision_hearing"]:
            lines.append("• You noticed changes in your vision or hearing; mention these to the doctor.")
        if a["other_symptoms"]:
            lines.append("• You noticed other unusual symptoms; tell the doctor about them too.")
        if a.get("details") is not None:
            lines.append(f"• In your words: “{html.escape(a['details'], quote=False)}”.")
        lines.append(CAUSES)
        lines.append(f"• Treatment starts with finding the cause, so your doctor may ask how often it happens (you said: {a['frequency']}) and how long it has lasted. Depending on the cause, they may suggest medicine for a nerve or muscle problem.")
        verdict = "\n\n".join(lines)
    else:
        verdict = SELF_CARE
    await bot.send_message(chat, f"{verdict}\n\n{DISCLAIMER}")
    if a["stress"]:
        await bot.send_message(chat, f"<b>⭐ {TIPS_TITLE}</b>\n{TIPS_LEAD}\n{TIPS}")
    else:
        await bot.send_message(chat, f"<b>{TIPS_TITLE}</b>\n{TIPS}")


# The question after each yes/no one, and the answer it sets.
YES_NO_NEXT = {
    Check.pain: (Check.vision_hearing, "pain"),
    Check.vision_hearing: (Check.other_symptoms, "vision_hearing"),
    Check.other_symptoms: (Check.stress, "other_symptoms"),
    Check.stress: (None, "stress"),
}


async def step(bot, chat, fsm, answer):
    """Applies one answer (typed, or a button's label) to the chat's state."""
    current = await fsm.get_state()
    state = next((s for s in QUESTIONS if s.state == current), None)
    if state is None:
        await bot.send_message(chat, "Send /check to start a check.")
        return
    data = await fsm.get_data()
    shown, a = data["shown"], data["answers"]
    picked = choose(state, answer)
    if state == Check.duration:
        typed = (DURATION_DAYS[picked], QUESTIONS[state][3][picked][0]) if picked is not None else typed_days(answer)
        if typed is None:
            await bot.send_message(chat, "Sorry, that answer does not fit. Please tap a button or type how long, e.g. “3 days”.")
            return
        a["days"], a["duration"] = typed
        await answered(bot, chat, shown, state, a["duration"])
        await ask(bot, chat, fsm, Check.pain, a)
        return
    if state == Check.other_details:
        a["details"] = None if picked is not None else answer[:200]
        await answered(bot, chat, shown, state, html.escape(a["details"] or "Skip", quote=False))
        await ask(bot, chat, fsm, Check.stress, a)
        return
    if picked is None:
        hint = "Please tap one of the buttons." if state == Check.frequency else "Please answer yes or no."
        await bot.send_message(chat, f"Sorry, that answer does not fit. {hint}")
        return
    label = QUESTIONS[state][3][picked][0]
    await answered(bot, chat, shown, state, label)
    if state == Check.red_flags:
        if picked == 0:
            await bot.send_message(chat, f"{EMERGENCY}\n\n{DISCLAIMER}")
            await fsm.clear()
        else:
            await ask(bot, chat, fsm, Check.frequency, {})
    elif state == Check.frequency:
        a["frequency"] = label
        await ask(bot, chat, fsm, Check.duration, a)
    else:
        following, key = YES_NO_NEXT[state]
        a[key] = picked == 0
        if state == Check.other_symptoms and a[key]:
            following = Check.other_details
        if following is None:
            await outcome(bot, chat, a)
            await fsm.clear()
        else:
            await ask(bot, chat, fsm, following, a)


@dp.message(F.text.startswith("/start") | (F.text == "/check"))
async def begin(message: Message, state: FSMContext, bot: Bot):
    await bot.send_message(message.chat.id, f"{INTRO}\n\n{DISCLAIMER}")
    await ask(bot, message.chat.id, state, Check.red_flags, {})


@dp.message(F.text)
async def typed(message: Message, state: FSMContext, bot: Bot):
    await step(bot, message.chat.id, state, message.text)


@dp.callback_query()
async def pressed(query: CallbackQuery, state: FSMContext, bot: Bot):
    await bot.answer_callback_query(query.id)
    await step(bot, query.message.chat.id, state, query.data or "")


async def main():
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["API_URL"]))
    bot = Bot(os.environ["TELOXIDE_TOKEN"], session=session,
              default=DefaultBotProperties(parse_mode="HTML"))
    await dp.start_polling(bot, handle_signals=True)


if __name__ == "__main__":
    asyncio.run(main())
