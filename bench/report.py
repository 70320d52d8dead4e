"""Writes BENCHMARKS.md and bench/throughput.png from what `bench/run` measured.

    python bench/report.py target/bench "bash bench/run"

Each configuration ran several times; the table shows the run with the
median throughput (all runs are in target/bench/results.jsonl).
"""

import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

OUT, COMMAND = sys.argv[1], sys.argv[2]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

NAMES = {
    ("ours", "memory", "polling"): "ours, memory store",
    ("ours", "sqlite", "polling"): "ours, SQLite store",
    ("ours", "redis", "polling"): "ours, Redis store",
    ("ours", "memory", "webhook"): "ours, memory store, webhook",
    ("teloxide-enum", "memory", "polling"): "hand-written teloxide enum",
    ("aiogram", "memory", "polling"): "aiogram 3 FSM",
}


def config(run):
    storage = run["storage"].split(":")[0] if run["bot"] == "ours" else "memory"
    return (run["bot"], storage, run["mode"])


def load_runs():
    runs = defaultdict(list)
    with open(os.path.join(OUT, "results.jsonl")) as f:
        for line in f:
            if line.strip():
                run = json.loads(line)
                runs[(config(run), run["users"])].append(run)
    # The run with the median throughput stands for its configuration.
    chosen = {}
    for key, group in runs.items():
        group.sort(key=lambda r: r["updates_per_s"])
        chosen[key] = group[(len(group) - 1) // 2]
    return chosen, runs


def criterion(name):
    path = os.path.join(ROOT, "target", "criterion", name, "new", "estimates.json")
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"]


def duration(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} µs"
    return f"{ns:.0f} ns"


def ms(value):
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.1f} ms"


def cpu(run):
    """CPU ms per update; too coarse to show for a run of a few milliseconds."""
    return "—" if run["users"] < 100 else f"{run['cpu_s_per_1000_updates']:.3f}"


def handed(run):
    """Updates handed out per update: getUpdates pages only (a webhook POST is one)."""
    return "—" if run["mode"] == "webhook" else f"{run['handed_out_per_update']:.2f}"


def paced_section():
    """The runs with the pacing users get, from paced.jsonl."""
    path = os.path.join(OUT, "paced.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        runs = {r["bot"]: r for r in map(json.loads, filter(str.strip, f))}
    lines = [
        "## With the pacing users get",
        "",
        "`BOT_THROTTLE=on` (the default): about one message a second per private chat",
        "(bursts of three), 30 a second for the whole bot. The SQLite store (the",
        "default). Each simulated person does one whole check, all starting at once.",
        "",
        "| run | people | messages/s | p50 felt | p99 felt | max | all right | notes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    notes = {
        "burst": lambda r: f"{r['messages_per_s'] / 30 * 100:.0f}% of Telegram's 30/s cap",
        "alone": lambda r: "the reference for the flood run",
        "flooded": lambda r: (f"one person sent 60 messages 300 ms earlier; told to slow down after "
                              f"{ms(r['flooder_notice_ms'] or 0)}"),
        "failing": lambda r: f"pacing off; {r['failed_calls']} calls failed with 502 (5%)",
        "failing-paced": lambda r: f"pacing on; {r['failed_calls']} calls failed with 502 (5%)",
    }
    for name, note in notes.items():
        r = runs.get(name)
        if not r:
            continue
        lines.append(
            f"| {name} | {r['users']:,} | {r['messages_per_s']:.1f} | {ms(r['p50_since_sent_ms'])} | "
            f"{ms(r['p99_since_sent_ms'])} | {ms(r['max_ms'])} | {'yes' if r['correct'] else 'NO'} | {note(r)} |")
    alone, flooded = runs.get("alone"), runs.get("flooded")
    if alone and flooded:
        ratio = flooded["p99_since_sent_ms"] / alone["p99_since_sent_ms"]
        lines += ["", f"Isolation: p99 felt with the flooder / without = **{ratio:.2f}** (target: at most 1.2)."]
    lines.append("")
    return lines


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    aiogram = subprocess.run([sys.executable, "-c", "import aiogram; print(aiogram.__version__)"],
                             capture_output=True, text=True).stdout.strip()
    return (f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, {platform.system()} "
            f"{platform.release()}; {rustc}; Python {platform.python_version()} with aiogram {aiogram}")


def same_replies():
    """Whether each peer sent exactly what our bot sent (texts, buttons, calls)."""
    def said(name):
        with open(os.path.join(OUT, f"said-{name}.json")) as f:
            return json.load(f)
    ours = said("ours")
    return {peer: said(peer) == ours for peer in ("teloxide-enum", "aiogram")}


def plot(chosen, users):
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for key, name in NAMES.items():
        xs = [u for u in users if (key, u) in chosen]
        if not xs:
            continue
        left.plot(xs, [chosen[(key, u)]["updates_per_s"] for u in xs], marker="o", label=name)
        (line,) = right.plot(xs, [chosen[(key, u)]["p99_ms"] for u in xs], marker="o", label=name)
        right.plot(xs, [chosen[(key, u)]["p99_since_sent_ms"] for u in xs], linestyle="--",
                   color=line.get_color(), alpha=0.6)
    for axis, title, label in ((left, "Throughput", "updates per second"),
                               (right, "p99 latency: handed out → reply (solid), sent → reply (dashed)", "milliseconds")):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("concurrent users")
        axis.set_ylabel(label)
        axis.set_title(title)
        axis.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(ROOT, "bench", "throughput.png"), dpi=110)


