"""How close crawl processes come to the politeness bound (see bench/README.md).

    .venv/bin/python bench/crawl_speed.py [--sites 1,10,20,50,50x2,100x2] [--delay 0.2] [--pages 120]

For each case N (or NxP), in one run:

* N simulated portals are served (the sample portal's generated TRS family,
  ``large``: list pages with a createPageHTML pager, report pages), each on its
  own loopback address 127.0.0.(10+i), so Scrapy keeps one download slot per
  site as it does per host, from P processes of their own (one Python process
  serves at most one core);
* one ``xxgk crawl --all --processes P`` crawls all N (registry written for
  them) at a fixed ``DOWNLOAD_DELAY`` (AutoThrottle and the delay's
  randomisation off, so the bound is exact), without the parse afterwards
  (``--no-parse``), with a budget of list pages (``XXGK_MAX_LIST_PAGES``) that
  keeps each site's crawl to about ``--pages`` responses;
* measured: the responses archived (``fetches`` rows with a status), the time
  from the first to the last of them (so imports and the process start are not
  counted), the ratio of the pages per second to the bound N / delay (Scrapy
  sends at most one request per delay per slot), the CPU time of the crawl's
  processes (the parent and its workers) over that same window per page
  (``/proc/<pid>/stat``, sampled every 0.1 s), the portals' CPU per page, and
  the load average at the end (the machine may be shared).

Writes bench/crawl_speed.json and prints a table. Not part of the test suite.
``--profile DIR`` attaches py-spy to each crawl (raw stacks in DIR; with
XXGK_BENCH_PROFILE_GIL=1 in the environment, only the stacks holding the GIL).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = Path(__file__).with_name("crawl_speed.json")
TICKS = os.sysconf("SC_CLK_TCK")


def serve(count: int, first: int) -> None:
    """Serve ``count`` generated TRS portals from 127.0.0.(10+first) on; print their URLs as one JSON line."""
    import threading

    from sample_portal.server import make_server

    servers = [make_server(f"127.0.0.{10 + first + i}", 0, family="large") for i in range(count)]
    for server in servers:
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    print(json.dumps([server.base_url for server in servers]), flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})


def cpu_seconds(pid: int, thread: bool = False) -> float | None:
    """CPU time of process ``pid`` (all its threads), or of its main thread alone (``thread``)."""
    try:
        stat = Path(f"/proc/{pid}/task/{pid}/stat" if thread else f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def tree_cpu_seconds(pid: int, seen: dict[int, tuple[float, float]]) -> tuple[float, float] | None:
    """CPU time of ``pid`` and of every child it has had (``--processes``' workers), and
    of their main threads alone (the reactor's: the archive writer's thread is another):
    ``seen`` keeps each child's last reading, so a worker that has ended still counts."""
    own, main = cpu_seconds(pid), cpu_seconds(pid, thread=True)
    if own is None or main is None:
        return None
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            cpu, thread = cpu_seconds(child), cpu_seconds(child, thread=True)
            if cpu is not None and thread is not None:
                last = seen.get(child, (0.0, 0.0))
                seen[child] = (max(cpu, last[0]), max(thread, last[1]))
    return own + sum(c for c, _ in seen.values()), main + sum(t for _, t in seen.values())


def parse_time(stamp: str) -> float:
    import datetime as dt

    return dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc).timestamp()


