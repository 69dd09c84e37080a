"""``python -m sample_portal --port 8800`` -- serve the sample portal.

    python -m sample_portal                 # the TRS site on 127.0.0.1:8800
    python -m sample_portal --all           # every family, each on its own loopback address, same port
    python -m sample_portal --family hanweb # one family on its own address
    python -m sample_portal --family hostile  # the opt-in hostile site (never part of --all)
"""

from __future__ import annotations

import argparse

from .families import ADDRESSES, ALL_FAMILIES
from .server import serve_all_forever, serve_forever


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m sample_portal",
                                 description="Serve the xxgk-archive sample portal (imitation county portals).")
    ap.add_argument("--host", default=None, help="address for a single site (default: the family's own)")
    ap.add_argument("--port", type=int, default=8800)
    ap.add_argument("--family", choices=list(ALL_FAMILIES), default="trs",
                    help="serve one family's site (hostile: only this way)")
    ap.add_argument("--all", action="store_true",
                    help="serve every family of the default set (not hostile), each on its own loopback address")
    ap.add_argument("--delay", type=float, default=0.0, help="seconds to wait before each response")
    ap.add_argument("--quiet", action="store_true", help="do not log requests")
    args = ap.parse_args(argv)
    if args.all:
        serve_all_forever(args.port, verbose=not args.quiet, delay=args.delay)
    elif args.family == "trs" and not args.delay:
        serve_forever(args.host or ADDRESSES["trs"], args.port, verbose=not args.quiet)
    else:
        serve_all_forever(args.port, verbose=not args.quiet, names=[args.family], delay=args.delay)


if __name__ == "__main__":
    main()