def main():
    chosen, runs = load_runs()
    users = sorted({u for (_, u) in chosen})
    with open(os.path.join(OUT, "sizes.json")) as f:
        sizes = json.load(f)
    with open(os.path.join(OUT, "criterion.txt")) as f:
        session_json = re.search(r"stored session JSON: (\d+) bytes", f.read())
    plot(chosen, users)
    same = same_replies()
    repeats = max(len(g) for (k, _), g in runs.items() if k[0] == "ours")

    lines = [
        "# Benchmarks",
        "",
        f"Written by `{COMMAND}` on {datetime.date.today().isoformat()}. Machine: {machine()}.",
        "Release builds. The bot under test is pinned to core 0 (`taskset -c 0`), the load",
        "generator (`examples/loadgen/`, over the fake Bot API of `crates/fake_bot_api`) to core 1.",
        "",
        "## Engine (criterion)",
        "",
        "| what | median |",
        "| --- | --- |",
        f"| load and validate `dialogues/nasal_twitching.toml` | {duration(criterion('load and validate the dialogue'))} |",
        f"| start-up: load and validate, open the SQLite store | {duration(criterion('start-up_ load dialogue and open SQLite'))} (target: under 50 ms) |",
        f"| one engine step (a typed answer) | {duration(criterion('one engine step (typed answer)'))} |",
        f"| a whole check through the engine (begin + 7 answers) | {duration(criterion('whole check through the engine'))} |",
        f"| the diary chart, 90 days with 60 active and 3 tags, drawn and encoded as PNG | {duration(criterion('diary_chart_90_days_60_active_3_tags'))} |",
        f"| a stored check, as JSON | {session_json.group(1) if session_json else '?'} bytes |",
        "",
        "## The bots under load",
        "",
        "Every simulated user does whole checks (the emergency screen, then every",
        "question; buttons and typed answers mixed; a third each end in emergency,",
        "see a doctor and self-care) and answers each question as soon as it arrives;",
        "all users start at once and do several checks in a row (1 user: 100, 100 users:",
        "100, 1,000 users: 10, 10,000 users: 1), so every run lasts long enough to measure.",
        "Pacing is off (`BOT_THROTTLE=off`) in this table: the fake imposes no limits (the",
        "pacing users get is measured below); flood control",
        "stays on with its limit raised (`BOT_FLOOD_LIMIT`). *Latency* runs from",
        "an update being handed out (getUpdates answer or webhook POST) to the bot's",
        "reply; *felt* latency from the user sending it, so it includes waiting in",
        "the fake server's queue before the bot asks for it. CPU is the bot process's",
        f"user + system time. Each row is the median-throughput run of {repeats} (aiogram: 1).",
        "",
        "Same replies: " + ", ".join(
            f"{peer} {'sends exactly' if ok else 'does NOT send'} our texts, buttons and calls"
            for peer, ok in same.items()) + " (recorded for one user of each plan, compared in full).",
        "",
        "| users | bot | checks/s | updates/s | p50 | p99 | max | felt p99 | CPU ms / update | peak RSS | start-up | handed out / update | all right |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for u in users:
        for key, name in NAMES.items():
            r = chosen.get((key, u))
            if not r:
                continue
            lines.append(
                f"| {u:,} | {name} | {r['checks_per_s']:,.0f} | {r['updates_per_s']:,.0f} | "
                f"{ms(r['p50_ms'])} | {ms(r['p99_ms'])} | {ms(r['max_ms'])} | {ms(r['p99_since_sent_ms'])} | "
                f"{cpu(r)} | {r['peak_rss_mib']:.1f} MiB | {r['startup_ms']:.0f} ms | "
                f"{handed(r)} | {'yes' if r['correct'] else 'NO'} |")
    mixed = chosen[(("ours", "memory", "polling"), max(users))]
    lines += ["", f"Bot API calls per check, a third of each plan ({max(users):,} users; the same for every bot): " + ", ".join(
        f"{k} {v:.2f}" for k, v in mixed["calls_per_check"].items() if k != "getupdates")
        + ". With 1 user a run is short and latency-bound: CPU (read in 10 ms ticks) is",
        "not shown for it."]

    ours = ("ours", "memory", "polling")
    lines += [
        "",
        "## Ratios (measured in the same run)",
        "",
        "| users | ours / teloxide enum, throughput | p99 ours vs enum (felt) | ours / aiogram, throughput | SQLite / memory | Redis / memory | webhook / polling |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for u in users:
        def ratio(a, b):
            ra, rb = chosen.get((a, u)), chosen.get((b, u))
            return f"{ra['updates_per_s'] / rb['updates_per_s']:.2f}x" if ra and rb else "—"
        enum = chosen.get((("teloxide-enum", "memory", "polling"), u))
        mine = chosen.get((ours, u))
        p99 = (f"{ms(mine['p99_ms'])} vs {ms(enum['p99_ms'])} (felt {ms(mine['p99_since_sent_ms'])} vs "
               f"{ms(enum['p99_since_sent_ms'])})") if enum and mine else "—"
        lines.append(
            f"| {u:,} | {ratio(ours, ('teloxide-enum', 'memory', 'polling'))} | {p99} | "
            f"{ratio(ours, ('aiogram', 'memory', 'polling'))} | {ratio(('ours', 'sqlite', 'polling'), ours)} | "
            f"{ratio(('ours', 'redis', 'polling'), ours)} | {ratio(('ours', 'memory', 'webhook'), ours)} |")

    lines.append("")
    lines += paced_section()

    top = max(users)
    rss = chosen.get((ours, top), {}).get("peak_rss_mib", 0)
    per_sqlite = sizes["sqlite_bytes"] / sizes["sqlite_checks"] if sizes["sqlite_checks"] else 0
    lines += [
        "",
        "## Memory and storage",
        "",
        f"- Peak RSS with {top:,} users in the middle of their checks (memory store): {rss:.1f} MiB (target: under 50 MiB).",
        f"- SQLite: {sizes['sqlite_bytes']:,} bytes for {sizes['sqlite_checks']:,} stored checks = {per_sqlite:.0f} bytes a check, in a file of the checks alone (target: at most 1 KiB); the whole database after the run was {sizes.get('sqlite_file_bytes', 0):,} bytes, most of it the update ids remembered for 24 h.",
        f"- Redis: `MEMORY USAGE` {sizes['redis_bytes_per_check']:.0f} bytes a check (mean of {sizes['redis_keys_sampled']} keys).",
        "",
        "![throughput and p99 latency against concurrent users](bench/throughput.png)",
        "",
    ]
    with open(os.path.join(ROOT, "bench", "analysis.md")) as f:
        lines.append(f.read().rstrip() + "\n")
    lines.extend(kept_sections(os.path.join(ROOT, "BENCHMARKS.md")))
    with open(os.path.join(ROOT, "BENCHMARKS.md"), "w") as f:
        f.write("\n".join(lines))


def kept_sections(path):
    """Sections this run does not measure (`bench/matrix.py`'s "## Matrix",
    `bench/compare`'s "## Side by side"), carried over from the file as it
    is, so a rerun does not lose them."""
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        return []
    kept = []
    for section in text.split("\n## ")[1:]:
        if section.startswith(("Matrix", "Side by side")):
            kept.append("## " + section.rstrip() + "\n")
    return kept


if __name__ == "__main__":
    main()