def measure(count: int, processes: int, delay: float, pages: int, work: Path, profile: str | None = None,
            overrides: tuple[str, ...] = ()) -> dict:
    # the portals from as many processes as crawl them (one Python process serves at most a core)
    per_server = -(-count // processes)
    servers = [subprocess.Popen([sys.executable, __file__, "--serve", str(min(per_server, count - first)),
                                 "--first", str(first)], stdout=subprocess.PIPE, text=True)
               for first in range(0, count, per_server)]
    name = f"{count}x{processes}"
    try:
        urls = [url for server in servers for url in json.loads(server.stdout.readline())]
        registry = work / f"sites-{name}.yaml"
        registry.write_text("sites:\n" + "".join(
            f"- name: bench-{i:03d}\n  start_url: {url}\n  family: auto\n" for i, url in enumerate(urls)),
            encoding="utf-8")
        db = work / f"crawl-{name}.db"
        log = (work / f"crawl-{name}.log").open("w+", encoding="utf-8")  # a file: a full pipe would stall the crawl
        crawl = subprocess.Popen(
            [sys.executable, "-m", "xxgk", "crawl", "--all", "--sites", str(registry), "--db", str(db),
             "--archive", str(work / f"archive-{name}"), "--no-parse",
             *(["--processes", str(processes)] if processes > 1 else []),
             "-s", f"DOWNLOAD_DELAY={delay}", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False",
             "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=ERROR",
             "-s", f"XXGK_MAX_LIST_PAGES={max(1, pages // 10)}", *(a for o in overrides for a in ("-s", o))],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log, text=True)
        spy = None
        if profile:  # py-spy attached to the crawl process (its own CPU is not counted)
            spy = subprocess.Popen([str(Path(sys.executable).with_name("py-spy")), "record", "-r", "50", "-f", "raw",
                                    "-o", str(Path(profile) / f"profile-{name}.txt"), "--pid", str(crawl.pid),
                                    *(["--subprocesses"] if processes > 1 else []),
                                    *(["--gil"] if os.environ.get("XXGK_BENCH_PROFILE_GIL") else [])],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples, workers = [], {}
        while crawl.poll() is None:
            cpu = tree_cpu_seconds(crawl.pid, workers)
            if cpu is not None:
                samples.append((time.time(), cpu[0], sum(cpu_seconds(server.pid) or 0.0 for server in servers),
                                cpu[1]))
            time.sleep(0.1)
        if spy is not None:
            spy.wait(timeout=60)
        log.seek(0)
        stderr = log.read()
        log.close()
        if crawl.returncode != 0:
            raise SystemExit(f"the crawl of {count} sites failed ({crawl.returncode}): {stderr[-2000:]}")
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
    conn = sqlite3.connect(db)
    try:
        stamps = [parse_time(r[0]) for r in conn.execute("SELECT fetched_at FROM fetches WHERE status IS NOT NULL")]
        reports = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    finally:
        conn.close()
    first, last = min(stamps), max(stamps)
    window = [sample for sample in samples if first <= sample[0] <= last]
    cpu = (window[-1][1] - window[0][1]) if len(window) >= 2 else None
    served = (window[-1][2] - window[0][2]) if len(window) >= 2 else None
    main = (window[-1][3] - window[0][3]) if len(window) >= 2 else None
    span = last - first
    rate = (len(stamps) - 1) / span if span > 0 else float("nan")
    bound = count / delay
    return {
        "sites": count, "processes": processes, "delay_s": delay, "responses": len(stamps), "reports": reports,
        "seconds": round(span, 2), "pages_per_s": round(rate, 1), "bound_pages_per_s": round(bound, 1),
        "ratio_to_bound": round(rate / bound, 3),
        "cpu_ms_per_page": round(1000 * cpu / len(stamps), 2) if cpu is not None else None,
        "cpu_cores": round(cpu / (window[-1][0] - window[0][0]), 2) if cpu is not None else None,
        # the crawl processes' main threads alone (the reactor: Scrapy, the spider), in cores
        "main_thread_cores": round(main / (window[-1][0] - window[0][0]), 2) if main is not None else None,
        # the portals' own processes share the machine: their CPU a page, and the load average at the end
        "server_cpu_ms_per_page": round(1000 * served / len(stamps), 2) if served is not None else None,
        "load_average": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", default="1,10,20,50,50x2,100x2",
                        help="site counts, comma-separated; NxP: N sites crawled by --processes P")
    parser.add_argument("--delay", type=float, default=0.2, help="DOWNLOAD_DELAY, seconds")
    parser.add_argument("--pages", type=int, default=120, help="about this many responses per site")
    parser.add_argument("--profile", metavar="DIR", help="record a py-spy profile of each crawl into DIR (raw format)")
    parser.add_argument("-s", "--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                        help="a Scrapy setting for the crawl (repeatable), e.g. -s CONCURRENT_ITEMS=1")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON goes (default: %(default)s)")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--first", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.first)
        return
    rows = []
    with tempfile.TemporaryDirectory(prefix="xxgk-crawl-bench-") as folder:
        for case in args.sites.split(","):
            count, _, processes = case.partition("x")
            row = measure(int(count), int(processes or 1), args.delay, args.pages, Path(folder), args.profile,
                          tuple(args.overrides))
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    print("\n| sites | processes | delay s | responses | reports | s | pages/s | bound | ratio | CPU ms/page "
          "| CPU cores | main thread cores | portals' CPU ms/page | load |\n|" + "---:|" * 14)
    for r in rows:
        print(f"| {r['sites']} | {r['processes']} | {r['delay_s']} | {r['responses']} | {r['reports']} | {r['seconds']} | "
              f"{r['pages_per_s']} | {r['bound_pages_per_s']} | {r['ratio_to_bound']} | {r['cpu_ms_per_page']} | "
              f"{r['cpu_cores']} | {r['main_thread_cores']} | {r['server_cpu_ms_per_page']} | {r['load_average']} |")
    args.out.write_text(json.dumps({
        "rows": rows, "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
